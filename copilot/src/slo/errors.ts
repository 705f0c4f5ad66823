/** Every failure in the SLO area: bad definitions, unreadable log sources. The original error stays in `cause`. */
export class SloError extends Error {
  override readonly name: string = 'SloError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The SLO definitions file did not validate; `issues` lists each problem as `path: message`. */
export class SloDefinitionError extends SloError {
  override readonly name = 'SloDefinitionError';

  constructor(
    message: string,
    readonly issues: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
