import { z } from 'zod';
import type { Role } from '../domain/principal.ts';

/**
 * Machine callers of the API: an OAuth client-credentials app client (Cognito's `copilot-service`) whose access
 * tokens carry no groups, only the client id and the scopes it was granted. Each grant names the one client id,
 * the scope its token must carry, and the role it then acts with; nothing else about the token grants a role.
 */
export interface ServiceClientGrant {
  clientId: string;
  /** `<resource server>/<scope>`, as the token's space-separated `scope` claim lists it. */
  scope: string;
  role: ServiceRole;
}

/** Roles a machine may hold: the copilot's levers, or a platform automation's. Never a reader's. */
export const SERVICE_ROLES = ['copilot', 'admin'] as const satisfies readonly Role[];
export type ServiceRole = (typeof SERVICE_ROLES)[number];

/** Cognito app client ids: 1-128 word characters (letters, digits and underscores; Cognito's are 26 of them). */
const CLIENT_ID = /^[A-Za-z0-9_]{1,128}$/;
/** A scope token of RFC 6749 §3.3 (printable ASCII but space, quote and backslash). */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/;

const serviceClientGrantSchema = z.strictObject({
  clientId: z.string().regex(CLIENT_ID, 'must be an app client id ([A-Za-z0-9_], 1-128 characters)'),
  scope: z.string().regex(SCOPE, 'must be one OAuth scope (no spaces), e.g. boundless-delivery/admin'),
  role: z.enum(SERVICE_ROLES),
});

/** The grants as configured: a JSON array, one grant per client id. */
export const serviceClientGrantsSchema = z
  .array(serviceClientGrantSchema)
  .max(16)
  .refine((grants) => new Set(grants.map((g) => g.clientId)).size === grants.length, {
    message: 'each clientId may be granted once',
  });

/** Parses `BOUNDLESS_IDENTITY_SERVICE_CLIENTS`-style JSON; problems are zod issues of the caller's schema. */
export const serviceClientGrantsJson = z
  .string()
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a JSON array [{"clientId": "...", "scope": "...", "role": "copilot"}]',
      });
      return z.NEVER;
    }
  })
  .pipe(serviceClientGrantsSchema);

/** The scopes a token lists (Cognito: one space-separated string). */
export function scopesOf(claim: unknown): string[] {
  return typeof claim === 'string' ? claim.split(' ').filter((s) => s.length > 0) : [];
}
