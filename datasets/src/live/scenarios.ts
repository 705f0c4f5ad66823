import type { AccessGrant } from '@boundless/local/client';
import { browserUserAgent, TOOL_AGENTS } from '../sim/agents.ts';
import type { IpSpace } from '../sim/ip-space.ts';
import { COUNTRIES, type CountryProfile, HOSTING } from '../sim/networks.ts';
import type { Rng } from '../sim/rng.ts';
import type { SeededReader } from './library.ts';
import { fetchAsset, pause, type ViewerAnswer, type ViewerOutcome, type ViewerRequest } from './viewer.ts';

export const LIVE_SCENARIO_KINDS = ['scraper', 'shared_token', 'catalog_crawler'] as const;
export type LiveScenarioKind = (typeof LIVE_SCENARIO_KINDS)[number];

export const LIVE_SCENARIO_DESCRIPTIONS: Record<LiveScenarioKind, string> = {
  scraper:
    'a download tool on a cloud server logs in as a reader, takes a grant for every title of the library and pulls every asset, title after title',
  shared_token:
    "a reader's access link (token, cookies and device id) is posted publicly; strangers in other countries open the book with it while its owner keeps reading at home",
  catalog_crawler:
    'a harvesting bot on a cloud server, with no account, walks the public page of every title in catalog order, over and over',
};

/** Kinds that abuse a reader's account (the others need none). */
export const ACCOUNT_SCENARIO_KINDS: readonly LiveScenarioKind[] = ['scraper', 'shared_token'];

/** What a live scenario needs from the running stack. */
export interface LiveWorld {
  edgeUrl: string;
  /** A grant from the real access API for a seeded account (throws when the API refuses). */
  access(accountId: string, titleId: string, deviceId: string): Promise<AccessGrant>;
  ips: IpSpace;
  /** The public page of every title, in catalog order (what a harvesting bot walks). */
  publicPages: readonly string[];
}

export interface ActorCounts {
  requests: number;
  served: number;
  refused: number;
  other: number;
}

export interface ScenarioReport {
  id: string;
  kind: LiveScenarioKind;
  description: string;
  /** Whose account or token is abused, and from which addresses. */
  subject: { accountId: string; tokenIds: string[]; ips: string[] };
  /** Wall time of the first abusive request (epoch ms). */
  startedAtMs: number;
  endedAtMs: number;
  /** Seconds from the first abusive request to the first one the edge refused; null if never refused. */
  refusedAfterSeconds: number | null;
  /** The edge's first refusal of an abusive request (status and `x-bb-refused` reason). */
  firstRefusal: { status: number; refusedBy: string } | null;
  /** Sends one more abusive request as the abuser did (same token, device and address) and returns the answer. */
  probe(): Promise<ViewerAnswer>;
  abuser: ActorCounts;
  /** The abused account's owner (shared token): refused once when the token is revoked, then re-granted. */
  owner?: ActorCounts;
  stoppedBy: 'refused' | 'max_duration' | 'exhausted' | 'stopped';
}

export interface ScenarioLimits {
  /** Wall-clock bound of one scenario. */
  maxMs: number;
  /** How long the abuser keeps trying once refused (to show its requests keep failing). */
  afterRefusalMs: number;
}

const counts = (): ActorCounts => ({ requests: 0, served: 0, refused: 0, other: 0 });

function tally(c: ActorCounts, outcome: ViewerOutcome): void {
  c.requests += 1;
  c[outcome] += 1;
}

/** Tracks the attack's clock and decides when a scenario is over. */
class AttackClock {
  startedAtMs = 0;
  firstRefusalMs = 0;
  stoppedBy: ScenarioReport['stoppedBy'] = 'exhausted';
  private readonly begunMs = Date.now();

  constructor(
    private readonly limits: ScenarioLimits,
    private readonly signal: AbortSignal,
  ) {}

  sent(): void {
    if (this.startedAtMs === 0) this.startedAtMs = Date.now();
  }

  first: ScenarioReport['firstRefusal'] = null;

  refused(answer: ViewerAnswer): void {
    if (this.firstRefusalMs !== 0) return;
    this.firstRefusalMs = Date.now();
    this.first = { status: answer.status, refusedBy: answer.refusedBy };
  }

  over(): boolean {
    const now = Date.now();
    if (this.signal.aborted) this.stoppedBy = 'stopped';
    else if (this.firstRefusalMs > 0 && now - this.firstRefusalMs >= this.limits.afterRefusalMs)
      this.stoppedBy = 'refused';
    else if (now - this.begunMs >= this.limits.maxMs) this.stoppedBy = 'max_duration';
    else return false;
    return true;
  }

