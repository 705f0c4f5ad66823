import { deviceHashOf, issueEdgeToken } from '@boundless/delivery';
import { titleScope } from './catalog.ts';
import type { Rng } from './rng.ts';

/** Signing key of simulated tokens; published so that tests and a local edge can verify them. */
export const SIMULATOR_KID = 'sim1';
export const SIMULATOR_SECRET = 'boundless-simulator-edge-secret';

/** Whose access a token carries: the (account, device, title) the access API issued it for. */
export interface Grant {
  readonly accountId: string;
  readonly deviceId: string;
  readonly titleId: string;
}

export interface IssuedToken {
  readonly bbt: string;
  readonly tokenId: string;
  readonly grant: Grant;
  readonly deviceHash: string;
  /** Unix seconds. */
  readonly exp: number;
  readonly scope: string;
}

/** Tokens live for hours: long enough for a reading session, short enough that a leak dies out. */
const TOKEN_TTL_SECONDS = 4 * 3600;

/** `scope` overrides the title's: a grant for a whole collection (what a leaked institutional grant opens). */
export function issueToken(
  rng: Rng,
  grant: Grant,
  issuedAtMs: number,
  scope = titleScope(grant.titleId),
): IssuedToken {
  const iat = Math.floor(issuedAtMs / 1000);
  const exp = iat + TOKEN_TTL_SECONDS;
  const tokenId = rng.id(22);
  const deviceHash = deviceHashOf(grant.accountId, grant.deviceId);
  const bbt = issueEdgeToken(
    { kid: SIMULATOR_KID, tokenId, accountId: grant.accountId, deviceHash, iat, exp, scope },
    SIMULATOR_SECRET,
  );
  return { bbt, tokenId, grant, deviceHash, exp, scope };
}
