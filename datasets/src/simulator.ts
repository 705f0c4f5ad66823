import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HOUR_MS } from '@boundless/common/time';
import { z } from 'zod';
import { parseOptions } from './errors.ts';
import { HeapGuard, type HeapStatistics } from './heap-guard.ts';
import { intoEmptyDir } from './out-dir.ts';
import { buildCatalog } from './sim/catalog.ts';
import { healthCanary, searchCrawler } from './sim/crawlers.ts';
import { EdgeModel } from './sim/edge.ts';
import { loadIpSpace } from './sim/ip-space.ts';
import { type Label, LabelTracker, SCENARIO_KINDS, type ScenarioKind } from './sim/labels.ts';
import { createLineFormatter } from './sim/log-line.ts';
import { HourlyLogWriter } from './sim/log-writer.ts';
import { mergeStreams } from './sim/merge.ts';
import type { Title, TitleKind } from './sim/catalog.ts';
import { COUNTRIES, CRAWLER_NETWORKS, HOSTING, SPIKE_COUNTRIES, VPN_EXITS } from './sim/networks.ts';
import { buildPopulation, shelfSyncStreams } from './sim/population.ts';
import { POPULATIONS } from './sim/populations.ts';
import { RANGES, widenRanges } from './sim/profiles.ts';
import { readerStream } from './sim/reader.ts';
import type { RequestStream, SimulatedRequest } from './sim/request.ts';
import { Rng } from './sim/rng.ts';
import { planScenarios } from './sim/scenarios/index.ts';
import { describeScenario, type Scenario } from './sim/scenarios/types.ts';
import type { World } from './sim/world.ts';

export { DatasetError } from './errors.ts';
export type { Label, LabelSubject, ScenarioKind } from './sim/labels.ts';
export type { Population, SimulatedRequest } from './sim/request.ts';
export { POPULATIONS, type PopulationName, type PopulationSpec } from './sim/populations.ts';
export { SIMULATOR_KID, SIMULATOR_SECRET } from './sim/tokens.ts';
export { driveEdgeLive, type LiveDriveOptions, type LiveDriveResult } from './sim/live-driver.ts';

export const DEFAULT_START = new Date('2026-11-02T00:00:00Z');
export const DISTRIBUTION_ID = 'E2BDLS7SIM4QXA';

const optionsSchema = z.object({
  seed: z.number().int().min(0).max(0xffffffff),
  start: z
    .date()
    .refine((d) => !Number.isNaN(d.getTime()), 'start must be a valid date')
    .default(DEFAULT_START),
  durationHours: z
    .number()
    .positive()
    .max(24 * 14)
    .default(6),
  readers: z.number().int().min(0).max(500_000).default(4000),
  titles: z.number().int().min(20).max(5000).default(300),
  scenarios: z.union([z.literal('all'), z.literal('none'), z.array(z.enum(SCENARIO_KINDS))]).default('all'),
  /** Whose parameter ranges, catalog style and mix (sim/populations.ts); hard_negative runs no abuse. */
  population: z.enum(['development', 'validation', 'hard_negative']).default('development'),
  /**
   * The development stress run: the population's mix (and abuse, if it has any) on the development ranges
   * widened to [a/2, 2b] (`widenRanges`) with the development catalog style, whatever the population's own profile.
   */
  widen: z.boolean().default(false),
});

export type SimulationOptions = z.input<typeof optionsSchema>;
type ResolvedOptions = z.output<typeof optionsSchema>;

export function resolveOptions(options: SimulationOptions): ResolvedOptions {
  return parseOptions(optionsSchema, 'simulation', options);
}

export interface Simulation {
  readonly world: World;
  readonly scenarios: readonly Scenario[];
  /** The merged, event-time-ordered stream; iterate it once. */
  readonly requests: Iterable<SimulatedRequest>;
  readonly populationSize: number;
}