  seconds(): number | null {
    return this.firstRefusalMs > 0 ? (this.firstRefusalMs - this.startedAtMs) / 1000 : null;
  }
}

/**
 * A scraper with a real account: from a cloud address (hosting ranges of the simulator's address space) and a
 * tool's user agent, it asks the access API for a grant per title of the library on the account's registered
 * device, then downloads every asset of every title back to back, starting over when done, as mirroring tools
 * do. Nothing is shaped to the detectors: the pace is a tool's (a few requests a second, exponential gaps).
 */
export async function runScraper(
  world: LiveWorld,
  rng: Rng,
  reader: SeededReader,
  id: string,
  limits: ScenarioLimits,
  signal: AbortSignal,
): Promise<ScenarioReport> {
  const { ip, userAgent } = toolOnCloudServer(world, rng);
  const grants: { grant: AccessGrant; assets: string[] }[] = [];
  for (const title of reader.titles) {
    grants.push({
      grant: await world.access(reader.accountId, title.titleId, reader.deviceId),
      assets: title.assets,
    });
  }
  const clock = new AttackClock(limits, signal);
  const abuser = counts();
  const requests = grants.flatMap(({ grant, assets }) =>
    assets.map((path) => ({ grant, path, deviceId: reader.deviceId, ip, userAgent })),
  );
  await runTool(world, requests, rng, clock, abuser, signal);
  return {
    id,
    kind: 'scraper',
    description: LIVE_SCENARIO_DESCRIPTIONS.scraper,
    subject: { accountId: reader.accountId, tokenIds: grants.map((g) => g.grant.tokenId), ips: [ip] },
    startedAtMs: clock.startedAtMs,
    endedAtMs: Date.now(),
    refusedAfterSeconds: clock.seconds(),
    firstRefusal: clock.first,
    probe: probeWith(world.edgeUrl, {
      grant: (grants[0] as (typeof grants)[number]).grant,
      path: (grants[0] as (typeof grants)[number]).assets[0] as string,
      deviceId: reader.deviceId,
      ip,
      userAgent,
    }),
    abuser,
    stoppedBy: clock.stoppedBy,
  };
}

/**
 * A harvesting bot: from a cloud address and a tool's user agent, with no account and no token, it walks the
 * public title pages in catalog order at a tool's pace (a few requests a second), round after round. Only its
 * address can be acted on, so it is refused by the web ACL's rate-based rule (AWS WAF), not by the edge's token
 * checks; its first refusal is that one.
 */
export async function runCatalogCrawler(
  world: LiveWorld,
  rng: Rng,
  _reader: SeededReader,
  id: string,
  limits: ScenarioLimits,
  signal: AbortSignal,
): Promise<ScenarioReport> {
  const { ip, userAgent } = toolOnCloudServer(world, rng);
  const pages = world.publicPages;
  if (pages.length === 0) throw new Error('the catalog has no public pages to crawl');
  const clock = new AttackClock(limits, signal);
  const abuser = counts();
  const requests = pages.map((path) => ({ path, deviceId: '', ip, userAgent }));
  await runTool(world, requests, rng, clock, abuser, signal);
  return {
    id,
    kind: 'catalog_crawler',
    description: LIVE_SCENARIO_DESCRIPTIONS.catalog_crawler,
    subject: { accountId: '', tokenIds: [], ips: [ip] },
    startedAtMs: clock.startedAtMs,
    endedAtMs: Date.now(),
    refusedAfterSeconds: clock.seconds(),
    firstRefusal: clock.first,
    probe: () => fetchAsset(world.edgeUrl, { path: pages[0] as string, deviceId: '', ip, userAgent }, signal),
    abuser,
    stoppedBy: clock.stoppedBy,
  };
}

/** A download tool's identity: an address in a hosting provider's range and a tool's user agent. */
function toolOnCloudServer(world: LiveWorld, rng: Rng): { ip: string; userAgent: string } {
  const host = rng.pick(HOSTING);
  const ip = world.ips.sample(rng, host.country, [host.asn]);
  return { ip, userAgent: rng.pick(TOOL_AGENTS) };
}

/** A tool's loop: the requests in order, round after round, at a tool's pace, until the attack is over. */
async function runTool(
  world: LiveWorld,
  requests: readonly ViewerRequest[],
  rng: Rng,
  clock: AttackClock,
  abuser: ActorCounts,
  signal: AbortSignal,
): Promise<void> {
  outer: for (let round = 0; round < 20; round += 1) {
    for (const request of requests) {
      if (clock.over()) break outer;
      clock.sent();
      const answer = await fetchAsset(world.edgeUrl, request, signal);
      tally(abuser, answer.outcome);
      if (answer.outcome === 'refused') clock.refused(answer);
      await pause(40 + rng.exp(200), signal);
    }
  }
  clock.over();
}

