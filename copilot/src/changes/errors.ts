/**
 * Why the change-set flow refused or failed a step. Codes are stable (the API returns them); the HTTP status is
 * chosen by the service from the code alone.
 */
export type ChangeSetErrorCode =
  | 'invalid_patch'
  | 'invalid_document'
  | 'no_change'
  | 'unknown_document'
  | 'not_found'
  | 'wrong_status'
  | 'self_approval'
  | 'copilot_cannot_approve'
  | 'owner_required'
  | 'forbidden'
  | 'stale_plan'
  | 'plan_changed'
  | 'approval_expired'
  | 'approval_mismatch'
  | 'conflict'
  | 'apply_failed'
  | 'rollback_failed'
  | 'unsupported_action'
  | 'window_open'
  | 'not_configured';

export class ChangeSetError extends Error {
  constructor(
    readonly code: ChangeSetErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ChangeSetError';
  }
}
