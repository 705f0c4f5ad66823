/** Base class of every error the infrastructure package throws; `cause` is kept. */
export class InfraError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InfraError';
  }
}

/** The tunables file or the deployment context is invalid: every problem is listed, each with its path. */
export class InfraConfigError extends InfraError {
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(problems.length > 0 ? `${message}:\n  ${problems.join('\n  ')}` : message, options);
    this.name = 'InfraConfigError';
  }
}
