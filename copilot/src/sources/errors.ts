/** A telemetry source failed in a way the caller should see (after retries), with the AWS or I/O error as cause. */
export class SourceError extends Error {
  constructor(
    readonly source: string,
    /** What went wrong, without the source's name in front (the message has it). */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${source}: ${reason}`, options);
    this.name = 'SourceError';
  }
}
