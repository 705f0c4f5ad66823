import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Harness, startHarness } from '../api/test-support.ts';
import type { Title } from '../domain/model.ts';
import { loadAccessFacts, type TitleCache } from './access-facts.ts';

let h: Harness;
const NOW = 1_800_000_000;
beforeAll(async () => {
  h = await startHarness();
  await h.store.catalog.putCatalog(
    [{ titleId: 'f-1', name: 'F', format: 'pdf', collections: ['c-a', 'c-b'], releasedAt: 0 }],
    [],
  );
  await h.store.accounts.putAccount({
    kind: 'organisation',
    accountId: 'org-f',
    name: 'Org',
    seats: 5,
    campusCidrs: [],
  });
  await h.store.catalog.putEntitlement({
    accountId: 'org-f',
    target: { type: 'collection', id: 'c-b' },
    channel: 'b2b',
    startsAt: 0,
    grantedBy: 'admin',
  });
});
afterAll(() => h.close());

function mapCache(): TitleCache {
  const titles = new Map<string, Title>();
  return { get: (id) => titles.get(id), set: (t) => titles.set(t.titleId, t) };
}

describe('Function: loadAccessFacts', () => {
  it('finds collection entitlements in a second round trip, then in one once the title is cached', async () => {
    const cache = mapCache();
    const request = { accountId: 'member-f', orgId: 'org-f', deviceId: 'd', titleId: 'f-1', now: NOW };
    const send = vi.spyOn(h.store.table.client, 'send');

    const cold = await loadAccessFacts(h.store.table, request, cache);
    expect(send).toHaveBeenCalledTimes(2);
    send.mockClear();
    const warm = await loadAccessFacts(h.store.table, request, cache);
    expect(send).toHaveBeenCalledTimes(1);
    send.mockRestore();

    for (const facts of [cold, warm]) {
      expect(facts.title?.titleId).toBe('f-1');
      expect(facts.org?.accountId).toBe('org-f');
      expect(facts.orgEntitlements.map((e) => e.target)).toEqual([{ type: 'collection', id: 'c-b' }]);
      expect(facts.entitlements).toEqual([]);
      expect(facts.device).toBeUndefined();
      expect(facts.hasSeat).toBe(false);
    }
  });

  it('reports an unknown title without caching it', async () => {
    const cache = mapCache();
    const facts = await loadAccessFacts(
      h.store.table,
      { accountId: 'a', orgId: undefined, deviceId: 'd', titleId: 'nope', now: NOW },
      cache,
    );
    expect(facts.title).toBeUndefined();
    expect(cache.get('nope')).toBeUndefined();
  });
});
