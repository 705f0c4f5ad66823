import { join } from 'node:path';
import { LocalIdentityIssuer } from '@boundless/delivery/identity/local-issuer';
import { type AccessGrant, DeliveryClient } from '@boundless/delivery/local/delivery-client';
import { type LocalDelivery, startLocalDelivery } from '@boundless/delivery/local/runtime';
import { generateCatalog } from '@boundless/delivery/seed/catalog';
import { generatePopulation } from '@boundless/delivery/seed/population';
import { type LocalCopilot, startLocalCopilot } from '@boundless/copilot/service/local';
import type { LiveAccess } from '@boundless/datasets/sim/live-driver';
import type { SimulatedRequest } from '@boundless/datasets/sim/request';

/**
 * The whole loop on one machine for tests and the benchmark: the local delivery runtime (dynalite, access API,
 * edge), the copilot service and pipeline reading the edge's logs, and readers holding real grants from the
 * access API. Readers are seeded accounts with a perpetual entitlement, found the way the seed made them.
 */
export interface LiveReader {
  accountId: string;
  deviceId: string;
  titleId: string;
  /** Asset file names of the title, relative to the grant's scope. */
  assets: string[];
  grant: AccessGrant;
}

export interface LiveStack {
  delivery: LocalDelivery;
  copilot: LocalCopilot;
  client: DeliveryClient;
  /** A fresh grant (a new edge token) for a seeded reader. */
  grantFor(accountId: string): Promise<LiveReader>;
  /** Seeded readers with a perpetual entitlement, in account order. */
  candidates: string[];
  close(): Promise<void>;
}

const SEED = 42;

export async function startLiveStack(dataDir: string, pollIntervalMs = 250): Promise<LiveStack> {
  const delivery = await startLocalDelivery({ dataDir, seed: SEED, lambda: { coldStartMs: 5 } });
  let copilot: LocalCopilot | undefined;
  try {
    copilot = await startLocalCopilot({
      adminApiUrl: delivery.apiUrl,
      local: { dataDir },
      pollIntervalMs,
      env: {},
    });
  } catch (error) {
    await delivery.close();
    throw error;
  }
  const client = new DeliveryClient(delivery.apiUrl, delivery.edgeUrl);
  const issuer = await LocalIdentityIssuer.create({
    keyDir: join(dataDir, 'keys'),
    issuer: 'https://identity.boundless.local',
  });
  const { entitled, assetsOf } = seededEntitlements();
  const grantFor = async (accountId: string): Promise<LiveReader> => {
    const titleId = entitled.get(accountId);
    if (!titleId) throw new Error(`${accountId} holds no perpetual entitlement in the seed`);
    const deviceId = `${accountId}-d1`;
    const jwt = await issuer.issue({ sub: accountId });
    const answer = await client.access(jwt, titleId, deviceId);
    if (answer.status !== 200)
      throw new Error(`access for ${accountId}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return { accountId, deviceId, titleId, assets: assetsOf(titleId), grant: answer.body };
  };
  const live = copilot;
  return {
    delivery,
    copilot: live,
    client,
    grantFor,
    candidates: [...entitled.keys()],
    close: async () => {
      await live.close();
      await delivery.close();
    },
  };
}

/** Which seeded b2c readers own a title outright (first one each), and each title's asset names. */
function seededEntitlements() {
  const now = Math.floor(Date.now() / 1000);
  const catalog = generateCatalog(SEED, 300, now);
  const population = generatePopulation(SEED, 200, catalog.titles, now);
  const entitled = new Map<string, string>();
  for (const e of population.entitlements) {
    if (!e.accountId.startsWith('reader-') || e.target.type !== 'title' || e.expiresAt !== undefined)
      continue;
    if (!entitled.has(e.accountId)) entitled.set(e.accountId, e.target.id);
  }
  const assets = new Map<string, string[]>();
  for (const asset of catalog.assets)
    assets.set(asset.titleId, [...(assets.get(asset.titleId) ?? []), asset.name]);
  return { entitled, assetsOf: (titleId: string) => assets.get(titleId) ?? [] };
}

/** The live driver's view of a reader's grant: the simulator asks for it by account. */
export function accessFor(readers: readonly LiveReader[]) {
  return async (grant: { accountId: string }): Promise<LiveAccess> => {
    const reader = readers.find((r) => r.accountId === grant.accountId);
    if (!reader) throw new Error(`no live grant for ${grant.accountId}`);
    const cookie = Object.entries(reader.grant.cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    return { bbt: reader.grant.bbt, cookie };
  };
}

/**
 * Requests for the live driver: a reader paging through its title, and a scraper pulling the same title as
 * fast as it can, adding cache busters once the edge cache starts answering it (from request 100 on), each
 * carrying the reader's real token and device header. At request 120 the scraper is over the per-minute rate
 * and has sent 20 cache busters: two signs at once, which the default policies answer with a revocation.
 */
export function readerRequests(
  reader: LiveReader,
  options: { startMs: number; count: number; gapMs: number; scraper?: boolean },
): SimulatedRequest[] {
  const out: SimulatedRequest[] = [];
  for (let i = 0; i < options.count; i += 1) {
    const asset = reader.assets[i % reader.assets.length] as string;
    out.push({
      time: options.startMs + i * options.gapMs,
      actor: options.scraper ? `abuse:${reader.accountId}` : `reader:${reader.accountId}`,
      population: options.scraper ? 'abuse' : 'b2c',
      ...(options.scraper ? { label: `scraping-${reader.accountId}` } : {}),
      ip: '127.0.0.1',
      country: '',
      path: `${reader.grant.scope}${asset}`,
      ...(options.scraper && i >= 100 ? { query: `cb=${i}` } : {}),
      token: {
        bbt: reader.grant.bbt,
        tokenId: reader.grant.tokenId,
        grant: { accountId: reader.accountId, deviceId: reader.deviceId, titleId: reader.titleId },
        deviceHash: '',
        exp: 0,
        scope: reader.grant.scope,
      },
      deviceId: reader.deviceId,
      userAgent: options.scraper ? 'python-requests/2.32' : 'BoundlessReader/3.1 (iOS 18)',
      port: 50_000 + i,
    });
  }
  return out;
}

/** Interleaves request lists by time, as the live driver needs them. */
export function byTime(...lists: SimulatedRequest[][]): SimulatedRequest[] {
  return lists.flat().sort((a, b) => a.time - b.time);
}
