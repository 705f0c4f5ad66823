/**
 * Pins the detections of the simulator's labelled scenarios (seeds 1-3) and of `boundless detect` on one
 * generated file, so that work on the reading and detection hot path cannot change what is detected. Both
 * paths are pinned: records through `AbuseDetectors.observe` (the evaluation) and the byte-level reader
 * behind `detectFiles` and the command line. A missing fixture fails; regenerate deliberately with
 * UPDATE_DETECT_FIXTURES=1 (and commit the fixtures).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { simulateToFiles } from '@boundless/datasets/simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateAbuse } from './abuse-run.ts';
import { detectFiles, type Detection } from '@boundless/copilot/detect';
import { pinnedFixture } from './pinned-fixture.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/boundless.mjs', import.meta.url));
const UPDATE = process.env.UPDATE_DETECT_FIXTURES === '1';
const SEEDS = [1, 2, 3];
const work = mkdtempSync(join(tmpdir(), 'detect-regression-'));
const scenarios = new Map<number, string>();

function jsonl(detections: readonly Detection[]): string {
  return detections.map((d) => `${JSON.stringify(d)}\n`).join('');
}

/** The fixture's text (pinnedFixture: a missing one fails); UPDATE_DETECT_FIXTURES=1 writes `actual` first. */
function pinned(name: string, actual: string): string {
  return pinnedFixture(join(FIXTURES, name), actual, UPDATE);
}

beforeAll(async () => {
  for (const seed of SEEDS) {
    const dir = join(work, `seed-${seed}`);
    await simulateToFiles({ seed, outDir: dir, durationHours: 4, readers: 2000 });
    scenarios.set(seed, dir);
  }
}, 120_000);

describe('Regression: detections of the simulated scenarios', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: the evaluation's records path detects exactly the pinned set`, async () => {
      const evaluation = await evaluateAbuse(scenarios.get(seed)!);
      const actual = jsonl(evaluation.detections);
      expect(evaluation.detections.length).toBeGreaterThan(20);
      expect(actual).toBe(pinned(`abuse-seed-${seed}.jsonl`, actual));
    });

    it(`seed ${seed}: detectFiles over the directory detects the same set`, async () => {
      const result = await detectFiles([scenarios.get(seed)!]);
      expect(jsonl(result.detections)).toBe(pinned(`abuse-seed-${seed}.jsonl`, jsonl(result.detections)));
    });
  }
});

/** Seed 1's hourly files as one gzip file, with the awkward lines real logs carry appended. */
function generatedFile(): string {
  const dir = scenarios.get(1)!;
  const parts = readdirSync(dir)
    .filter((name) => name.endsWith('.gz'))
    .sort()
    .map((name) => gunzipSync(readFileSync(join(dir, name))).toString('utf8'));
  const last = parts.at(-1)!.trimEnd().split('\n').at(-1)!;
  const fields = last.split('\t');
  const variant = (change: (f: string[]) => void, end = '\n') => {
    const copy = [...fields];
    change(copy);
    return copy.join('\t') + end;
  };
  const awkward = [
    '',
    'not a log line',
    variant(() => {}, '\r\n').trimEnd() + '\r',
    variant((f) => (f[1] = '25:00:00')).trimEnd(),
    variant((f) => (f[0] = '2026-13-xx')).trimEnd(),
    variant((f) => (f[4] = '-')).trimEnd(),
    variant((f) => (f[8] = '2x0')).trimEnd(),
    variant((f) => f.push('extra')).trimEnd(),
    variant((f) => (f[10] = 'Googlebot%2F2.1%20(%2Bhttp://www.google.com/bot.html)')).trimEnd(),
    variant((f) => (f[11] = 'bbt=v1.broken')).trimEnd(),
    variant((f) => (f[11] = 'x=1&bbt=v1.k.tokAbCdEfGh12.acc-9.dev.1.2.L3RpdGxlcy8.s&cb=7')).trimEnd(),
    variant((f) => (f[7] = '/titles/t%C3%A9/epub/ch001.xhtml')).trimEnd(),
  ].join('\n');
  const path = join(work, 'E2.2026-11-02-00.generated.gz');
  // No newline at the very end: the last line must still be read.
  writeFileSync(path, gzipSync(`${parts.join('')}${awkward}`));
  return path;
}

describe('Regression: boundless detect on a generated file', () => {
  it('writes the pinned detections and summary', () => {
    const input = generatedFile();
    const out = join(work, 'detections.jsonl');
    const run = spawnSync(process.execPath, [BIN, 'detect', '--input', input, '--out', out], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const detections = readFileSync(out, 'utf8');
    expect(detections.split('\n').length).toBeGreaterThan(20);
    expect(detections).toBe(pinned('detect-generated.jsonl', detections));
    const summary = run.stdout.replaceAll(out, '<out>');
    expect(summary).toBe(pinned('detect-generated.summary.txt', summary));
  });
});