function residential(world: LiveWorld, rng: Rng, country: CountryProfile): string {
  return world.ips.sample(rng, country.code, country.residential);
}

/**
 * A token posted publicly: the owner reads at home (a residential address of their country, a reading pace),
 * and strangers on other continents (residential addresses of those countries) open the same book with the
 * posted link, device id included, each reading a few pages until the edge turns them away twice. The owner's
 * app asks for a new grant when its token stops working, as the reading app does.
 */
export async function runSharedToken(
  world: LiveWorld,
  rng: Rng,
  reader: SeededReader,
  id: string,
  limits: ScenarioLimits,
  signal: AbortSignal,
): Promise<ScenarioReport> {
  const title = reader.titles[0] as SeededReader['titles'][number];
  const home = rng.weighted(COUNTRIES, (c) => c.share);
  const far = COUNTRIES.filter((c) => Math.abs(c.utcOffset - home.utcOffset) >= 7);
  const ownerIp = residential(world, rng, home);
  const ownerAgent = browserUserAgent(rng);
  let grant = await world.access(reader.accountId, title.titleId, reader.deviceId);
  const posted = grant;
  const clock = new AttackClock(limits, signal);
  const owner = counts();
  const abuser = counts();
  const ips = new Set<string>();
  const stop = new AbortController();
  const done = AbortSignal.any([signal, stop.signal]);

  const ownerReads = (async () => {
    for (let page = 0; !done.aborted; page += 1) {
      const path = title.assets[page % title.assets.length] as string;
      const request = { grant, path, deviceId: reader.deviceId, ip: ownerIp, userAgent: ownerAgent };
      const { outcome } = await fetchAsset(world.edgeUrl, request, done);
      if (done.aborted) break;
      tally(owner, outcome);
      if (outcome === 'refused') grant = await world.access(reader.accountId, title.titleId, reader.deviceId);
      await pause(rng.logNormal(2_500, 0.4), done);
    }
  })();

  // The owner has been reading for a moment when the link goes public.
  await pause(3_000, done);
  const visitors: Promise<void>[] = [];
  const crowd = rng.int(5, 9);
  for (let v = 0; v < crowd && !clock.over(); v += 1) {
    const country = rng.pick(far.length > 0 ? far : COUNTRIES);
    const ip = residential(world, rng, country);
    ips.add(ip);
    const userAgent = browserUserAgent(rng);
    visitors.push(
      (async () => {
        let refusals = 0;
        for (let page = rng.int(0, title.assets.length); refusals < 2 && !clock.over(); page += 1) {
          clock.sent();
          const path = title.assets[page % title.assets.length] as string;
          const request = { grant: posted, path, deviceId: reader.deviceId, ip, userAgent };
          const answer = await fetchAsset(world.edgeUrl, request, done);
          if (done.aborted) break;
          tally(abuser, answer.outcome);
          if (answer.outcome === 'refused') {
            refusals += 1;
            clock.refused(answer);
          }
          // Reading, not downloading: a page every few seconds.
          await pause(rng.logNormal(6_000, 0.5), done);
        }
      })(),
    );
    // The link spreads: the next stranger opens it some seconds later.
    await pause(Math.min(30_000, rng.exp(8_000)), done);
  }
  await Promise.all(visitors);
  stop.abort();
  await ownerReads;
  clock.over();
  return {
    id,
    kind: 'shared_token',
    description: LIVE_SCENARIO_DESCRIPTIONS.shared_token,
    subject: { accountId: reader.accountId, tokenIds: [posted.tokenId], ips: [...ips] },
    startedAtMs: clock.startedAtMs,
    endedAtMs: Date.now(),
    refusedAfterSeconds: clock.seconds(),
    firstRefusal: clock.first,
    probe: probeWith(world.edgeUrl, {
      grant: posted,
      path: title.assets[0] as string,
      deviceId: reader.deviceId,
      ip: [...ips][0] ?? ownerIp,
      userAgent: browserUserAgent(rng),
    }),
    abuser,
    owner,
    stoppedBy: signal.aborted ? 'stopped' : clock.stoppedBy,
  };
}

function probeWith(edgeUrl: string, request: ViewerRequest): () => Promise<ViewerAnswer> {
  return () => fetchAsset(edgeUrl, request, new AbortController().signal);
}
