import { describe, expect, it } from 'vitest';
import { mulberry32 as seededRandom } from '@boundless/common/random';
import { forecastAhead } from './causal.ts';
import { LevelEnsemble } from './ensemble.ts';
import { walkForecast } from './predictive.ts';
import { ResidualDistribution, SlidingQuantiles } from './residuals.ts';
import { SeasonalForecaster } from './seasonal.ts';

const START = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;

/** Daily cycle (busy afternoons), quieter weekends, seeded multiplicative noise. */
function syntheticDemand(days: number, seed = 7) {
  const random = seededRandom(seed);
  const times: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < days * 1440; i++) {
    const time = START + i * MINUTE;
    const hour = (i % 1440) / 60;
    const weekend = [0, 6].includes(new Date(time).getUTCDay()) ? 0.5 : 1;
    const daily = 40 + 30 * Math.sin(((hour - 9) / 24) * 2 * Math.PI);
    times.push(time);
    values.push(daily * weekend * (1 + 0.1 * (random() - 0.5)));
  }
  return { times, values };
}

describe('Class: SlidingQuantiles', () => {
  it('answers quantiles of the most recent window only', () => {
    const quantiles = new SlidingQuantiles(4, 0, 10, 100);
    for (const value of [9, 9, 9, 9, 1, 2, 3, 4]) quantiles.add(value);
    expect(quantiles.count).toBe(4);
    expect(quantiles.quantile(0)).toBeCloseTo(1.05);
    expect(quantiles.quantile(0.99)).toBeCloseTo(4.05);
  });

  it('is NaN while empty', () => {
    expect(new SlidingQuantiles(3).quantile(0.5)).toBeNaN();
  });
});

describe('Class: SeasonalForecaster', () => {
  it('learns the daily and weekly shape well enough to beat persistence a few hours ahead', () => {
    const { times, values } = syntheticDemand(21);
    const model = new SeasonalForecaster();
    const split = 14 * 1440;
    for (let i = 0; i < split; i++) model.observe(times[i]!, Math.log1p(values[i]!));
    let modelError = 0;
    let persistenceError = 0;
    for (let i = split + 240; i < split + 1440; i += 15) {
      modelError += Math.abs(Math.expm1(model.forecast(times[i]!, times[split - 1]!)) - values[i]!);
      persistenceError += Math.abs(values[split - 1]! - values[i]!);
    }
    expect(modelError).toBeLessThan(persistenceError / 3);
  });
});

describe('Function: forecastAhead', () => {
  it('gives a prefix the same forecasts as the whole series on the shared rows', () => {
    const { times, values } = syntheticDemand(4);
    const options = { leadMinutes: 7, quantiles: [0.5, 0.9] };
    const whole = forecastAhead(times, values, options);
    const cut = 2 * 1440 + 333;
    const prefix = forecastAhead(times.slice(0, cut), values.slice(0, cut), options);
    expect(Array.from(prefix.quantiles[1]!)).toEqual(Array.from(whole.quantiles[1]!.subarray(0, cut)));
    expect(Array.from(prefix.median)).toEqual(Array.from(whole.median.subarray(0, cut)));
  });

  it('never lets row t see a value newer than t − lead', () => {
    const { times, values } = syntheticDemand(2);
    const row = 1440 + 100;
    const before = forecastAhead(times, values, { leadMinutes: 10, quantiles: [0.9] }).quantiles[0]![row];
    const changed = [...values];
    for (let i = row - 9; i <= row; i++) changed[i] = 10_000;
    const after = forecastAhead(times, changed, { leadMinutes: 10, quantiles: [0.9] }).quantiles[0]![row];
    expect(after).toBe(before);
  });

  it('covers about the asked share of outcomes with its upper band', () => {
    const { times, values } = syntheticDemand(21);
    const forecast = forecastAhead(times, values, { leadMinutes: 10, quantiles: [0.9] });
    let covered = 0;
    let counted = 0;
    for (let i = 14 * 1440; i < times.length; i++, counted++) {
      if (values[i]! <= forecast.quantiles[0]![i]!) covered++;
    }
    expect(covered / counted).toBeGreaterThan(0.85);
    expect(covered / counted).toBeLessThan(0.97);
  });

  it('reads bands in square-root space on request, keeping causality and coverage', () => {
    const { times, values } = syntheticDemand(21);
    const options = { leadMinutes: 10, quantiles: [0.9], transform: 'sqrt' as const };
    const forecast = forecastAhead(times, values, options);
    let covered = 0;
    let counted = 0;
    for (let i = 14 * 1440; i < times.length; i++, counted++) {
      if (values[i]! <= forecast.quantiles[0]![i]!) covered++;
    }
    expect(covered / counted).toBeGreaterThan(0.85);
    expect(covered / counted).toBeLessThan(0.97);
    const cut = 15 * 1440 + 17;
    const prefix = forecastAhead(times.slice(0, cut), values.slice(0, cut), options);
    expect(Array.from(prefix.quantiles[0]!)).toEqual(Array.from(forecast.quantiles[0]!.subarray(0, cut)));
  });

  it('widens a square-root band less than a log band as the level grows', () => {
    // The same relative noise at two levels a hundred times apart.
    const times: number[] = [];
    const values: number[] = [];
    const random = seededRandom(3);
    for (let i = 0; i < 4 * 1440; i++) {
      times.push(START + i * MINUTE);
      values.push((i < 2 * 1440 ? 10 : 1000) * (1 + 0.2 * (random() - 0.5)));
    }
    const width = (transform: 'log' | 'sqrt', row: number) => {
      const f = forecastAhead(times, values, { leadMinutes: 5, quantiles: [0.9], transform });
      return f.quantiles[0]![row]! / f.median[row]!;
    };
    // Residuals from the quiet half dominate early in the busy half: the log band keeps its relative width,
    // the square-root band shrinks relative to the level.
    const row = 2 * 1440 + 60;
    expect(width('sqrt', row) - 1).toBeLessThan((width('log', row) - 1) / 2);
  });

  it('marks rows with no history old enough as blind', () => {
    const { times, values } = syntheticDemand(1);
    const forecast = forecastAhead(times, values, { leadMinutes: 5, quantiles: [0.5] });
    expect(forecast.blind).toBe(5);
    expect(forecast.quantiles[0]![4]).toBeNaN();
    expect(forecast.quantiles[0]![5]).toBeGreaterThan(0);
  });

  it('rejects inconsistent input with a forecast error', () => {
    expect(() => forecastAhead([1, 2], [1], { leadMinutes: 1, quantiles: [0.5] })).toThrow(
      /differ in length/,
    );
    expect(() => forecastAhead([1], [1], { leadMinutes: 1, quantiles: [1.5] })).toThrow(
      /bad forecast options/,
    );
  });
});

