import { type AccessGrant, DeliveryClient } from '@boundless/local/client';
import { browserUserAgent } from '../sim/agents.ts';
import { loadIpSpace } from '../sim/ip-space.ts';
import { COUNTRIES, HOSTING } from '../sim/networks.ts';
import { Rng } from '../sim/rng.ts';
import { catalogPages, type SeededReader, seededReaders } from './library.ts';
import {
  ACCOUNT_SCENARIO_KINDS,
  type ActorCounts,
  LIVE_SCENARIO_DESCRIPTIONS,
  LIVE_SCENARIO_KINDS,
  type LiveScenarioKind,
  type LiveWorld,
  runCatalogCrawler,
  runScraper,
  runSharedToken,
  type ScenarioLimits,
  type ScenarioReport,
} from './scenarios.ts';
import { fetchAsset, pause } from './viewer.ts';

export interface LiveScenarioOptions {
  /** The local runtime's access API and edge. */
  apiUrl: string;
  edgeUrl: string;
  /** A JWT for a seeded account (the local identity issuer; Cognito in AWS). */
  jwtFor(accountId: string): Promise<string>;
  /** The seed the runtime's data dir was made with. @default 42 */
  seed?: number;
  /** Legitimate readers reading all the time. @default 4 */
  readers?: number;
  /** One abuse scenario this often. @default 180000 (3 minutes) */
  everyMs?: number;
  /** The first scenario this long after start. @default 30000 */
  firstAfterMs?: number;
  /** Rotated through in this order. @default every kind */
  kinds?: readonly LiveScenarioKind[];
  /** A summary event this often. @default 60000 */
  summaryEveryMs?: number;
  limits?: Partial<ScenarioLimits>;
  /** Randomness of addresses, paces and abused accounts. @default the start time */
  randomSeed?: number;
  onEvent?: (event: LiveEvent) => void;
}

export type LiveEvent =
  | { type: 'scenario_started'; id: string; kind: LiveScenarioKind; accountId: string; description: string }
  | { type: 'scenario_ended'; report: ScenarioReport }
  | { type: 'scenario_failed'; id: string; kind: LiveScenarioKind; error: string }
  | { type: 'summary'; stats: LiveStats };

interface LiveStats {
  /** Legitimate readers' requests since start: served, refused by the edge, other (errors). */
  readers: ActorCounts & { count: number; regrants: number };
  scenarios: { run: number; refused: number; refusedAfterSeconds: number[] };
}

export interface LiveScenarios {
  /**
   * Runs one scenario now (the next kind in rotation unless named) and resolves with its report. `accountId`
   * picks the abused account (one of the seeded accounts scenarios may abuse), e.g. to abuse the same one twice.
   */
  runScenario(kind?: LiveScenarioKind, options?: { accountId?: string }): Promise<ScenarioReport>;
  stats(): LiveStats;
  /** The legitimate readers' accounts (never abused by a scenario). */
  readonly readerAccounts: readonly string[];
  /** Stops timers, readers and any running scenario, and waits for them (bounded by request timeouts). */
  stop(): Promise<void>;
}

const DEFAULTS = { maxMs: 90_000, afterRefusalMs: 4_000 };

const RUNNERS = {
  scraper: runScraper,
  shared_token: runSharedToken,
  catalog_crawler: runCatalogCrawler,
} satisfies Record<LiveScenarioKind, unknown>;

/**
 * Live traffic against a running local stack: a few seeded readers reading at a human pace from their own
 * residential addresses, and every few minutes one abuse scenario against the edge, rotating through the kinds.
 * Everything runs on event-loop timers, is bounded and stops with `stop()`. Only the edge's answers are
 * observed here: whether the copilot notices is up to it, from the edge's logs.
 */
