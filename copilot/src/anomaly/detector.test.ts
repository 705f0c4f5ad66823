import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnomalyDetector, scoreSeries } from './detector.ts';
import { anomalyFinding } from './finding.ts';

const STEP = 5 * 60_000;
const DAY_ROWS = 288;
const T0 = Date.UTC(2024, 0, 1);

/** A deterministic daily cycle with small pseudo-random noise. */
function dailySeries(days: number, seed = 1): { timestamps: number[]; values: number[] } {
  let state = seed;
  const noise = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648 - 0.5;
  };
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < days * DAY_ROWS; i++) {
    timestamps.push(T0 + i * STEP);
    values.push(50 + 20 * Math.sin((2 * Math.PI * i) / DAY_ROWS) + 2 * noise());
  }
  return { timestamps, values };
}

const alarmRows = (alarms: boolean[]) => alarms.flatMap((alarm, i) => (alarm ? [i] : []));

describe('Anomaly detector', () => {
  it('is causal: scoring a prefix gives the same scores and alarms as scoring the whole input', () => {
    const { timestamps, values } = dailySeries(6);
    values[4 * DAY_ROWS + 100] = 400;
    const whole = scoreSeries(timestamps, values);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: values.length }), (cut) => {
        const prefix = scoreSeries(timestamps.slice(0, cut), values.slice(0, cut));
        expect(prefix.scores).toEqual(whole.scores.slice(0, cut));
        expect(prefix.alarms).toEqual(whole.alarms.slice(0, cut));
      }),
      { numRuns: 25 },
    );
  });

  it('scores within 0..1 and stays quiet on a clean daily cycle', () => {
    const { timestamps, values } = dailySeries(8);
    const { scores, alarms } = scoreSeries(timestamps, values);
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(alarmRows(alarms)).toEqual([]);
  });

  it('raises one alarm for a spike, at the spike', () => {
    const { timestamps, values } = dailySeries(8);
    const spike = 5 * DAY_ROWS + 40;
    values[spike] = 300;
    expect(alarmRows(scoreSeries(timestamps, values).alarms)).toEqual([spike]);
  });

  it('alarms once at a level shift, then takes the new level as normal', () => {
    const { timestamps, values } = dailySeries(10);
    const shift = 4 * DAY_ROWS + 10;
    for (let i = shift; i < values.length; i++) values[i]! += 150;
    const { scores, alarms } = scoreSeries(timestamps, values);
    expect(alarmRows(alarms)).toEqual([shift]);
    // A day after the shift, the new level no longer scores as anomalous.
    expect(Math.max(...scores.slice(shift + DAY_ROWS))).toBeLessThan(0.5);
  });

  it('still alarms on a new outlier after an outlier in its own history', () => {
    const { timestamps, values } = dailySeries(9);
    const first = 3 * DAY_ROWS + 50;
    const second = 6 * DAY_ROWS + 120;
    values[first] = 500;
    values[second] = 260;
    const { alarms } = scoreSeries(timestamps, values);
    expect(alarmRows(alarms)).toEqual([first, second]);
  });

  it('keeps one alarm per refractory period for a persistent incident', () => {
    const { timestamps, values } = dailySeries(8);
    const start = 5 * DAY_ROWS;
    for (let i = start; i < start + 6; i++) values[i] = 300 + i - start;
    expect(alarmRows(scoreSeries(timestamps, values).alarms)).toEqual([start]);
  });

  it('converts a raised anomaly into a metric_anomaly finding with its expected band', () => {
    const { timestamps, values } = dailySeries(6);
    const detector = new AnomalyDetector();
    let raised: ReturnType<AnomalyDetector['update']> | undefined;
    values[5 * DAY_ROWS] = 300;
    values.forEach((value, i) => {
      const point = detector.update(timestamps[i]!, value);
      if (point.isAnomaly) raised = point;
    });
    expect(raised).toBeDefined();
    const finding = anomalyFinding('elb_latency', raised!);
    expect(finding.kind).toBe('metric_anomaly');
    expect(finding.subject).toEqual({ series: 'elb_latency' });
    expect(finding.detectedAt).toBe(new Date(timestamps[5 * DAY_ROWS]!).toISOString());
    expect(finding.evidence).toMatchObject({ timestamp: finding.detectedAt, value: 300 });
    const band = finding.evidence.band as { lower: number; upper: number };
    expect(band.upper).toBeLessThan(300);
    expect(band.lower).toBeLessThan(band.upper);
    expect(finding.score).toBeGreaterThanOrEqual(0.5);
    expect(anomalyFinding('elb_latency', raised!).id).toBe(finding.id);
  });

  it('rejects non-finite input and unusable options', () => {
    expect(() => new AnomalyDetector().update(T0, Number.NaN)).toThrow(/finite/);
    expect(() => new AnomalyDetector({ surpriseUnits: 0 })).toThrow(/positive/);
  });
});
