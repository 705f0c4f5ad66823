import { describe, expect, it } from 'vitest';
import { mulberry32 as seededRandom } from '@boundless/common/random';
import { walkForecast } from './predictive.ts';
import { RiseModel } from './rise.ts';

const START = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;
const LEAD = 5;

/**
 * A steady, noisy demand of about 200 with a rise every six hours: `shape(k)` multiplies the level k minutes
 * into the rise (k = 0…59). Returns the series and which rows lie in a rise.
 */
function risingDemand(days: number, shape: (minute: number) => number, seed = 11) {
  const random = seededRandom(seed);
  const times: number[] = [];
  const values: number[] = [];
  const inRise: boolean[] = [];
  for (let i = 0; i < days * 1440; i++) {
    const intoRise = (i % 360) - 180;
    const lift = intoRise >= 0 && intoRise < 60 ? shape(intoRise) : 1;
    times.push(START + i * MINUTE);
    values.push(200 * lift * (1 + 0.2 * (random() - 0.5)));
    inRise.push(intoRise >= 0 && intoRise < 60);
  }
  return { times, values, inRise };
}

/** Squared error of the forecast median, in square-root space, over the rows `counted` picks (last half). */
function medianError(
  demand: ReturnType<typeof risingDemand>,
  riseModel: boolean,
  counted: (row: number) => boolean,
): number {
  let error = 0;
  const { times, values } = demand;
  walkForecast(times, values, { leadMinutes: LEAD, transform: 'sqrt', riseModel }, (row, forecast) => {
    if (!forecast || row < times.length / 2 || !counted(row)) return;
    error += (Math.sqrt(values[row]!) - Math.sqrt(forecast.median)) ** 2;
  });
  return error;
}

describe('Class: RiseModel', () => {
  it('sees no rise in a steady series, so the seasonal forecast stands', () => {
    const model = new RiseModel(Math.sqrt);
    for (let i = 0; i < 60; i++) model.observe(100 + (i % 3));
    expect(model.state(10)).toBeNull();
    expect(model.combine(10, model.state(10))).toBe(10);
  });

  it('sees a rise once the level grows past the threshold, and ends it once the forecast has caught up', () => {
    const model = new RiseModel(Math.sqrt);
    for (let i = 0; i < 20; i++) model.observe(100);
    for (let i = 0; i < 10; i++) model.observe(100 * 1.1 ** (i + 1));
    const rise = model.state(Math.sqrt(100));
    expect(rise).not.toBeNull();
    expect(rise!.growth).toBeGreaterThan(Math.log(1.5));
    expect(model.state(rise!.center + 1)).toBeNull();
  });

  it('ignores values that are not numbers instead of forecasting NaN', () => {
    const model = new RiseModel(Math.sqrt);
    for (let i = 0; i < 20; i++) model.observe(100);
    for (let i = 0; i < 10; i++) model.observe(100 * 1.1 ** (i + 1));
    expect(model.state(10)).not.toBeNull();
    model.observe(Number.NaN);
    expect(model.state(10)).toBeNull();
  });

  it('scores nothing from a missing value, so the rises after it are still forecast', () => {
    const model = new RiseModel(Math.sqrt);
    for (let i = 0; i < 20; i++) model.observe(100);
    for (let i = 0; i < 10; i++) model.observe(100 * 1.1 ** (i + 1));
    const rise = model.state(10)!;
    for (let i = 0; i < 40; i++) model.learn(rise, 10, 300, Math.sqrt(300));
    model.learn(rise, 10, Number.NaN, Number.NaN);
    const combined = model.combine(10, rise);
    expect(Number.isFinite(combined)).toBe(true);
    expect(combined).toBeGreaterThan(10);
  });
});

describe('Function: walkForecast, in a rise', () => {
  it('follows rises that keep growing far closer than the seasonal forecast alone', () => {
    // Each rise grows 8 % a minute for 40 minutes, then falls back.
    const demand = risingDemand(10, (k) => 1.08 ** Math.min(k, 40));
    const inRise = (row: number) => demand.inRise[row]!;
    const without = medianError(demand, false, inRise);
    const withRise = medianError(demand, true, inRise);
    expect(withRise).toBeLessThan(0.5 * without);
  });

  it('keeps its forecast where rises are spikes that fall straight back: it learns that they do', () => {
    // Each rise doubles within two minutes, holds ten, and is gone: its growth never carries on.
    const demand = risingDemand(10, (k) => (k < 12 ? 1 + Math.min(k, 2) * 0.5 : 1));
    const all = () => true;
    const without = medianError(demand, false, all);
    const withRise = medianError(demand, true, all);
    expect(withRise).toBeLessThan(1.05 * without);
  });
});
