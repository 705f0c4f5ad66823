import { describe, expect, it } from 'vitest';
import { busySaving, environmentMinuteDollars, layerBusyShare } from './economics.ts';
import { breakEvenUtilisation, LAMBDA_PRICES } from './pricing.ts';

describe('Function: busySaving', () => {
  it('is what a busy provisioned environment saves against on-demand, per idle environment-minute', () => {
    expect(busySaving()).toBeCloseTo((0.0000166667 - 0.0000097222) / 0.0000041667, 6);
    // An environment breaks even exactly where its saving covers its idle price.
    expect(breakEvenUtilisation(LAMBDA_PRICES) * busySaving()).toBeCloseTo(1, 6);
  });
});

describe('Function: environmentMinuteDollars', () => {
  it('prices one idle environment-minute at the function’s memory', () => {
    expect(environmentMinuteDollars(1024)).toBeCloseTo(60 * 0.0000041667, 10);
    expect(environmentMinuteDollars(512)).toBeCloseTo(30 * 0.0000041667, 10);
  });
});

describe('Function: layerBusyShare', () => {
  it('keeps layers well below the mean busy all minute and layers above the peak idle', () => {
    expect(layerBusyShare(10, 100, 0.9)).toBeGreaterThan(0.99);
    expect(layerBusyShare(101, 100, 0.9)).toBe(0);
  });

  it('gives a layer between the mean and the peak only the minute’s busiest seconds', () => {
    const share = layerBusyShare(98, 100, 0.8);
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(0.1);
  });

  it('never rises with the layer', () => {
    let previous = 1;
    for (let layer = 1; layer <= 60; layer++) {
      const share = layerBusyShare(layer, 50, 0.6);
      expect(share).toBeLessThanOrEqual(previous + 1e-12);
      previous = share;
    }
  });

  it('is zero for a minute with no demand', () => {
    expect(layerBusyShare(1, 0, 0.5)).toBe(0);
  });
});
