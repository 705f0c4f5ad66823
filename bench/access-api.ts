import { spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { isActive } from '@boundless/delivery';
import { LocalIdentityIssuer } from '@boundless/delivery/identity';
import { logGroupOf } from '@boundless/local/lambda';
import { readLogGroupEvents } from '@boundless/copilot/telemetry-dir';
import { generateCatalog, generatePopulation } from '@boundless/local/seed';
import { quantileSorted } from 'simple-statistics';

/**
 * POST /v1/access over real HTTP against `boundless start --no-copilot --no-simulate` (dynalite, Lambda
 * emulation with 250 ms cold starts, the HTTP API adapter, nothing else) in its own process. Phases (the burst on
 * a fresh data dir of its own):
 *   serial: one request at a time for 5 s (the warm service time);
 *   steady: 500 req/s for 10 s after a short warm-up (target p95 <= 25 ms) from autocannon as it runs by
 *           default: 10 connections, each sending its per-second quota (50) back to back from the top of every
 *           second, waiting for each response before the next request;
 *   clumped: the same with 32 connections (a stress figure, not the target): 32 requests land at once at the
 *           top of every second and stay in flight until the quota is spent, so by Little's law each waits
 *           about 32 / capacity — it measures how fast the runtime drains a 32-deep queue on these cores;
 *   paced:  the same 500 req/s offered evenly, one request every 2 ms whatever the responses do (for comparison);
 *   burst:  50 req/s for 5 s, then a step to 500 req/s (10x) for 5 s: 5xx count (target 0) and p95 during it.
 * Latencies come from every response (autocannon's 'response' event), so p95 is exact rather than bucketed.
 * Requests come from many B2C readers of the seeded population (each with its own JWT, device and entitled
 * title), so token, title and cookie caches behave as under real traffic rather than on one hot key.
 */
const BIN = fileURLToPath(new URL('../bin/boundless.mjs', import.meta.url));
const FUNCTION = 'delivery-grant-access';
const STEADY_RATE = 500;
/** autocannon's own default (lib/defaultOptions.js): what "autocannon at 500 req/s" runs unless told otherwise. */
const AUTOCANNON_DEFAULT_CONNECTIONS = 10;
const BURST_BASE_RATE = 50;
/** What `boundless start` seeds a fresh data dir with (demo-data.ts). */
const SEED = { seed: 42, titles: 300, readers: 200 };
const ISSUER = 'https://identity.boundless.local';
const MAX_SESSIONS = 100;

interface Phase {
  /** Requests per second; omitted: as fast as the connections allow. */
  rate?: number;
  seconds: number;
  connections: number;
}

interface PhaseResult {
  latencies: number[];
  status: Record<string, number>;
  errors: number;
  timeouts: number;
  seconds: number;
}

interface Session {
  headers: Record<string, string>;
  body: string;
}

interface Target {
  url: string;
  /**
   * CPU time the runtime process has used so far (user + system), in ms: all threads, the main thread, and
   * each thread by id (the function thread, dynalite's thread, LevelDB's threadpool…).
   */
  cpuMs(): { all: number; main: number; threads: Map<string, number> };
  sessions: Session[];
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * (reader, device, title) triples of B2C readers in the seeded population whose title entitlement stays active
 * through the run, each with a JWT from the data dir's local identity key (as `POST /local/token` would issue).
 */
async function readerSessions(dataDir: string): Promise<Session[]> {
  const now = Math.floor(Date.now() / 1000);
  const catalog = generateCatalog(SEED.seed, SEED.titles, now);
  const population = generatePopulation(SEED.seed, SEED.readers, catalog.titles, now);
  const issuer = await LocalIdentityIssuer.create({ keyDir: join(dataDir, 'keys'), issuer: ISSUER });
  const sessions: Session[] = [];
  for (const reader of population.readers) {
    if (reader.orgId || sessions.length >= MAX_SESSIONS) continue;
    const device = population.devices.find((d) => d.accountId === reader.accountId);
    const entitlement = population.entitlements.find(
      (e) => e.accountId === reader.accountId && e.target.type === 'title' && isActive(e, now + 3600),
    );
    if (!device || !entitlement) continue;
    const jwt = await issuer.issue({ sub: reader.accountId });
    sessions.push({
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
      body: JSON.stringify({ titleId: entitlement.target.id, deviceId: device.deviceId }),
    });
  }
  if (sessions.length < 10) throw new Error(`only ${sessions.length} reader sessions in the seed`);
  return sessions;
}

/**
 * The runtime runs as `boundless start` in its own process, as a developer runs it, so the load generator
 * does not compete with it for the same event loop.
 */
async function startRuntime(dataDir: string): Promise<Target> {
  // The delivery core alone: no copilot reading every log record, no live simulator sending its own traffic.
  const args = [BIN, 'start', '--data-dir', dataDir, '--port', '0', '--no-copilot', '--no-simulate'];
  const child = spawn(
    process.execPath,
    [...(process.env.ACCESS_API_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const banner = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Press Ctrl-C')) resolve(out);
    });
    child.once('exit', (code) => reject(new Error(`boundless start exited with ${code}`)));
  });
  const apiUrl = /Access API[^\n]*?(http:\/\/\S+)/.exec(banner)?.[1];
  if (!apiUrl) throw new Error(`no URL in the banner:\n${banner}`);
  const sessions = await readerSessions(dataDir);
  const stop = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  };
  const pid = child.pid as number;
  return {
    url: `${apiUrl}/v1/access`,
    cpuMs: () => ({
      all: cpuMsOf(`/proc/${pid}/stat`),
      main: cpuMsOf(`/proc/${pid}/task/${pid}/stat`),
      threads: threadCpuMs(pid),
    }),
    sessions,
    dataDir,
    pid,
    stop,
  };
}

