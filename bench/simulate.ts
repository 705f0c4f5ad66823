import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateRequests, simulateToFiles } from '@boundless/datasets/simulator';

/**
 * Traffic simulator throughput: the event stream alone (generation and heap merge), and end to end to hourly
 * gzip CloudFront logs (edge model, log-line encoding, compression). Target: >= 200k lines/s written.
 * 20,000 readers over 4 simulated hours with every abuse scenario, on whatever CPU share the machine gives.
 */
const OPTIONS = { seed: 2026, readers: 20_000, durationHours: 4 } as const;

export async function run(): Promise<Record<string, number | string>> {
  const streamStarted = performance.now();
  let streamed = 0;
  for (const _ of simulateRequests(OPTIONS)) streamed += 1;
  const streamSeconds = (performance.now() - streamStarted) / 1000;

  const dir = await mkdtemp(join(tmpdir(), 'boundless-bench-sim-'));
  try {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const result = await simulateToFiles({ ...OPTIONS, outDir: join(dir, 'logs') });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    let bytes = 0;
    for (const file of result.logFiles) bytes += (await stat(file)).size;
    const results = {
      simulate_readers: OPTIONS.readers,
      simulate_hours: OPTIONS.durationHours,
      simulate_lines: result.lines,
      simulate_labels: result.labels,
      simulate_stream_lines_per_s: Math.round(streamed / streamSeconds),
      simulate_write_lines_per_s: Math.round(result.lines / seconds),
      simulate_write_lines_per_cpu_s: Math.round(result.lines / ((cpu.user + cpu.system) / 1e6)),
      simulate_gzip_bytes_per_line: Math.round((bytes / result.lines) * 10) / 10,
      simulate_heap_mb_after: Math.round(process.memoryUsage().heapUsed / 1e6),
    };
    for (const [key, value] of Object.entries(results)) process.stdout.write(`${key}: ${value}\n`);
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
