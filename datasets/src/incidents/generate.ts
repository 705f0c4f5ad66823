import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '../sim/rng.ts';
import { type CallResult, simulateCall } from './calls.ts';
import { emitEdgeMinute, emitTrailEvent } from './emit-edge.ts';
import { emitCall } from './emit-services.ts';
import { containersEstate, deliveryEstate, type Estate } from './estate.ts';
import type { IncidentFaultKind } from './faults.ts';
import { type IncidentScenario, resolveTarget } from './scenario.ts';
import { TelemetryDirectoryWriter } from './telemetry-writer.ts';
import { type ActiveFault, World } from './world.ts';
import { MINUTE_MS } from '@boundless/common/time';

/**
 * Runs one incident scenario with one seed and writes what the estate would have recorded over the window before
 * the alert, in the layout of the public RCA cases: `<dir>/case.json` (`{at, window}`: what a diagnosis is told),
 * `<dir>/telemetry/` (the telemetry directory it reads), `<dir>/findings.jsonl` (the copilot's abuse findings,
 * when the scenario has any) and `<dir>/answer.json` (the expected component and fault; an evaluation reads it,
 * a diagnosis never does).
 */
export interface GeneratedIncident {
  scenario: string;
  seed: number;
  dir: string;
  telemetryDir: string;
  atMs: number;
  windowMs: number;
  expect: { component: string; fault: IncidentFaultKind } | null;
  fault?: ActiveFault;
  findings: Record<string, unknown>[];
  logEvents: number;
  segments: number;
}

export const INCIDENT_WINDOW_MS = 30 * 60_000;
/** Bumped whenever the simulator changes what it writes, so cached cases are generated again. */
export const INCIDENT_SIMULATOR_VERSION = 1;