/** Busy CPU time of the whole machine so far, in ms (every process: the other engineer's runs too). */
function machineBusyMs(): number {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return (total - idle) * 10;
}

function threadCpuMs(pid: number): Map<string, number> {
  const threads = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(tid, cpuMsOf(`/proc/${pid}/task/${tid}/stat`));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

/** utime + stime from a /proc stat file (fields 14 and 15, in clock ticks of 10 ms). */
function cpuMsOf(statFile: string): number {
  const stat = readFileSync(statFile, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The CPU a phase cost per served request: the runtime's, and this process's (autocannon) alongside it. */
async function measuredCpu(
  prefix: string,
  target: Target,
  work: () => Promise<PhaseResult>,
): Promise<{ result: PhaseResult; cpu: Record<string, number> }> {
  const runtimeBefore = target.cpuMs();
  const loadBefore = process.cpuUsage();
  const machineBefore = machineBusyMs();
  const result = await work();
  const runtimeAfter = target.cpuMs();
  const machineMs = machineBusyMs() - machineBefore;
  const runtimeMs = runtimeAfter.all - runtimeBefore.all;
  const mainMs = runtimeAfter.main - runtimeBefore.main;
  // The busiest thread besides the main one: the function thread when there is one, else dynalite's.
  let busiestMs = 0;
  for (const [tid, ms] of runtimeAfter.threads) {
    if (tid === String(target.pid)) continue;
    busiestMs = Math.max(busiestMs, ms - (runtimeBefore.threads.get(tid) ?? 0));
  }
  const load = process.cpuUsage(loadBefore);
  const loadMs = (load.user + load.system) / 1000;
  const served = Math.max(1, result.latencies.length);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    result,
    cpu: {
      [`${prefix}_runtime_cpu_ms_per_request`]: round(runtimeMs / served),
      [`${prefix}_runtime_cores_busy`]: round(runtimeMs / 1000 / result.seconds),
      // The event loop runs the API adapter and the emulator (and the handlers with the SDK when they are not
      // in a function thread): one core at most.
      [`${prefix}_main_thread_cpu_ms_per_request`]: round(mainMs / served),
      [`${prefix}_main_thread_busy`]: round(mainMs / 1000 / result.seconds),
      [`${prefix}_busiest_other_thread_cpu_ms_per_request`]: round(busiestMs / served),
      [`${prefix}_busiest_other_thread_busy`]: round(busiestMs / 1000 / result.seconds),
      [`${prefix}_loadgen_cpu_ms_per_request`]: round(loadMs / served),
      [`${prefix}_loadgen_cores_busy`]: round(loadMs / 1000 / result.seconds),
      // Cores the rest of the machine kept busy meanwhile: what the runtime could not have.
      [`${prefix}_other_processes_cores_busy`]: round(
        Math.max(0, machineMs - runtimeMs - loadMs) / 1000 / result.seconds,
      ),
    },
  };
}

/** Cold starts and throttles of the access function, from the EMF lines in its log group. */
async function lambdaCounts(
  dataDir: string,
  fromMs: number,
): Promise<{ coldStarts: number; throttles: number }> {
  const counts = { coldStarts: 0, throttles: 0 };
  const logsDir = join(dataDir, 'logs');
  for await (const event of readLogGroupEvents(logsDir, logGroupOf(FUNCTION), fromMs, Date.now() + 60_000)) {
    const message = JSON.parse(event.message) as { ColdStart?: number; Throttles?: number };
    counts.coldStarts += message.ColdStart ?? 0;
    counts.throttles += message.Throttles ?? 0;
  }
  return counts;
}

async function load(target: { url: string; sessions: Session[] }, phase: Phase): Promise<PhaseResult> {
  const latencies: number[] = [];
  const status: Record<string, number> = {};
  const instance = autocannon({
    url: target.url,
    method: 'POST',
    // Each connection cycles through every session; they drift apart, so readers interleave.
    requests: target.sessions.map((session) => ({ method: 'POST', ...session })),
    connections: phase.connections,
    ...(phase.rate ? { overallRate: phase.rate } : {}),
    duration: phase.seconds,
    timeout: 10,
  });
  instance.on('response', (_client, statusCode, _bytes, ms) => {
    latencies.push(ms);
    const family = `${Math.floor(statusCode / 100)}xx`;
    status[family] = (status[family] ?? 0) + 1;
  });
  const result = await instance;
  return { latencies, status, errors: result.errors, timeouts: result.timeouts, seconds: result.duration };
}

/**
 * Open-loop load: one request every 1000/rate ms on kept-alive connections, whatever the responses do, each
 * latency measured from its scheduled send time (so a stall shows in every request it delays). autocannon's
 * overallRate is a per-connection quota per second sent back to back: all connections start their second
 * together, so its "500 req/s" arrives as clumps at up to 32 in flight followed by a quiet gap.
 */
async function paced(
  target: { url: string; sessions: Session[] },
  rate: number,
  seconds: number,
): Promise<PhaseResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL(target.url);
  const latencies: number[] = [];
  const status: Record<string, number> = {};
  let errors = 0;
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  const send = (index: number, scheduledAt: number) =>
    new Promise<void>((resolve) => {
      const session = target.sessions[index % target.sessions.length] as Session;
      const request = httpRequest(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: session.headers,
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            latencies.push(performance.now() - scheduledAt);
            const family = `${Math.floor((response.statusCode ?? 0) / 100)}xx`;
            status[family] = (status[family] ?? 0) + 1;
            resolve();
          });
        },
      );
      request.on('error', () => {
        errors += 1;
        resolve();
      });
      request.end(session.body);
    });
  let next = 0;
  while (next < total) {
    const now = performance.now();
    while (next < total && started + next * interval <= now) {
      inFlight.push(send(next, started + next * interval));
      next += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { latencies, status, errors, timeouts: 0, seconds: (performance.now() - started) / 1000 };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return Math.round(quantileSorted(sorted, p / 100) * 100) / 100;
}

function summarise(prefix: string, result: PhaseResult): Record<string, number> {
  const sorted = [...result.latencies].sort((a, b) => a - b);
  return {
    [`${prefix}_requests`]: sorted.length,
    [`${prefix}_rps`]: Math.round(sorted.length / result.seconds),
    [`${prefix}_p50_ms`]: percentile(sorted, 50),
    [`${prefix}_p95_ms`]: percentile(sorted, 95),
    [`${prefix}_p99_ms`]: percentile(sorted, 99),
    [`${prefix}_5xx`]: result.status['5xx'] ?? 0,
    [`${prefix}_4xx`]: result.status['4xx'] ?? 0,
    [`${prefix}_errors`]: result.errors + result.timeouts,
  };
}

async function withRuntime<T>(name: string, work: (target: Target) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), `bench-${name}-`));
  const target = await startRuntime(dataDir);
  try {
    return await work(target);
  } finally {
    await target.stop();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  let steadyDir = '';
  const steady = await withRuntime('steady', async (target) => {
    steadyDir = target.dataDir;
    await load(target, { rate: 100, seconds: 2, connections: 16 });
    // One request at a time: the service time of a warm request, without queueing.
    const serialRun = await measuredCpu('serial', target, () => load(target, { seconds: 5, connections: 1 }));
    const serial = { ...summarise('serial', serialRun.result), ...serialRun.cpu };
    const steadyRun = await measuredCpu('steady', target, () =>
      load(target, { rate: STEADY_RATE, seconds: 10, connections: AUTOCANNON_DEFAULT_CONNECTIONS }),
    );
    const clumpedRun = await measuredCpu('clumped', target, () =>
      load(target, { rate: STEADY_RATE, seconds: 10, connections: 32 }),
    );
    // The same rate offered evenly (open loop), for comparison; the target stays measured as above.
    const pacedRun = await measuredCpu('paced', target, () => paced(target, STEADY_RATE, 10));
    // Other work on the machine takes cores from the runtime: the load average says how much.
    const result: Record<string, number> = {
      ...serial,
      ...summarise('steady', steadyRun.result),
      ...steadyRun.cpu,
      steady_connections: AUTOCANNON_DEFAULT_CONNECTIONS,
      steady_load_average_1m: loadavg()[0] ?? 0,
      ...summarise('clumped', clumpedRun.result),
      ...clumpedRun.cpu,
      clumped_connections: 32,
      ...summarise('paced', pacedRun.result),
      ...pacedRun.cpu,
      reader_sessions: target.sessions.length,
    };
    return result;
  });
  await rm(steadyDir, { recursive: true, force: true });
  let stepStartedAt = 0;
  let burstDir = '';
  const burst = await withRuntime('burst', async (target) => {
    burstDir = target.dataDir;
    const base = await load(target, { rate: BURST_BASE_RATE, seconds: 5, connections: 8 });
    stepStartedAt = Date.now();
    const step = await load(target, { rate: BURST_BASE_RATE * 10, seconds: 5, connections: 64 });
    return {
      base: summarise('burst_base', base),
      step: { ...summarise('burst_step', step), burst_load_average_1m: loadavg()[0] ?? 0 } as Record<
        string,
        number
      >,
    };
  });
  // Log groups are complete once the runtime has shut down.
  const step = await lambdaCounts(burstDir, stepStartedAt);
  await rm(burstDir, { recursive: true, force: true });
  const burst5xx = (burst.base.burst_base_5xx ?? 0) + (burst.step.burst_step_5xx ?? 0);
  const results = {
    ...steady,
    ...burst.base,
    ...burst.step,
    burst_step_cold_starts: step.coldStarts,
    burst_step_throttles: step.throttles,
    target_steady_p95_ms: 25,
    target_burst_5xx: 0,
    steady_p95_met: (steady.steady_p95_ms ?? Number.POSITIVE_INFINITY) <= 25 ? 'yes' : 'no',
    burst_5xx_met: burst5xx === 0 ? 'yes' : 'no',
  };
  for (const [key, value] of Object.entries(results)) process.stdout.write(`${key}: ${value}\n`);
  return results;
}
