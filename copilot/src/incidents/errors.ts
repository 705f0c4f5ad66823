/** The incident service's errors; the HTTP edge maps each code to a status. */
export type IncidentErrorCode = 'not_found' | 'turn_in_progress' | 'incident_resolved' | 'validation_failed';

export class IncidentError extends Error {
  constructor(
    readonly code: IncidentErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'IncidentError';
  }
}
