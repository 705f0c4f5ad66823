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

/** Title metadata seen recently; a title's collections change rarely, and a stale read only lasts its TTL. */
export interface TitleCache {
  get(titleId: string): Title | undefined;
  set(title: Title): void;
}

/**
 * Everything an access decision needs in one BatchGet: title, device, the account's mitigations by their
 * natural keys, organisation, seat, and the entitlements (own and organisation's) to the title and, when the
 * title's collections are known from the cache, to its collections. A title not cached yet costs a second
 * BatchGet for collection entitlements, only when no direct entitlement already decides. This is the hot
 * path: round trips, not keys, are what cost.
 */
export async function loadAccessFacts(
  table: TableRef,
  request: { accountId: string; orgId: string | undefined; deviceId: string; titleId: string; now: number },
  titles?: TitleCache,
): Promise<LoadedAccessFacts> {
  const { accountId, orgId, deviceId, titleId, now } = request;
  const cached = titles?.get(titleId);
  const holders = orgId ? [accountId, orgId] : [accountId];
  const entitlementKeys = (collections: readonly string[]) =>
    holders.flatMap((holder) => collections.map((c) => keys.entitlement(holder, 'collection', c)));

  const titleKey = keys.title(titleId);
  const deviceKey = keys.device(accountId, deviceId);
  const mitigationKeys = ACCOUNT_MITIGATIONS.map((kind) => keys.mitigation(accountId, kind));
  const first: Key[] = [
    cached ? undefined : titleKey,
    deviceKey,
    ...mitigationKeys,
    ...holders.map((holder) => keys.entitlement(holder, 'title', titleId)),
    ...(orgId ? [keys.account(orgId), keys.member(orgId, accountId)] : []),
    ...entitlementKeys(cached?.collections ?? []),
  ].filter((key) => key !== undefined);
  const found = await batchGet(table, first);

  const titleItem = pick(found, titleKey);
  const title = cached ?? (titleItem ? stripKeys<Title>(titleItem) : undefined);
  if (title && !cached) titles?.set(title);
  const orgItem = orgId ? pick(found, keys.account(orgId)) : undefined;
  const orgAccount =
    orgItem && orgItem.kind === 'organisation' ? (toAccount(orgItem) as OrganisationAccount) : undefined;
  const collections = title?.collections ?? [];
  let all = found;
  const decided = entitlementsIn(found, accountId, 'title', [titleId]).some((e) => isActive(e, now));
  if (!cached && collections.length > 0 && !decided) {
    all = new Map([...found, ...(await batchGet(table, entitlementKeys(collections)))]);
  }

  const deviceItem = pick(found, deviceKey);
  return {
    title,
    device: deviceItem ? stripKeys<Device>(deviceItem) : undefined,
    org: orgAccount,
    entitlements: [
      ...entitlementsIn(all, accountId, 'title', [titleId]),
      ...entitlementsIn(all, accountId, 'collection', collections),
    ],
    orgEntitlements: orgAccount
      ? [
          ...entitlementsIn(all, orgAccount.accountId, 'title', [titleId]),
          ...entitlementsIn(all, orgAccount.accountId, 'collection', collections),
        ]
      : [],
    mitigations: mitigationKeys
      .map((key) => pick(found, key))
      .filter((item) => item !== undefined)
      .map((item) => stripKeys<Mitigation>(item))
      .filter((m) => isActive(m, now)),
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
