import type { AccessFacts } from '../domain/access-decision.ts';
import {
  type Device,
  type Entitlement,
  isActive,
  type Mitigation,
  type MitigationKind,
  type OrganisationAccount,
  type Title,
} from '../domain/model.ts';
import { toAccount } from './accounts-store.ts';
import { batchGet, pick, type TableRef } from './dynamo.ts';
import { type Key, keys, stripKeys } from './keys.ts';

/** The mitigations that bear on access decisions; token revocations act at the edge instead. */
const ACCOUNT_MITIGATIONS: readonly MitigationKind[] = ['short_ttl', 'rate_limit', 'forced_reauth'];

export type LoadedAccessFacts = Omit<AccessFacts, 'now' | 'principal' | 'sourceIp' | 'defaultTtlSeconds'> & {
  hasSeat: boolean;
};

/**
 * Everything an access decision needs in one BatchGet of the keys known up front (title, device, the account's
 * mitigations by their natural keys, organisation, seat, direct entitlements), and a second one for collection
 * entitlements only when no direct entitlement already decides it. This is the hot path: round trips, not
 * keys, are what cost.
 */
export async function loadAccessFacts(
  table: TableRef,
  request: { accountId: string; orgId: string | undefined; deviceId: string; titleId: string; now: number },
): Promise<LoadedAccessFacts> {
  const { accountId, orgId, deviceId, titleId, now } = request;
  const titleKey = keys.title(titleId);
  const deviceKey = keys.device(accountId, deviceId);
  const mitigationKeys = ACCOUNT_MITIGATIONS.map((kind) => keys.mitigation(accountId, kind));
  const first: Key[] = [
    titleKey,
    deviceKey,
    keys.entitlement(accountId, 'title', titleId),
    ...mitigationKeys,
  ];
  if (orgId)
    first.push(keys.account(orgId), keys.member(orgId, accountId), keys.entitlement(orgId, 'title', titleId));

  const found = await batchGet(table, first);
  const mitigations = mitigationKeys
    .map((key) => pick(found, key))
    .filter((item) => item !== undefined)
    .map((item) => stripKeys<Mitigation>(item))
    .filter((m) => isActive(m, now));
  const titleItem = pick(found, titleKey);
  const title = titleItem ? stripKeys<Title>(titleItem) : undefined;
  const deviceItem = pick(found, deviceKey);
  const orgItem = orgId ? pick(found, keys.account(orgId)) : undefined;
  const orgAccount = orgItem && orgItem.kind === 'organisation' ? toAccount(orgItem) : undefined;
  const entitlements = entitlementsIn(found, accountId, 'title', [titleId]);
  const orgEntitlements = orgAccount ? entitlementsIn(found, orgAccount.accountId, 'title', [titleId]) : [];

  const collections = title?.collections ?? [];
  const decided = entitlements.some((e) => isActive(e, now));
  if (collections.length > 0 && !decided) {
    const second = collections.map((c) => keys.entitlement(accountId, 'collection', c));
    if (orgAccount)
      second.push(...collections.map((c) => keys.entitlement(orgAccount.accountId, 'collection', c)));
    const more = await batchGet(table, second);
    entitlements.push(...entitlementsIn(more, accountId, 'collection', collections));
    if (orgAccount)
      orgEntitlements.push(...entitlementsIn(more, orgAccount.accountId, 'collection', collections));
  }

  return {
    title,
    device: deviceItem ? stripKeys<Device>(deviceItem) : undefined,
    org: orgAccount as OrganisationAccount | undefined,
    entitlements,
    orgEntitlements,
    mitigations,
    hasSeat: orgId ? pick(found, keys.member(orgId, accountId)) !== undefined : false,
  };
}

function entitlementsIn(
  found: Map<string, Record<string, unknown>>,
  accountId: string,
  type: 'title' | 'collection',
  ids: readonly string[],
): Entitlement[] {
  const result: Entitlement[] = [];
  for (const id of ids) {
    const item = pick(found, keys.entitlement(accountId, type, id));
    if (item) result.push(stripKeys<Entitlement>(item));
  }
  return result;
}
