/** A telemetry source failed in a way the caller should see (after retries), with the AWS or I/O error as cause. */
export class SourceError extends Error {
  constructor(
    readonly source: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${source}: ${message}`, options);
    this.name = 'SourceError';
  }
}
