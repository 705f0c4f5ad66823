/**
 * `boundless detect` reads a gzip file one of three ways, after the cores it may use (file-chunks.ts): all
 * must detect exactly what the pinned regression fixture holds for the simulated day of seed 1.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulateToFiles } from '@boundless/datasets/simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inflation } from '@boundless/copilot/logs';
import { detectFiles } from '@boundless/copilot/detect';

const FIXTURE = fileURLToPath(new URL('./fixtures/abuse-seed-1.jsonl', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'detect-inflation-'));
let oneFile: string;

beforeAll(async () => {
  const dir = join(work, 'seed-1');
  // As the regression test simulates seed 1, whose detections it pins.
  await simulateToFiles({ seed: 1, outDir: dir, durationHours: 4, readers: 2000 });
  // The hourly files back to back: one gzip file of many members, as `cat` would make it.
  const members = readdirSync(dir)
    .filter((name) => name.endsWith('.gz'))
    .sort()
    .map((name) => readFileSync(join(dir, name)));
  oneFile = join(work, 'E2.2026-11-02.all-hours.gz');
  writeFileSync(oneFile, Buffer.concat(members));
}, 60_000);

describe('detect on one gzip file, however it is inflated', () => {
  it.each<Inflation>(['reused-buffer', 'stream', 'scan-thread'])(
    'inflated by %s: the pinned detections',
    async (inflation) => {
      const result = await detectFiles([oneFile], { inflation });
      const actual = result.detections.map((d) => `${JSON.stringify(d)}\n`).join('');
      expect(result.detections.length).toBeGreaterThan(20);
      expect(result.stats.skipped).toEqual({});
      expect(actual).toBe(readFileSync(FIXTURE, 'utf8'));
    },
  );
});