describe('Class: ResidualDistribution', () => {
  it('inverts its cdf with its quantile and reads a frozen copy of the window', () => {
    const window = new SlidingQuantiles(1000, -5, 5, 1000);
    const random = seededRandom(9);
    for (let i = 0; i < 1000; i++) window.add(random() * 4 - 2);
    const distribution = ResidualDistribution.of(window)!;
    for (const q of [0.05, 0.5, 0.9, 0.99]) {
      expect(distribution.cdf(distribution.quantile(q))).toBeCloseTo(q, 2);
    }
    expect(distribution.quantile(0.5)).toBeCloseTo(0, 1);
    expect(distribution.cdf(-3)).toBe(0);
    expect(distribution.cdf(3)).toBe(1);
    for (let i = 0; i < 1000; i++) window.add(4);
    expect(distribution.quantile(0.5)).toBeCloseTo(0, 1);
  });

  it('is null for an empty window', () => {
    expect(ResidualDistribution.of(new SlidingQuantiles(10))).toBeNull();
  });
});

describe('Function: walkForecast', () => {
  it('gives a series a hundred times larger the same distribution, a hundred times larger', () => {
    const { times, values } = syntheticDemand(16);
    const read = (factor: number) => {
      const quantiles: number[] = [];
      const probabilities: number[] = [];
      const scaled = values.map((v) => v * factor);
      walkForecast(times, scaled, { leadMinutes: 10, transform: 'sqrt' }, (row, f) => {
        // Once the residual window holds only errors measured in the series' own units.
        if (!f || row % 997 !== 0 || row < 8 * 1440) return;
        quantiles.push(f.quantile(0.95));
        probabilities.push(f.cdf(f.median * 1.1));
      });
      return { quantiles, probabilities };
    };
    const small = read(1);
    const large = read(100);
    expect(small.quantiles.length).toBeGreaterThan(5);
    small.quantiles.forEach((value, i) => {
      expect(large.quantiles[i]! / value).toBeCloseTo(100, 6);
    });
    small.probabilities.forEach((value, i) => {
      expect(large.probabilities[i]!).toBeCloseTo(value, 6);
    });
  });

  it('visits every row in order and hands out no forecast before any row is lead minutes old', () => {
    const { times, values } = syntheticDemand(1);
    const visited: number[] = [];
    const { blind } = walkForecast(times, values, { leadMinutes: 3 }, (row, forecast, observed) => {
      visited.push(row);
      if (row < 3) expect(forecast).toBeNull();
      else expect(observed).toBe(row - 2);
    });
    expect(blind).toBe(3);
    expect(visited).toEqual(times.map((_, i) => i));
  });
});

describe('Class: LevelEnsemble', () => {
  // Noise around 10 for two days, then a sustained jump to 30 (square-root units).
  const random = seededRandom(21);
  const rows = 3 * 1440;
  const values = Array.from({ length: rows }, (_, i) => (i < 2 * 1440 ? 10 : 30) + (random() - 0.5) * 4);
  const run = (halfLives: number[]) => {
    const ensemble = new LevelEnsemble({}, halfLives, 60);
    const forecasts = new Float64Array(rows);
    for (let row = 0; row < rows; row++) {
      if (row >= 10) ensemble.observe(row - 10, START + (row - 10) * MINUTE, values[row - 10]!);
      forecasts[row] =
        row >= 10 ? ensemble.forecast(row, START + row * MINUTE, START + (row - 10) * MINUTE) : 0;
    }
    return forecasts;
  };
  const slow = run([30]);
  const fast = run([5]);
  const both = run([5, 30]);

  it('follows a jump in demand faster than its slow member alone', () => {
    const row = 2 * 1440 + 40;
    expect(Math.abs(both[row]! - 30)).toBeLessThan(Math.abs(slow[row]! - 30));
  });

  it('is steadier than its fast member alone where the demand is only noise', () => {
    const spread = (f: Float64Array) => {
      const window = Array.from(f.subarray(1440, 2 * 1440));
      const mean = window.reduce((a, b) => a + b, 0) / window.length;
      return window.reduce((a, b) => a + (b - mean) ** 2, 0) / window.length;
    };
    expect(spread(both)).toBeLessThan(spread(fast));
  });
});
