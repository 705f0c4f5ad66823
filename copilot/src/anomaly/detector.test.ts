import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnomalyDetector, type AnomalyPoint, type DetectorOptions, scoreSeries } from './detector.ts';
import { anomalyFinding } from './finding.ts';

const STEP = 5 * 60_000;
const DAY_ROWS = 288;
const T0 = Date.UTC(2024, 0, 1);

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** A daily cycle with small pseudo-random noise, every 5 minutes. */
function dailySeries(days: number, seed = 1): { timestamps: number[]; values: number[] } {
  const noise = random(seed);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < days * DAY_ROWS; i++) {
    timestamps.push(T0 + i * STEP);
    values.push(50 + 20 * Math.sin((2 * Math.PI * i) / DAY_ROWS) + 2 * (noise() - 0.5));
  }
  return { timestamps, values };
}

/** A daily square pulse (high from 09:00 to 17:00) with noise. */
function pulseSeries(days: number, seed = 3): { timestamps: number[]; values: number[] } {
  const noise = random(seed);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < days * DAY_ROWS; i++) {
    const hour = (i % DAY_ROWS) / 12;
    timestamps.push(T0 + i * STEP);
    values.push((hour >= 9 && hour < 17 ? 80 : 20) + 8 * (noise() - 0.5));
  }
  return { timestamps, values };
}

const alarmRows = (alarms: boolean[]) => alarms.flatMap((alarm, i) => (alarm ? [i] : []));

