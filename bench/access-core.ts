import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startHarness } from '@boundless/delivery/testing';
import { seedDelivery } from '@boundless/local/seed';
import { quantileSorted } from 'simple-statistics';

/**
 * In-process latency of the access API handlers against embedded DynamoDB: no HTTP, no Lambda emulation, so
 * this is the floor the local API's p95 ≤ 25 ms target stands on. POST /v1/access is the hot path (two
 * DynamoDB round trips, RSA cookie signing, HMAC token, token write).
 */
const WARMUP = 100;
const SEQUENTIAL = 1000;
const CONCURRENT = 2000;
const CONCURRENCY = 16;

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? Number.NaN : quantileSorted(sorted, q);
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

async function timed(request: () => Promise<{ statusCode: number }>): Promise<number> {
  const started = performance.now();
  const res = await request();
  if (res.statusCode !== 200) throw new Error(`unexpected status ${res.statusCode}`);
  return performance.now() - started;
}

export async function run(): Promise<Record<string, number | string>> {
  const h = await startHarness();
  try {
    const originDir = mkdtempSync(join(tmpdir(), 'boundless-bench-origin-'));
    const summary = await seedDelivery({ ...h.deps.dynamo, originDir, seed: 42, titles: 100, readers: 50 });
    rmSync(originDir, { recursive: true, force: true });
    const reader = summary.identities.find((i) => i.name === 'reader');
    const token = await h.token(reader?.user ?? { sub: 'reader-001' });
    const access = () =>
      h.invoke('POST /v1/access', { token, body: { titleId: reader?.titleId, deviceId: reader?.deviceId } });
    const listDevices = () => h.invoke('GET /v1/devices', { token });
    const student = summary.identities.find((i) => i.name === 'student');
    const studentToken = await h.token(student?.user ?? { sub: 'nb-student-001' });
    const campusAccess = () =>
      h.invoke('POST /v1/access', {
        token: studentToken,
        body: { titleId: student?.titleId, deviceId: student?.deviceId },
        sourceIp: student?.sourceIp ?? '198.51.100.20',
      });

    for (let i = 0; i < WARMUP; i += 1) await access();
    const sequential: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i += 1) sequential.push(await timed(access));
    const b2b: number[] = [];
    for (let i = 0; i < 500; i += 1) b2b.push(await timed(campusAccess));
    const devices: number[] = [];
    for (let i = 0; i < 300; i += 1) devices.push(await timed(listDevices));

    const concurrent: number[] = [];
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CONCURRENT) {
          next += 1;
          concurrent.push(await timed(access));
        }
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;

    sequential.sort((a, b) => a - b);
    concurrent.sort((a, b) => a - b);
    devices.sort((a, b) => a - b);
    b2b.sort((a, b) => a - b);
    return {
      access_sequential_p50_ms: round(quantile(sequential, 0.5)),
      access_sequential_p95_ms: round(quantile(sequential, 0.95)),
      access_sequential_p99_ms: round(quantile(sequential, 0.99)),
      access_concurrent_p50_ms: round(quantile(concurrent, 0.5)),
      access_concurrent_p95_ms: round(quantile(concurrent, 0.95)),
      access_concurrent_rps: Math.round(CONCURRENT / elapsedS),
      access_b2b_campus_p50_ms: round(quantile(b2b, 0.5)),
      access_b2b_campus_p95_ms: round(quantile(b2b, 0.95)),
      list_devices_p50_ms: round(quantile(devices, 0.5)),
      list_devices_p95_ms: round(quantile(devices, 0.95)),
      concurrency: CONCURRENCY,
      note: 'in-process handlers on dynalite; target p95 <= 25 ms at 500 req/s is for the local HTTP API',
    };
  } finally {
    await h.close();
  }
}