/** Builds the world, the legitimate population and the scenarios; nothing is generated until iterated. */
export function createSimulation(options: SimulationOptions): Simulation {
  const o = resolveOptions(options);
  const rng = new Rng(o.seed, 'simulation');
  const start = o.start.getTime();
  const end = start + Math.round(o.durationHours * HOUR_MS);
  const asns = new Set<number>([...HOSTING.map((h) => h.asn), ...VPN_EXITS.map((v) => v.asn)]);
  for (const c of [...COUNTRIES, ...SPIKE_COUNTRIES])
    for (const a of [...c.residential, ...c.mobile, ...c.education]) asns.add(a);
  const spec = POPULATIONS[o.population];
  const profile = o.widen ? 'development' : spec.profile;
  const catalog = buildCatalog(rng.fork('catalog'), o.titles, profile);
  const titlesByKind = new Map<TitleKind, Title[]>();
  for (const title of catalog.titles) {
    const list = titlesByKind.get(title.kind) ?? [];
    list.push(title);
    titlesByKind.set(title.kind, list);
  }
  const world: World = {
    seed: o.seed,
    start,
    end,
    catalog,
    ips: loadIpSpace(asns),
    releaseAt: start + Math.floor((0.4 * (end - start)) / HOUR_MS) * HOUR_MS,
    profile,
    ranges: o.widen ? widenRanges(RANGES.development) : RANGES[profile],
    titlesByKind,
  };
  const kinds: readonly ScenarioKind[] = !spec.abuse
    ? []
    : o.scenarios === 'all'
      ? SCENARIO_KINDS
      : o.scenarios === 'none'
        ? []
        : o.scenarios;
  const { personas, syncs } = buildPopulation(rng.fork('population'), world, o.readers, spec.mix);
  const scenarios = planScenarios(rng.fork('scenarios'), world, kinds);
  const streams = function* (): Generator<RequestStream> {
    const crawlerRate = 0.2 + o.readers / 8000;
    yield searchCrawler(new Rng(o.seed, 'googlebot'), world, 'googlebot', crawlerRate);
    yield searchCrawler(new Rng(o.seed, 'bingbot'), world, 'bingbot', crawlerRate / 3);
    yield healthCanary(new Rng(o.seed, 'canary'), world);
    for (const persona of personas) yield readerStream(world, persona, new Rng(o.seed, persona.actor));
    for (const sync of syncs)
      yield* shelfSyncStreams(world, sync, new Rng(o.seed, `${sync.persona.actor}:sync`));
    for (const scenario of scenarios) yield* scenario.streams;
  };
  return {
    world,
    scenarios,
    populationSize: personas.length,
    requests: { [Symbol.iterator]: () => mergeStreams(streams(), start, end) },
  };
}

/** The simulated traffic as one event-time-ordered stream of viewer requests. */
export function simulateRequests(options: SimulationOptions): Iterable<SimulatedRequest> {
  return createSimulation(options).requests;
}

export interface SimulateToFilesOptions extends SimulationOptions {
  outDir: string;
  /** gzip level of the log files (CloudFront's own are compressed; any level reads the same). */
  gzipLevel?: number;
  onProgress?: (progress: { lines: number; simulatedTime: Date }) => void;
  /** The heap's statistics (tests); Node's own by default. */
  heap?: HeapStatistics;
}

export interface SimulateToFilesResult {
  logFiles: string[];
  labelsFile: string;
  scenariosFile: string;
  lines: number;
  labels: number;
}

/** Writes hourly CloudFront logs, `labels.jsonl` (DESIGN §4.3) and `scenarios.json` into an empty directory. */
export async function simulateToFiles(options: SimulateToFilesOptions): Promise<SimulateToFilesResult> {
  const simulation = createSimulation(options);
  return intoEmptyDir(options.outDir, () => writeSimulation(simulation, options));
}

async function writeSimulation(
  simulation: Simulation,
  options: SimulateToFilesOptions,
): Promise<SimulateToFilesResult> {
  const rng = new Rng(simulation.world.seed, 'edge');
  const edge = new EdgeModel(rng, simulation.world.catalog);
  const tracker = new LabelTracker(simulation.scenarios.flatMap((s) => s.labels));
  const writer = new HourlyLogWriter(options.outDir, DISTRIBUTION_ID, () => rng.hex(8), options.gzipLevel);
  const format = createLineFormatter();
  // Every reader's stream is open at once, so memory grows with --readers: too many stop cleanly.
  const guard = new HeapGuard(
    'log lines written',
    'ask for fewer --readers, or give Node more heap',
    options.heap,
  );
  let lines = 0;
  for (const request of simulation.requests) {
    tracker.observe(request);
    const pending = writer.add(request.time, format(edge.serve(request)));
    if (pending) await pending;
    lines += 1;
    guard.tick(lines);
    if (options.onProgress && lines % 100_000 === 0) {
      options.onProgress({ lines, simulatedTime: new Date(request.time) });
    }
  }
  const logFiles = await writer.close();
  const labels = tracker.labels();
  const labelsFile = join(options.outDir, 'labels.jsonl');
  await writeFile(
    labelsFile,
    labels.map((l: Label) => JSON.stringify(l)).join('\n') + (labels.length ? '\n' : ''),
  );
  const scenariosFile = join(options.outDir, 'scenarios.json');
  await writeFile(scenariosFile, `${JSON.stringify(describeRun(simulation, options, lines), null, 2)}\n`);
  return { logFiles, labelsFile, scenariosFile, lines, labels: labels.length };
}

function describeRun(simulation: Simulation, options: SimulationOptions, lines: number) {
  const { world } = simulation;
  return {
    seed: world.seed,
    start: new Date(world.start).toISOString(),
    end: new Date(world.end).toISOString(),
    distributionId: DISTRIBUTION_ID,
    lines,
    population: {
      name: resolveOptions(options).population,
      profile: world.profile,
      widened: resolveOptions(options).widen,
      readerStreams: simulation.populationSize,
      readers: resolveOptions(options).readers,
      releaseTitle: world.catalog.release.id,
      releaseAt: new Date(world.releaseAt).toISOString(),
      crawlers: Object.keys(CRAWLER_NETWORKS),
    },
    scenarios: simulation.scenarios.map(describeScenario),
  };
}
