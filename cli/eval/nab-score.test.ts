import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNabPublishedScores } from '@boundless/datasets/nab';
import { describe, expect, it } from 'vitest';
import {
  type CostMatrix,
  nabProbationLength,
  normaliseNabScore,
  scaledSigmoid,
  scoreNabFile,
} from './nab-score.ts';
import { loadNabBenchmark, reproducePublishedScores, runPublished } from './anomalies-nab.ts';

const NAB = resolve(fileURLToPath(new URL('../..', import.meta.url)), '../shared/data/nab');
const STANDARD: CostMatrix = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1, tnWeight: 1 };

/** 1,000 rows one minute apart; windows given as row ranges. */
const ROWS = 1000;
const times = Array.from({ length: ROWS }, (_, i) => i * 60_000);
const window = (left: number, right: number) => ({ start: times[left]!, end: times[right]! });
const at =
  (...rows: number[]) =>
  (i: number) =>
    rows.includes(i);

describe('NAB scoring', () => {
  it('uses NAB’s scaled sigmoid and probation', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3)).toBe(-1);
    expect(nabProbationLength(4032)).toBe(604);
    expect(nabProbationLength(10_000)).toBe(750);
  });

  it('scores a window once, by its earliest detection: full reward at its first row, less later', () => {
    const windows = [window(400, 499)];
    const first = scoreNabFile(times, at(400, 450, 499), windows, STANDARD);
    expect(first.score).toBeCloseTo(1, 12);
    expect(first).toMatchObject({ tp: 3, fp: 0, fn: 97, windows: 1, detectedWindows: 1 });
    const late = scoreNabFile(times, at(480), windows, STANDARD);
    expect(late.score).toBeCloseTo(scaledSigmoid(-20 / 100) / scaledSigmoid(-1), 12);
    expect(late.score).toBeLessThan(0.5);
    expect(scoreNabFile(times, at(), windows, STANDARD).score).toBe(-1);
  });

  it('charges a false positive by its distance from the previous window, and fully before any window', () => {
    const windows = [window(400, 499)];
    expect(scoreNabFile(times, at(300), windows, STANDARD).score).toBeCloseTo(-1 - 0.11, 12);
    const justAfter = scoreNabFile(times, at(500), windows, STANDARD).score;
    expect(justAfter).toBeCloseTo(-1 + 0.11 * scaledSigmoid(1 / 99), 12);
    expect(justAfter).toBeGreaterThan(-1.01);
    const farAfter = scoreNabFile(times, at(900), windows, STANDARD).score;
    expect(farAfter).toBeCloseTo(-1.11, 12);
  });

  it('ignores detections in probation and windows that lie wholly inside it', () => {
    const probation = nabProbationLength(ROWS); // 150 rows
    const windows = [window(20, 60), window(400, 499)];
    const scored = scoreNabFile(times, at(30, 100, 410), windows, STANDARD);
    expect(scored.windows).toBe(1);
    expect(scored.tp + scored.fp + scored.tn + scored.fn).toBe(ROWS - probation);
    expect(scored.score).toBeCloseTo(scaledSigmoid(-90 / 100) / scaledSigmoid(-1), 12);
  });

  it('normalises between the null detector (0) and the perfect one (100)', () => {
    expect(normaliseNabScore(-3, -3, 3, STANDARD)).toBe(0);
    expect(normaliseNabScore(3, -3, 3, STANDARD)).toBe(100);
    expect(normaliseNabScore(0, -3, 3, STANDARD)).toBe(50);
  });

  it('reproduces the published per-file standard scores from the published raw outputs and thresholds', () => {
    // Every fourth file (each category's) for every published detector: reading the raw outputs is most of the
    // cost, and `boundless eval anomalies` reports the same reproduction over all of them.
    const benchmark = loadNabBenchmark(NAB);
    const files = benchmark.files.filter((_, i) => i % 4 === 0);
    const runs = runPublished(NAB, { ...benchmark, files });
    const reproduction = reproducePublishedScores(NAB, runs);
    const published = runs.flatMap((run) =>
      loadNabPublishedScores(NAB, run.detector, 'standard').filter((row) => files.includes(row.file)),
    );
    expect(new Set(files.map((file) => file.split('/')[0])).size).toBe(3);
    expect(runs).toHaveLength(14);
    // NAB ships one published row (of its random baseline) computed from another run than the shipped output.
    expect(reproduction.unmatched.length, JSON.stringify(reproduction.unmatched)).toBeLessThanOrEqual(1);
    expect(reproduction.compared + reproduction.unmatched.length).toBe(published.length);
    expect(reproduction.compared).toBeGreaterThanOrEqual(13 * files.length);
    // Every detector but that baseline (whose rows are within 1e-5) to rounding error, counts included.
    expect(reproduction.maxError).toBeLessThan(1e-5);
    expect(reproduction.exact).toBeGreaterThanOrEqual(13 * files.length);
    expect([...reproduction.perDetector.values()].filter((error) => error < 1e-6)).toHaveLength(13);
  });
});