function poisson(mean: number, rng: Rng): number {
  if (mean > 30) return Math.max(0, Math.round(rng.normal(mean, Math.sqrt(mean))));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

interface MinuteStats {
  requests: number;
  durations: number[];
}

function walk(result: CallResult, visit: (r: CallResult) => void): void {
  visit(result);
  for (const child of result.children) walk(child, visit);
}

function emitContainerMetrics(
  estate: Estate,
  world: World,
  writer: TelemetryDirectoryWriter,
  rng: Rng,
  minuteMs: number,
  stats: Map<string, MinuteStats>,
  baseline: Map<string, number>,
): void {
  const naming = estate.naming;
  if (!naming) return;
  for (const spec of estate.components.values()) {
    if (spec.runtime !== 'container') continue;
    const s = stats.get(spec.name) ?? { requests: 0, durations: [] };
    const e = world.effects(spec.name, minuteMs);
    const load = s.requests / Math.max(1, baseline.get(spec.name) ?? 1);
    for (let instance = 0; instance < spec.instances; instance++) {
      const cpu =
        e.cpu > 0
          ? 100 * Math.min(1, rng.between(0.88, 1) * (0.3 + 0.7 * e.cpu))
          : rng.logNormal(12 + 10 * load, 0.15);
      const memory =
        e.memory > 0 ? Math.min(99.5, 55 + 43 * e.memory * rng.between(0.95, 1)) : rng.between(38, 52);
      const sorted = [...s.durations].sort((a, b) => a - b);
      const p95 = sorted[Math.floor(0.95 * (sorted.length - 1))] ?? 0;
      const taskId = `${world.version(spec.name, minuteMs)}${instance}${spec.name.length}`;
      writer.log(spec.metricsGroup!, `${spec.name}/${taskId}`, minuteMs + 59_000, {
        _aws: {
          Timestamp: minuteMs + 59_000,
          CloudWatchMetrics: [
            {
              Namespace: naming.namespace,
              Dimensions: [[naming.dimension]],
              Metrics: [
                { Name: naming.cpu, Unit: 'Percent' },
                { Name: naming.memory, Unit: 'Percent' },
                { Name: naming.netTx, Unit: 'Bytes' },
                { Name: naming.requests, Unit: 'Count' },
                { Name: naming.latency, Unit: 'Milliseconds' },
              ],
            },
          ],
        },
        [naming.dimension]: spec.name,
        TaskId: taskId,
        [naming.cpu]: Number(cpu.toFixed(2)),
        [naming.memory]: Number(memory.toFixed(2)),
        [naming.netTx]: Math.round((s.requests / spec.instances) * rng.logNormal(2400, 0.2)),
        [naming.requests]: Math.round(s.requests / spec.instances),
        [naming.latency]: Number(p95.toFixed(1)),
      });
    }
  }
}

export async function generateIncident(
  scenario: IncidentScenario,
  seed: number,
  dir: string,
): Promise<GeneratedIncident> {
  const rng = new Rng(seed, scenario.id);
  const estate = scenario.estate === 'delivery' ? deliveryEstate(seed) : containersEstate(seed);
  const atMs = Date.UTC(2026, 10, 2) + rng.int(0, 14 * 24) * 3_600_000 + rng.int(0, 60) * MINUTE_MS;
  const windowStartMs = atMs - INCIDENT_WINDOW_MS;
  let fault: ActiveFault | undefined;
  let target: string | undefined;
  if (scenario.fault) {
    target = resolveTarget(estate, scenario.fault.target ?? '@entry', rng.fork('target'));
    const startMs = atMs - Math.round(rng.between(3, 12) * MINUTE_MS);
    fault = {
      kind: scenario.fault.kind,
      target,
      startMs,
      endMs: Math.max(atMs, startMs + (scenario.fault.durationMs ?? 0)),
      intensity: scenario.fault.intensity ?? rng.between(0.4, 1),
    };
  }
  const condition = scenario.condition
    ? { kind: scenario.condition, startMs: atMs - Math.round(rng.between(6, 14) * MINUTE_MS) }
    : undefined;
  const world = new World(estate, windowStartMs, atMs, rng.fork('world'), fault, condition);
  const telemetryDir = join(dir, 'telemetry');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const writer = new TelemetryDirectoryWriter(telemetryDir);
  const traffic = rng.fork('traffic');
  const emitRng = rng.fork('emit');
  const environments = new Map<string, string[]>();
  const minuteStats = new Map<string, MinuteStats>();
  const baseline = new Map<string, number>();
  for (let second = windowStartMs - 2 * MINUTE_MS; second < atMs; second += 1000) {
    if (second % MINUTE_MS === 0 && second > windowStartMs - 2 * MINUTE_MS) {
      const minute = second - MINUTE_MS;
      if (baseline.size === 0)
        for (const [name, s] of minuteStats) baseline.set(name, Math.max(1, s.requests));
      emitContainerMetrics(estate, world, writer, emitRng, minute, minuteStats, baseline);
      emitEdgeMinute(minute, estate, world, writer, emitRng);
      minuteStats.clear();
    }
    const n = poisson(estate.baseRps * world.traffic(second), traffic);
    for (let i = 0; i < n; i++) {
      const t = second + traffic.int(0, 1000);
      const endpoint = traffic.weighted(estate.endpoints, (e) => e.weight);
      const result = simulateCall(endpoint.root, t, estate, world, traffic);
      walk(result, (r) => {
        const s = minuteStats.get(r.component) ?? { requests: 0, durations: [] };
        s.requests += 1;
        s.durations.push(r.endMs - r.startMs);
        minuteStats.set(r.component, s);
      });
      const traceId = `1-${Math.floor(t / 1000).toString(16)}-${emitRng.hex(24)}`;
      emitCall(result, { writer, rng: emitRng, environments, route: endpoint.name }, traceId);
    }
  }
  emitChanges(estate, world, writer, rng.fork('changes'), windowStartMs, atMs);
  const findings = abuseFindings(world, rng.fork('findings'));
  const counts = await writer.write();
  if (findings.length)
    await writeFile(join(dir, 'findings.jsonl'), `${findings.map((f) => JSON.stringify(f)).join('\n')}\n`);
  const expect = scenario.expect
    ? {
        component: scenario.expect.component === '@target' ? target! : scenario.expect.component,
        fault: scenario.expect.fault,
      }
    : null;
  await writeFile(
    join(dir, 'case.json'),
    `${JSON.stringify({ at: new Date(atMs).toISOString(), window: '30m' })}\n`,
  );
  await writeFile(
    join(dir, 'answer.json'),
    `${JSON.stringify({ scenario: scenario.id, seed, expect, fault, condition }, null, 1)}\n`,
  );
  return {
    scenario: scenario.id,
    seed,
    dir,
    telemetryDir,
    atMs,
    windowMs: INCIDENT_WINDOW_MS,
    expect,
    ...(fault ? { fault } : {}),
    findings,
    ...counts,
  };
}

/** Deploys and configuration changes: the faulty one, plus harmless changes elsewhere that must not be blamed. */
function emitChanges(
  estate: Estate,
  world: World,
  writer: TelemetryDirectoryWriter,
  rng: Rng,
  startMs: number,
  atMs: number,
): void {
  const trail = estate.trailGroup;
  const deploy = (component: string, at: number) => {
    if (estate.components.get(component)?.runtime === 'lambda')
      emitTrailEvent(
        writer,
        trail,
        at,
        'lambda.amazonaws.com',
        'UpdateFunctionCode20150331v2',
        { functionName: component },
        rng,
      );
    else
      emitTrailEvent(
        writer,
        trail,
        at,
        'ecs.amazonaws.com',
        'UpdateService',
        { cluster: 'prod', service: component, taskDefinition: `${component}:42` },
        rng,
      );
  };
  const f = world.fault;
  if (f?.kind === 'bad_deploy') deploy(f.target, f.startMs - rng.between(10_000, 90_000));
  if (world.condition?.kind === 'benign_deploy') deploy(world.deployTarget(), world.condition.startMs);
  if (f?.kind === 'signing_key_mismatch')
    emitTrailEvent(
      writer,
      trail,
      f.startMs - rng.between(5_000, 60_000),
      'cloudfront-keyvaluestore.amazonaws.com',
      'PutKey',
      { kvsARN: 'arn:aws:cloudfront::000000000000:key-value-store/edge-keys', key: 'k:k2' },
      rng,
    );
  if (f?.kind === 'cache_hit_collapse' && estate.edge && rng.chance(0.5))
    emitTrailEvent(
      writer,
      trail,
      f.startMs - rng.between(5_000, 60_000),
      'cloudfront.amazonaws.com',
      'UpdateDistribution',
      { id: estate.edge.distribution },
      rng,
    );
  if (f?.kind === 'cold_start_storm' && rng.chance(0.5))
    emitTrailEvent(
      writer,
      trail,
      f.startMs - rng.between(5_000, 60_000),
      'lambda.amazonaws.com',
      'DeleteProvisionedConcurrencyConfig',
      { functionName: f.target, qualifier: 'live' },
      rng,
    );
  // Harmless changes at random times, to components that stay healthy.
  const healthy = [...estate.components.values()].filter(
    (c) => c.name !== f?.target && (c.runtime === 'lambda' || c.runtime === 'container'),
  );
  for (let i = rng.int(0, 3); i > 0 && healthy.length; i--) {
    const at = startMs + rng.between(0, atMs - startMs);
    const c = rng.pick(healthy);
    if (rng.chance(0.5)) deploy(c.name, at);
    else
      emitTrailEvent(
        writer,
        trail,
        at,
        'ssm.amazonaws.com',
        'PutParameter',
        { name: `/${c.name}/feature-flags` },
        rng,
      );
  }
}

function abuseFindings(world: World, rng: Rng): Record<string, unknown>[] {
  const f = world.fault;
  if (f?.kind !== 'abuse_load') return [];
  const first = f.startMs + rng.between(20_000, 60_000);
  return [
    {
      id: rng.hex(24),
      kind: 'scraping',
      subject: { ip: `203.0.113.${rng.int(10, 14)}` },
      firstSeen: new Date(first).toISOString(),
      detectedAt: new Date(first + rng.between(10_000, 60_000)).toISOString(),
      score: Number(rng.between(0.8, 0.95).toFixed(3)),
      severity: 'critical',
      summary: 'sequential enumeration of titles by one address with a tool user agent',
      evidence: {},
    },
  ];
}
