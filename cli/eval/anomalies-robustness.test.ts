import { AnomalyDetector, scoreSeries } from '@boundless/copilot/anomaly';
import { describe, expect, it } from 'vitest';
import { ARCHETYPES, simulatePopulation, simulateSeries } from './anomaly-sim.ts';
import { falseAlarms, simulatedBenchmark, transformSeries } from './anomalies-robustness.ts';
import { runOurs, scoreByCategory } from './anomalies-nab.ts';

const STANDARD = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1, tnWeight: 1 };
const MINUTE = 60_000;

describe('anomaly simulator', () => {
  it('is deterministic per seed and labels every anomaly with a window after the probation', () => {
    for (const archetype of ARCHETYPES) {
      const a = simulateSeries(42, 'development', archetype, true);
      const b = simulateSeries(42, 'development', archetype, true);
      expect(a.values).toEqual(b.values);
      expect(a.windows.length).toBe(a.anomalies.length);
      expect(a.windows.length).toBeGreaterThan(0);
      const probationEnd = a.timestamps[Math.floor(0.15 * a.timestamps.length)]!;
      for (const window of a.windows) {
        expect(window.start).toBeGreaterThan(probationEnd);
        expect(window.end).toBeGreaterThan(window.start);
      }
    }
  });

  it('draws the validation population from sampling intervals the development one never uses', () => {
    const intervals = (population: 'development' | 'validation') =>
      new Set(simulatePopulation(population, false, 3).map((s) => s.intervalMs / MINUTE));
    const development = intervals('development');
    for (const interval of intervals('validation')) expect(development.has(interval)).toBe(false);
  });

  it('draws the newer archetypes with their own shapes: bursty counts, noiseless cycles, weekday-only rushes', () => {
    const bursty = simulateSeries(21, 'development', 'bursty', false).values;
    expect(bursty.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    const sorted = [...bursty].sort((a, b) => a - b);
    // Heavy-tailed: the largest count is far above the typical high.
    expect(sorted.at(-1)!).toBeGreaterThan(2 * sorted[Math.floor(0.95 * sorted.length)]!);
    // The first regularly sampled one (a quarter are jittered, so a day later is rarely a sampled time).
    const clean = [22, 23, 24, 25, 26, 27, 28, 29]
      .map((seed) => simulateSeries(seed, 'development', 'clean', false))
      .find((series) => !series.irregular)!;
    const at = new Map(clean.timestamps.map((t, i) => [t, clean.values[i]!]));
    const dayLater = clean.timestamps.filter((t) => at.has(t + 86_400_000));
    expect(dayLater.length).toBeGreaterThan(50);
    for (const t of dayLater.slice(0, 50)) expect(at.get(t + 86_400_000)).toBeCloseTo(at.get(t)!, 9);
    const weekday = (t: number) => Math.floor(t / 86_400_000 + 4) % 7;
    // The first one long enough to hold a weekend.
    const rush = [31, 32, 33, 34, 35, 36, 37, 38]
      .map((seed) => simulateSeries(seed, 'development', 'rush', false))
      .find((series) => series.timestamps.filter((t) => weekday(t) === 0).length > 100)!;
    const spreadOn = (weekend: boolean) => {
      const v = rush.values.filter((_, i) => [0, 6].includes(weekday(rush.timestamps[i]!)) === weekend);
      expect(v.length).toBeGreaterThan(100);
      return Math.max(...v) - Math.min(...v);
    };
    expect(spreadOn(false)).toBeGreaterThan(2 * spreadOn(true));
  });

  it('keeps anomalies on the lattice of their series: counts stay whole and non-negative, quantised values on their step', () => {
    // An anomaly off the lattice (a count of 7.3) would give itself away by its digits alone.
    for (const archetype of ['counts', 'bursty'] as const)
      for (const seed of [1, 2, 3, 4, 5, 6]) {
        const { values, anomalies } = simulateSeries(seed, 'development', archetype, true);
        expect(anomalies.length).toBeGreaterThan(0);
        expect(values.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
      }
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      // The same seed without anomalies draws the same normal series: its smallest gap is the step.
      const plain = [...new Set(simulateSeries(seed, 'development', 'quantised', false).values)].sort(
        (a, b) => a - b,
      );
      const step = Math.min(...plain.slice(1).map((v, i) => v - plain[i]!));
      const labelled = simulateSeries(seed, 'development', 'quantised', true);
      expect(labelled.values).not.toEqual(simulateSeries(seed, 'development', 'quantised', false).values);
      for (const v of labelled.values) {
        const steps = v / step;
        expect(Math.abs(steps - Math.round(steps))).toBeLessThan(1e-6);
      }
    }
  });

  it('changes nothing on a series with no anomaly when none is asked for', () => {
    const flat = simulateSeries(7, 'validation', 'flat', false);
    expect(new Set(flat.values).size).toBe(1);
    expect(flat.windows).toEqual([]);
  });
});

describe('held-out-style check', () => {
  const series = simulateSeries(11, 'development', 'daily', true);
  const shipped = { file: 'x/y.csv', timestamps: series.timestamps, values: series.values };

  it('resamples, gaps and rescales a series without moving its labelled windows', () => {
    expect(transformSeries('coarser ×3', shipped, series.windows).values.length).toBe(
      Math.floor(series.values.length / 3),
    );
    const gapped = transformSeries('gaps 3 × 12 h', shipped, series.windows);
    expect(gapped.timestamps.length).toBeLessThan(series.timestamps.length);
    for (const window of series.windows) {
      const inside = (t: number) => t >= window.start && t <= window.end;
      expect(gapped.timestamps.filter(inside).length).toBe(series.timestamps.filter(inside).length);
    }
  });

  it('finds the same alarms on a series scaled by 1000 (the detector has no absolute unit)', () => {
    const scaled = transformSeries('scaled ×1000', shipped, series.windows);
    const before = scoreSeries(shipped.timestamps, shipped.values).alarms;
    const after = scoreSeries(scaled.timestamps, scaled.values).alarms;
    expect(after).toEqual(before);
  });

  it('does not raise a wandering level near its low as a multiplicative surprise', () => {
    // A wandering level with additive noise (no anomaly): near its lows the noise is large in log units, and
    // the log-value view raised it twice before its surprise took the additive error at the recent level.
    const wander = simulateSeries(10_813, 'development', 'wander', false);
    expect(wander.values.every((v) => v > 0)).toBe(true);
    const detector = new AnomalyDetector();
    const raised = wander.values.map((v, i) => detector.update(wander.timestamps[i]!, v));
    expect(raised.some((p) => p.isAnomaly && p.view === 'log_value')).toBe(false);
  });

  it('raises no alarm on a constant series and counts alarms per series-week', () => {
    const flat = [simulateSeries(3, 'development', 'flat', false)];
    const result = falseAlarms(flat).get('all')!;
    expect(result.alarms).toBe(0);
    expect(result.weeks).toBeGreaterThan(0);
  });

  it('scores simulated series by the same window F1 and NAB code as the shipped ones', () => {
    const labelled = [simulateSeries(5, 'development', 'noise', true), series];
    const benchmark = simulatedBenchmark(labelled, STANDARD);
    const scores = scoreByCategory(benchmark, runOurs(benchmark));
    expect([...scores.keys()].sort()).toEqual(['daily', 'noise']);
    for (const score of scores.values()) expect(score.windows).toBeGreaterThan(0);
  });
});