export function startLiveScenarios(options: LiveScenarioOptions): LiveScenarios {
  const rng = new Rng(options.randomSeed ?? Date.now() % 0xffffffff, 'live');
  const client = new DeliveryClient(options.apiUrl, options.edgeUrl);
  const limits: ScenarioLimits = { ...DEFAULTS, ...options.limits };
  const kinds = options.kinds?.length ? options.kinds : LIVE_SCENARIO_KINDS;
  const library = seededReaders(options.seed ?? 42);
  const readerCount = Math.min(options.readers ?? 4, 16);
  // Readers and abused accounts come from separate parts of the seeded population.
  const readers = library.slice(0, readerCount);
  const abusable = library.slice(readerCount).filter((r) => r.titles.length >= 6);
  let ipSpace: ReturnType<typeof loadIpSpace> | undefined;
  const ips = () => {
    ipSpace ??= loadIpSpace([...HOSTING.map((h) => h.asn), ...COUNTRIES.flatMap((c) => c.residential)]);
    return ipSpace;
  };
  let pages: string[] | undefined;
  const world: LiveWorld = {
    edgeUrl: options.edgeUrl,
    get publicPages() {
      pages ??= catalogPages(options.seed ?? 42);
      return pages;
    },
    get ips() {
      return ips();
    },
    access: async (accountId, titleId, deviceId) => {
      const jwt = await options.jwtFor(accountId);
      const answer = await client.access(jwt, titleId, deviceId);
      if (answer.status !== 200)
        throw new Error(`access for ${accountId}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body;
    },
  };
  const stats: LiveStats = {
    readers: { count: readers.length, requests: 0, served: 0, refused: 0, other: 0, regrants: 0 },
    scenarios: { run: 0, refused: 0, refusedAfterSeconds: [] },
  };
  const controller = new AbortController();
  const { signal } = controller;
  const emit = (event: LiveEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A printing listener must never stop the traffic.
    }
  };
  const tasks = new Set<Promise<unknown>>();
  const track = <T>(task: Promise<T>): Promise<T> => {
    tasks.add(task);
    void task.finally(() => tasks.delete(task)).catch(() => undefined);
    return task;
  };

  let turn = 0;
  const abused = new Set<string>();
  let running: Promise<ScenarioReport> | undefined;
  const runScenario = (
    kind?: LiveScenarioKind,
    choice: { accountId?: string } = {},
  ): Promise<ScenarioReport> => {
    if (signal.aborted) return Promise.reject(new Error('live scenarios are stopped'));
    if (running) return running;
    const chosen = kind ?? (kinds[turn % kinds.length] as LiveScenarioKind);
    turn += 1;
    const id = `live-${chosen.replace('_', '-')}-${turn}`;
    // Each scenario abuses an account no earlier one did: a mitigation still active on it would hide the next.
    if (abused.size >= abusable.length) abused.clear();
    const needsAccount = ACCOUNT_SCENARIO_KINDS.includes(chosen);
    const chosenVictim = choice.accountId
      ? abusable.find((r) => r.accountId === choice.accountId)
      : undefined;
    if (choice.accountId && !chosenVictim)
      return Promise.reject(new Error(`${choice.accountId} is not an account the scenarios may abuse`));
    const victim = chosenVictim ?? rng.pick(abusable.filter((r) => !abused.has(r.accountId)));
    if (needsAccount) abused.add(victim.accountId);
    const run = RUNNERS[chosen];
    emit({
      type: 'scenario_started',
      id,
      kind: chosen,
      accountId: needsAccount ? victim.accountId : '',
      description: LIVE_SCENARIO_DESCRIPTIONS[chosen],
    });
    const task = run(world, rng.fork(id), victim, id, limits, signal).then(
      (report) => {
        stats.scenarios.run += 1;
        if (report.refusedAfterSeconds !== null) {
          stats.scenarios.refused += 1;
          stats.scenarios.refusedAfterSeconds.push(report.refusedAfterSeconds);
        }
        emit({ type: 'scenario_ended', report });
        return report;
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        emit({ type: 'scenario_failed', id, kind: chosen, error: message });
        throw error;
      },
    );
    running = track(task).finally(() => {
      running = undefined;
    });
    return running;
  };

  for (const reader of readers) track(readLoop(reader, rng.fork(reader.accountId)));

  const timers: NodeJS.Timeout[] = [];
  const scheduled = () => void runScenario().catch(() => undefined);
  const first = setTimeout(() => {
    scheduled();
    timers.push(setInterval(scheduled, options.everyMs ?? 180_000));
  }, options.firstAfterMs ?? 30_000);
  timers.push(first);
  timers.push(
    setInterval(() => emit({ type: 'summary', stats: snapshot() }), options.summaryEveryMs ?? 60_000),
  );

  /** A legitimate reader: one book, a page every few seconds, a new grant when the token stops working. */
  async function readLoop(reader: SeededReader, r: Rng): Promise<void> {
    const title = reader.titles[0] as SeededReader['titles'][number];
    const country = r.weighted(COUNTRIES, (c) => c.share);
    const userAgent = browserUserAgent(r);
    let grant: AccessGrant | undefined;
    let renewAt = 0;
    await pause(r.between(0, 2_000), signal);
    const ip = world.ips.sample(r, country.code, country.residential);
    for (let page = 0; !signal.aborted; page += 1) {
      if (!grant || Date.now() >= renewAt) {
        try {
          grant = await world.access(reader.accountId, title.titleId, reader.deviceId);
          renewAt = Date.now() + 0.8 * Math.max(60_000, Date.parse(grant.expiresAt) - Date.now());
        } catch {
          await pause(5_000, signal);
          continue;
        }
      }
      const path = title.assets[page % title.assets.length] as string;
      const { outcome } = await fetchAsset(
        options.edgeUrl,
        { grant, path, deviceId: reader.deviceId, ip, userAgent },
        signal,
      );
      if (signal.aborted) break;
      stats.readers.requests += 1;
      stats.readers[outcome] += 1;
      if (outcome === 'refused') {
        stats.readers.regrants += 1;
        grant = undefined;
      }
      await pause(r.logNormal(4_000, 0.5), signal);
    }
  }

  function snapshot(): LiveStats {
    return {
      readers: { ...stats.readers },
      scenarios: { ...stats.scenarios, refusedAfterSeconds: [...stats.scenarios.refusedAfterSeconds] },
    };
  }

  return {
    runScenario,
    stats: snapshot,
    readerAccounts: readers.map((r) => r.accountId),
    stop: async () => {
      controller.abort();
      for (const timer of timers) clearTimeout(timer);
      await Promise.allSettled([...tasks]);
    },
  };
}