function run(timestamps: number[], values: number[], options: Partial<DetectorOptions> = {}): AnomalyPoint[] {
  const detector = new AnomalyDetector(options);
  return values.map((value, i) => detector.update(timestamps[i]!, value));
}

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

  it('scores within 0..1, reports score ≥ 0.5 exactly on alarms, and stays quiet on clean cycles', () => {
    for (const { timestamps, values } of [dailySeries(12), pulseSeries(12)]) {
      const { scores, alarms } = scoreSeries(timestamps, values);
      expect(scores.every((s) => s >= 0 && s < 1)).toBe(true);
      expect(alarmRows(alarms)).toEqual([]);
    }
    const { timestamps, values } = dailySeries(8);
    values[6 * DAY_ROWS] = 400;
    values[6 * DAY_ROWS + 1] = 420;
    const { scores, alarms } = scoreSeries(timestamps, values);
    expect(scores.map((s) => s >= 0.5)).toEqual(alarms);
  });

  it('raises one alarm for a spike, at the spike, from the value view', () => {
    const { timestamps, values } = dailySeries(8);
    const spike = 5 * DAY_ROWS + 40;
    values[spike] = 300;
    const points = run(timestamps, values);
    expect(alarmRows(points.map((p) => p.isAnomaly))).toEqual([spike]);
    expect(points[spike]!.view).toBe('value');
  });

  it('alarms once at a level shift, then takes the new level as normal', () => {
    const { timestamps, values } = dailySeries(10);
    const shift = 4 * DAY_ROWS + 10;
    for (let i = shift; i < values.length; i++) values[i]! += 150;
    const { scores, alarms } = scoreSeries(timestamps, values);
    expect(alarmRows(alarms)).toEqual([shift]);
    expect(Math.max(...scores.slice(shift + DAY_ROWS))).toBeLessThan(0.5);
  });

  it('asks whether the series has ever looked like this: a smaller repeat is not raised, a larger one is', () => {
    const { timestamps, values } = dailySeries(10);
    const first = 3 * DAY_ROWS + 50;
    values[first] = 500;
    values[5 * DAY_ROWS + 120] = 260;
    values[8 * DAY_ROWS + 7] = 700;
    expect(alarmRows(scoreSeries(timestamps, values).alarms)).toEqual([first, 8 * DAY_ROWS + 7]);
  });

  it('raises one alarm per incident, and a new one for the next incident', () => {
    const { timestamps, values } = dailySeries(9);
    const start = 5 * DAY_ROWS;
    for (let i = start; i < start + 6; i++) values[i] = 300 + i - start;
    const next = start + 8 * 12; // eight hours later, well after the first incident has ended
    values[next] = 800;
    expect(alarmRows(scoreSeries(timestamps, values).alarms)).toEqual([start, next]);
  });

  it('catches a missing daily peak that stays inside the range, from the daily profile', () => {
    const { timestamps, values } = pulseSeries(12);
    const day = 9 * DAY_ROWS;
    for (let i = day + 9 * 12; i < day + 17 * 12; i++) values[i] = 20 + (i % 7) - 3;
    const points = run(timestamps, values);
    const alarms = alarmRows(points.map((p) => p.isAnomaly));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toBeGreaterThanOrEqual(day + 9 * 12);
    expect(alarms[0]).toBeLessThan(day + 9 * 12 + 6);
    expect(points[alarms[0]!]!.view).toBe('daily_profile');
  });

  it('catches a burst of spikes that no single spike shows, and an oscillation', () => {
    const noise = random(9);
    const timestamps = Array.from({ length: 10 * DAY_ROWS }, (_, i) => T0 + i * STEP);
    // Rare spikes to 20 on a quiet base: a single spike is normal, twelve in an hour are not.
    const base = timestamps.map((_, i) => (i % 97 === 0 ? 20 : noise()));
    const burst = 8 * DAY_ROWS;
    const spiky = base.map((v, i) => (i >= burst && i < burst + 12 && i % 2 === 0 ? 20 : v));
    const spikyPoints = run(timestamps, spiky);
    const spikyAlarms = alarmRows(spikyPoints.map((p) => p.isAnomaly));
    expect(spikyAlarms).toHaveLength(1);
    expect(spikyAlarms[0]! - burst).toBeLessThan(12);
    // Oscillation between two ordinary values.
    const flat = timestamps.map(() => 33 + 0.2 * noise());
    const oscillating = flat.map((v, i) => (i >= burst && i < burst + 60 ? (i % 2 === 0 ? 30 : 36) : v));
    const oscillatingAlarms = alarmRows(scoreSeries(timestamps, oscillating).alarms);
    expect(oscillatingAlarms).toHaveLength(1);
    expect(oscillatingAlarms[0]! - burst).toBeLessThan(12);
  });

  it('catches a shift of level far smaller than earlier lone spikes, from the median view', () => {
    const noise = random(13);
    const timestamps = Array.from({ length: 10 * DAY_ROWS }, (_, i) => T0 + i * STEP);
    // Lone spikes to 200 widen the mean view's range (a 12-point mean with a spike reaches ~26): a lasting
    // rise from 10 to 22 stays inside it and inside the value's range, not inside the median's.
    const shift = 8 * DAY_ROWS + 5;
    const values = timestamps.map((_, i) => (i % 97 === 0 ? 200 : (i >= shift ? 22 : 10) + 2 * noise()));
    const points = run(timestamps, values);
    const alarms = alarmRows(points.map((p) => p.isAnomaly));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]! - shift).toBeGreaterThanOrEqual(0);
    expect(alarms[0]! - shift).toBeLessThan(12);
    expect(points[alarms[0]!]!.view).toBe('median');
    // Without it, the shift is raised only when the next lone spike lifts the mean beyond its range.
    const late = run(timestamps, values, { medianUnits: 0 }).find((p, i) => i >= shift && p.isAnomaly);
    expect(late?.view).toBe('mean');
    expect(late!.value).toBe(200);
  });

  it('gives the median view a warm-up: before it, a shift only the median sees is not raised by it', () => {
    const noise = random(13);
    const timestamps = Array.from({ length: 10 * DAY_ROWS }, (_, i) => T0 + i * STEP);
    // The series of the test above: the shift after 8 days, with a median warm-up of 9 days.
    const shift = 8 * DAY_ROWS + 5;
    const values = timestamps.map((_, i) => (i % 97 === 0 ? 200 : (i >= shift ? 22 : 10) + 2 * noise()));
    const points = run(timestamps, values, { medianWarmupHours: 9 * 24 });
    expect(points.some((p) => p.view === 'median' && p.isAnomaly)).toBe(false);
    const late = points.find((p, i) => i >= shift && p.isAnomaly);
    expect(late?.view).toBe('mean');
    expect(late!.value).toBe(200);
    // After the warm-up the same shift is the median view's (the test above, default warm-up of 4 days).
    expect(
      run(timestamps, values, { medianWarmupHours: 7 * 24 }).some((p) => p.view === 'median' && p.isAnomaly),
    ).toBe(true);
  });

  it('has no median view on a series that sits at its floor half the time', () => {
    const noise = random(17);
    const timestamps = Array.from({ length: 10 * DAY_ROWS }, (_, i) => T0 + i * STEP);
    // Idle most of the time, busy in short bursts; for an hour at day 8 it is busy more often than not.
    const busyHour = 8 * DAY_ROWS;
    const values = timestamps.map((_, i) => {
      const busy = i >= busyHour && i < busyHour + 12 ? noise() < 0.7 : noise() < 0.3;
      return busy ? 1 + 2 * noise() : 0;
    });
    const points = run(timestamps, values);
    expect(points.some((p) => p.view === 'median' && p.evidence > 0)).toBe(false);
  });

  it('judges a series that has only been positive on a multiplicative scale: a fall to a hundredth is raised', () => {
    const noise = random(19);
    const timestamps = Array.from({ length: 10 * DAY_ROWS }, (_, i) => T0 + i * STEP);
    // A rate between 0.2 and 0.6 with rare spikes to 10: a fall to 0.002 is small beside the range (0.2..10)
    // but a factor of a hundred below anything seen.
    const drop = 8 * DAY_ROWS + 40;
    const values = timestamps.map((_, i) => (i === drop ? 0.002 : i % 211 === 0 ? 10 : 0.2 + 0.4 * noise()));
    const points = run(timestamps, values);
    expect(alarmRows(points.map((p) => p.isAnomaly))).toEqual([drop]);
    expect(points[drop]!.view).toBe('log_value');
    expect(alarmRows(scoreSeries(timestamps, values, { logUnits: 0 }).alarms)).toEqual([]);
    // Once a value is not positive, the series is not on a ratio scale and the view stays off.
    const withZero = values.map((v, i) => (i === 10 ? 0 : v));
    expect(run(timestamps, withZero).some((p) => p.view === 'log_value' && p.evidence > 0)).toBe(false);
  });

  it('handles irregular sampling and gaps, and a flat series until it moves', () => {
    const noise = random(5);
    const timestamps: number[] = [];
    let t = T0;
    for (let i = 0; i < 2500; i++) {
      t += 3 * 60_000 + Math.floor(noise() * 5 * 60_000) + (i === 1200 ? 6 * 3_600_000 : 0);
      timestamps.push(t);
    }
    const values = timestamps.map(
      (time) => 60 + 10 * Math.sin((2 * Math.PI * (time - T0)) / 86_400_000) + noise(),
    );
    expect(alarmRows(scoreSeries(timestamps, values).alarms)).toEqual([]);
    values[2000] = 150;
    expect(alarmRows(scoreSeries(timestamps, values).alarms)).toEqual([2000]);
    const flat = timestamps.map(() => 5);
    expect(alarmRows(scoreSeries(timestamps, flat).alarms)).toEqual([]);
    flat[1800] = 5.5;
    expect(alarmRows(scoreSeries(timestamps, flat).alarms)).toEqual([1800]);
  });

  it('keeps false alarms rare on long pure noise', () => {
    const noise = random(11);
    const timestamps = Array.from({ length: 30 * DAY_ROWS }, (_, i) => T0 + i * STEP);
    const values = timestamps.map(() => 100 + (noise() + noise() + noise() - 1.5) * 10);
    expect(alarmRows(scoreSeries(timestamps, values).alarms).length).toBeLessThanOrEqual(2);
  });

  it('does not take the records a noisy trend sets for anomalies, but still raises a spike on it', () => {
    const noise = random(11);
    const timestamps: number[] = [];
    const values: number[] = [];
    // 14 days rising from 100 to 300 with noise of about ±10: the level tops its range every hour.
    for (let i = 0; i < 14 * DAY_ROWS; i++) {
      timestamps.push(T0 + i * STEP);
      const u = Math.max(noise(), 1e-9);
      values.push(
        100 + (200 * i) / (14 * DAY_ROWS) + 5 * Math.sqrt(-2 * Math.log(u)) * Math.cos(6.283 * noise()),
      );
    }
    const gated = alarmRows(scoreSeries(timestamps, values).alarms);
    const ungated = alarmRows(scoreSeries(timestamps, values, { jumpGate: 0 }).alarms);
    expect(ungated.length).toBeGreaterThan(gated.length);
    expect(gated.length).toBeLessThanOrEqual(1);
    const spike = 10 * DAY_ROWS + 7;
    values[spike] = values[spike]! + 120;
    expect(alarmRows(scoreSeries(timestamps, values).alarms)).toContain(spike);
  });

  it('raises a value that repeats for longer than ever before from the flat-line view, once', () => {
    // Plain noise: a repeated value is no further from the level than any other point.
    const { timestamps, values: cycle } = dailySeries(8);
    const values = cycle.map((v, i) => v - 20 * Math.sin((2 * Math.PI * i) / DAY_ROWS));
    const stuck = 5 * DAY_ROWS + 30;
    for (let i = stuck; i < stuck + 72; i++) values[i] = values[stuck]!;
    const points = run(timestamps, values);
    const raised = points.flatMap((p, i) => (p.isAnomaly ? [i] : []));
    expect(raised).toHaveLength(1);
    expect(raised[0]).toBe(stuck + 5);
    expect(points[raised[0]!]!.view).toBe('flat_line');
    // Without the view, the volatility view raises it only once half its window of steps is zero.
    const without = run(timestamps, values, { flatUnits: 0 }).findIndex((p) => p.isAnomaly);
    expect(without).toBeGreaterThan(stuck + 5);
    // A series that often repeats a value (a count at zero) learns its runs: the same repeat is no anomaly.
    const counts = values.map((v, i) => (Math.floor(i / 24) % 3 === 0 ? 0 : Math.round(v)));
    expect(run(timestamps, counts).some((p) => p.view === 'flat_line' && p.isAnomaly)).toBe(false);
  });

  it('raises a stuck value on an hourly series: a run is compared with the runs before it, not with itself', () => {
    const noise = random(9);
    const hourly = Array.from({ length: 40 * 24 }, (_, i) => T0 + i * 3_600_000);
    const values = hourly.map(() => 100 + 10 * (noise() - 0.5));
    const stuck = 30 * 24 + 5;
    for (let i = stuck; i < stuck + 24; i++) values[i] = values[stuck]!;
    const points = run(hourly, values);
    // (The first days' noise sets records of its own; from day 3 on, only the stuck value is raised.)
    const raised = points.flatMap((p, i) => (p.isAnomaly && i >= 3 * 24 ? [i] : []));
    expect(raised).toEqual([stuck + 5]);
    expect(points[stuck + 5]!.view).toBe('flat_line');
    // A constant that changed once, then sat still again, mostly sits still: its second run is no anomaly.
    const constant = hourly.map((_, i) => (i < 5 * 24 ? 7 : 9));
    expect(run(hourly, constant).some((p) => p.isAnomaly && p.view === 'flat_line')).toBe(false);
    // So does a constant with rare blips: sitting still is its normal.
    const blips = hourly.map((_, i) => (i % (3 * 24) === 0 ? 8 : 7));
    const blipsUntil = blips.map((v, i) => (i > 20 * 24 ? 7 : v));
    expect(run(hourly, blipsUntil).some((p) => p.isAnomaly && p.view === 'flat_line')).toBe(false);
  });

  it('predicts a weekly series from the same time a week earlier: a weekday shaped like a weekend is raised', () => {
    // Weekdays peak at 100 in the afternoon; weekends stay near 30. Four weeks, every 5 minutes.
    const noise = random(5);
    const timestamps: number[] = [];
    const values: number[] = [];
    const weekend = (i: number) => Math.floor(i / DAY_ROWS) % 7 >= 5;
    const shape = (i: number, asWeekend: boolean) =>
      (asWeekend ? 30 : 30 + 70 * Math.max(0, Math.sin((2 * Math.PI * (i % DAY_ROWS)) / DAY_ROWS))) +
      2 * (noise() - 0.5);
    for (let i = 0; i < 28 * DAY_ROWS; i++) {
      timestamps.push(T0 + i * STEP);
      values.push(shape(i, weekend(i)));
    }
    const quiet = alarmRows(scoreSeries(timestamps, values).alarms).filter((i) => i >= 15 * DAY_ROWS);
    expect(quiet).toEqual([]);
    // Day 23 (a weekday) flat like a weekend.
    const day = 23 * DAY_ROWS;
    for (let i = day; i < day + DAY_ROWS; i++) values[i] = shape(i, true);
    const raised = run(timestamps, values).filter((p, i) => p.isAnomaly && i >= day && i < day + DAY_ROWS);
    expect(raised.length).toBeGreaterThan(0);
    const withoutWeek = run(timestamps, values, { weeklyProfile: 0 });
    expect(withoutWeek.some((p, i) => p.isAnomaly && i >= day && i < day + DAY_ROWS)).toBe(false);
  });

  it('converts a raised anomaly into a metric_anomaly finding with its view and expected band', () => {
    const { timestamps, values } = dailySeries(6);
    values[5 * DAY_ROWS] = 300;
    const raised = run(timestamps, values).find((point) => point.isAnomaly);
    expect(raised).toBeDefined();
    const finding = anomalyFinding('elb_latency', raised!);
    expect(finding.kind).toBe('metric_anomaly');
    expect(finding.subject).toEqual({ series: 'elb_latency' });
    expect(finding.detectedAt).toBe(new Date(timestamps[5 * DAY_ROWS]!).toISOString());
    expect(finding.evidence).toMatchObject({ timestamp: finding.detectedAt, value: 300, view: 'value' });
    const band = finding.evidence.band as { lower: number; upper: number };
    expect(band.upper).toBeLessThan(300);
    expect(band.lower).toBeLessThan(band.upper);
    expect(finding.summary).toContain('beyond every value of its memory');
    expect(finding.score).toBeGreaterThanOrEqual(0.5);
    expect(anomalyFinding('elb_latency', raised!).id).toBe(finding.id);
  });

  it('rejects non-finite input and unusable options', () => {
    expect(() => new AnomalyDetector().update(T0, Number.NaN)).toThrow(/finite/);
    expect(() => new AnomalyDetector({ noveltyUnits: 0 })).toThrow(/positive/);
    expect(() => new AnomalyDetector({ seasonalStrength: 2 })).toThrow(/between 0 and 1/);
    expect(() => new AnomalyDetector({ memoryDays: Number.POSITIVE_INFINITY })).toThrow(/finite/);
  });
});

describe('Anomaly detector: blockMs', () => {
  it('keeps its ranges per block of the given length: per-minute blocks on minutes score as hourly blocks on hours', () => {
    const rand = random(11);
    const values = Array.from({ length: 120 }, (_, i) => (i >= 90 ? 40 : 10) + 3 * rand());
    const on = (unit: number) => ({
      warmupMs: 5 * unit,
      scaleMs: 60 * unit,
      refractoryMs: unit,
      rearmMs: 2 * unit,
      memoryDays: (200 * unit) / 86_400_000,
      profileMinDays: 1e9,
      residualWarmupHours: 1e9,
    });
    const perMinute = new AnomalyDetector({ ...on(60_000), blockMs: 60_000 });
    const perHour = new AnomalyDetector(on(3_600_000));
    const a = values.map((v, i) => perMinute.update(T0 + i * 60_000, v));
    const b = values.map((v, i) => perHour.update(T0 + i * 3_600_000, v));
    expect(a.map((p) => p.isAnomaly)).toEqual(b.map((p) => p.isAnomaly));
    expect(a.some((p) => p.isAnomaly)).toBe(true);
    expect(() => new AnomalyDetector({ blockMs: 0 })).toThrow(/blockMs/);
  });
});
