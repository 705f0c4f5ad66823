import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { DeliveryClient } from '@boundless/delivery/local/delivery-client';
import { type LocalDelivery, startLocalDelivery } from '@boundless/delivery/local/runtime';

/**
 * POST /v1/access over real HTTP against the local runtime (dynalite, Lambda emulation with 250 ms cold starts,
 * HTTP API adapter). Two scenarios, each on a fresh runtime:
 *   steady: 500 req/s for 10 s after a short warm-up (target p95 <= 25 ms);
 *   burst:  50 req/s for 5 s, then a step to 500 req/s (10x) for 5 s: 5xx count (target 0) and p95 during it.
 * Latencies come from every response (autocannon's 'response' event), so p95 is exact rather than bucketed.
 */
const STEADY_RATE = 500;
const BURST_BASE_RATE = 50;

interface Phase {
  rate: number;
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

async function prepare(
  dataDir: string,
): Promise<{ delivery: LocalDelivery; url: string; headers: Record<string, string>; body: string }> {
  const delivery = await startLocalDelivery({ dataDir });
  const client = new DeliveryClient(delivery.apiUrl, delivery.edgeUrl);
  const reader = delivery.demoUsers.find((user) => user.role === 'reader' && user.titleId);
  if (!reader?.titleId) throw new Error('the seed has no reader with an entitled title');
  const jwt = await client.localToken(reader.name);
  const registered = await client.registerDevice(jwt, 'bench-device');
  if (registered.status >= 300) throw new Error(`device registration failed: ${registered.status}`);
  return {
    delivery,
    url: `${delivery.apiUrl}/v1/access`,
    headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
    body: JSON.stringify({ titleId: reader.titleId, deviceId: 'bench-device' }),
  };
}

async function load(
  target: { url: string; headers: Record<string, string>; body: string },
  phase: Phase,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  const status: Record<string, number> = {};
  const instance = autocannon({
    url: target.url,
    method: 'POST',
    headers: target.headers,
    body: target.body,
    connections: phase.connections,
    overallRate: phase.rate,
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

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? Number.NaN) * 100) / 100;
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

async function withRuntime<T>(
  name: string,
  work: (target: Awaited<ReturnType<typeof prepare>>) => Promise<T>,
): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), `bench-${name}-`));
  const target = await prepare(dataDir);
  try {
    return await work(target);
  } finally {
    await target.delivery.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const steady = await withRuntime('steady', async (target) => {
    await load(target, { rate: 100, seconds: 2, connections: 16 });
    return summarise('steady', await load(target, { rate: STEADY_RATE, seconds: 10, connections: 32 }));
  });
  const burst = await withRuntime('burst', async (target) => {
    const base = await load(target, { rate: BURST_BASE_RATE, seconds: 5, connections: 64 });
    const coldBefore = target.delivery.emulator.stats('delivery-grant-access').coldStarts;
    const step = await load(target, { rate: BURST_BASE_RATE * 10, seconds: 5, connections: 64 });
    const stats = target.delivery.emulator.stats('delivery-grant-access');
    return {
      base: summarise('burst_base', base),
      step: summarise('burst_step', step),
      burst_cold_starts: stats.coldStarts - coldBefore,
      burst_throttles: stats.throttles,
    };
  });
  const { base, step, ...burstCounts } = burst;
  const burst5xx = (base.burst_base_5xx ?? 0) + (step.burst_step_5xx ?? 0);
  const results = {
    ...steady,
    ...base,
    ...step,
    ...burstCounts,
    target_steady_p95_ms: 25,
    target_burst_5xx: 0,
    steady_p95_met: (steady.steady_p95_ms ?? Number.POSITIVE_INFINITY) <= 25 ? 'yes' : 'no',
    burst_5xx_met: burst5xx === 0 ? 'yes' : 'no',
  };
  for (const [key, value] of Object.entries(results)) process.stdout.write(`${key}: ${value}\n`);
  return results;
}
