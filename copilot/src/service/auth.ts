import type { Principal } from '@boundless/delivery';
import type { IdentityVerifier } from '@boundless/delivery/identity';
import { decodeJwt } from 'jose';
import { CopilotServiceError } from './errors.ts';

/**
 * Operator roles, each including the ones before it: viewers read, on-call engineers also roll back
 * mitigations and acknowledge findings, owners also change the guardrails. Platform admins are owners.
 */
export const OPERATOR_ROLES = ['viewer', 'on_call', 'owner'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export interface Operator {
  /** Who acted, for the audit trail: `user:<sub>`. */
  actor: string;
  roles: OperatorRole[];
  /** Unix ms at which the token stops being accepted: sockets are cut then. */
  expiresAtMs: number;
}

function operatorRoles(principal: Principal): OperatorRole[] {
  const held = new Set<string>(principal.roles);
  if (held.has('admin')) return [...OPERATOR_ROLES];
  const top = OPERATOR_ROLES.reduce((best, role, index) => (held.has(role) ? index : best), -1);
  return OPERATOR_ROLES.slice(0, top + 1);
}

/** Verifies the token (issuer, signature, expiry, the copilot's app client) and maps groups to operator roles. */
export async function authenticate(verifier: IdentityVerifier, token: string): Promise<Operator> {
  let principal: Principal;
  try {
    principal = await verifier.verify(token);
  } catch (error) {
    const reason = (error as { details?: { reason?: string } }).details?.reason ?? 'invalid token';
    throw new CopilotServiceError(
      'unauthorized',
      `bearer token rejected: ${reason}`,
      { reason },
      { cause: error },
    );
  }
  const roles = operatorRoles(principal);
  if (roles.length === 0)
    throw new CopilotServiceError('forbidden', 'the copilot needs one of the roles viewer, on_call or owner');
  const exp = decodeJwt(token).exp;
  return { actor: `user:${principal.accountId}`, roles, expiresAtMs: (exp ?? 0) * 1000 };
}

export function requireRole(operator: Operator, role: OperatorRole): void {
  if (!operator.roles.includes(role))
    throw new CopilotServiceError('forbidden', `this action requires the ${role} role`, { required: role });
}
