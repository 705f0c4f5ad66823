/**
 * The one error type of the delivery core. Codes are a stable contract with clients (`{ error: { code } }`);
 * the HTTP status for each code is chosen only at the edge of the handler (api/http-errors.ts), so the domain
 * and store never speak HTTP.
 */
export type DeliveryErrorCode =
  | 'unauthorized'
  | 'reauth_required'
  | 'forbidden'
  | 'not_entitled'
  | 'entitlement_expired'
  | 'outside_campus'
  | 'seats_exhausted'
  | 'device_limit_reached'
  | 'device_not_registered'
  | 'validation_failed'
  | 'payload_too_large'
  | 'headers_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'not_found'
  | 'route_not_found'
  | 'idempotency_in_progress'
  | 'idempotency_key_reused'
  | 'config_invalid'
  | 'internal';

export interface DeliveryErrorOptions {
  cause?: unknown;
  /** Safe, client-visible detail (never secrets, never raw input values). */
  details?: Record<string, unknown>;
}

export class DeliveryError extends Error {
  readonly code: DeliveryErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: DeliveryErrorCode, message: string, options: DeliveryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeliveryError';
    this.code = code;
    this.details = options.details;
  }
}

export function isDeliveryError(error: unknown): error is DeliveryError {
  return error instanceof DeliveryError;
}
