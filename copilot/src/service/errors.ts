/**
 * The service's one error type. Codes are a stable contract with the dashboard (`{ error: { code, message } }`);
 * the HTTP status is chosen here, at the edge, from the code alone.
 */
export type ServiceErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'validation_failed'
  | 'malformed_json'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'not_found'
  | 'route_not_found'
  | 'not_active'
  | 'approved_by_a_person'
  | 'turn_in_progress'
  | 'incident_resolved'
  | 'port_failed'
  | 'cross_site'
  | 'sign_in_failed'
  | 'local_issuer_off_loopback'
  | 'no_cost_source'
  | 'no_report_runner'
  | 'report_in_progress'
  | 'internal';

const STATUS: Record<ServiceErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  validation_failed: 400,
  malformed_json: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  not_found: 404,
  route_not_found: 404,
  not_active: 409,
  approved_by_a_person: 409,
  turn_in_progress: 409,
  incident_resolved: 409,
  port_failed: 502,
  cross_site: 403,
  sign_in_failed: 400,
  local_issuer_off_loopback: 403,
  no_cost_source: 404,
  no_report_runner: 404,
  report_in_progress: 409,
  internal: 500,
};

export class CopilotServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CopilotServiceError';
  }

  get status(): number {
    return STATUS[this.code];
  }

  toJSON() {
    return {
      error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) },
    };
  }
}
