import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LiveReader, startLiveStack } from '../test/support/live-copilot.ts';

/**
 * Attack to refusal: wall seconds from a scraper's first request to the first request the edge refuses, with
 * the whole loop live (local edge, logs, copilot pipeline, admin API). Each run uses a new reader's token; the
 * scraper sends plainly, then with cache busters, every 15 ms until refused (at most 60 s).
 */
const RUNS = 3;

async function attack(edgeUrl: string, scraper: LiveReader): Promise<number> {
  const cookie = Object.entries(scraper.grant.cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
  const started = performance.now();
  for (let i = 0; performance.now() - started < 60_000; i += 1) {
    const url = new URL(`${scraper.grant.scope}${scraper.assets[i % scraper.assets.length]}`, edgeUrl);
    if (i >= 100) url.searchParams.set('cb', String(i));
    url.searchParams.set('bbt', scraper.grant.bbt);
    const response = await fetch(url, { headers: { cookie, 'x-bb-device': scraper.deviceId } });
    await response.arrayBuffer();
    if (response.status === 403) return (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  throw new Error(`scraper ${scraper.accountId} was never refused within 60 s`);
}

export async function run(): Promise<Record<string, number>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-live-mitigation-'));
  const stack = await startLiveStack(dataDir);
  try {
    const seconds: number[] = [];
    for (const accountId of stack.candidates.slice(0, RUNS)) {
      seconds.push(await attack(stack.delivery.edgeUrl, await stack.grantFor(accountId)));
      process.stdout.write(`  ${accountId}: refused after ${seconds.at(-1)?.toFixed(2)} s\n`);
    }
    const sorted = [...seconds].sort((a, b) => a - b);
    return {
      runs: seconds.length,
      attack_to_refusal_s_min: round(sorted[0] ?? Number.NaN),
      attack_to_refusal_s_median: round(sorted[Math.floor(sorted.length / 2)] ?? Number.NaN),
      attack_to_refusal_s_max: round(sorted.at(-1) ?? Number.NaN),
    };
  } finally {
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
