import { DeliveryError } from '../errors.ts';

// viewer, on_call and owner are the copilot service's operator roles (read; roll back and acknowledge;
// change guardrails). The delivery API grants them nothing; they are listed so verified tokens keep them.
export const ROLES = ['reader', 'org_admin', 'copilot', 'admin', 'viewer', 'on_call', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as established from a verified identity token. */
export interface Principal {
  /** The identity provider's subject; readers' account ids are their subjects. */
  accountId: string;
  orgId?: string;
  roles: readonly Role[];
  /** When the caller last signed in (auth_time, else iat): forced re-auth compares against it. */
  authenticatedAt: number;
  clientId: string;
}

export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return roles.some((role) => principal.roles.includes(role));
}

export function requireRole(principal: Principal, ...roles: Role[]): void {
  if (!hasRole(principal, ...roles)) {
    throw new DeliveryError('forbidden', `this action requires one of the roles: ${roles.join(', ')}`);
  }
}

/** B2B administrators manage only their own organisation; platform admins may act on any. */
export function requireOrgAdmin(principal: Principal, orgId: string): void {
  if (hasRole(principal, 'admin')) return;
  if (!hasRole(principal, 'org_admin') || principal.orgId !== orgId) {
    throw new DeliveryError(
      'forbidden',
      'only an administrator of this organisation may manage its entitlements',
    );
  }
}
