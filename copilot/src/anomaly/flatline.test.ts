import { describe, expect, it } from 'vitest';
import { FlatLine } from './flatline.ts';

/** Feeds one value per block (an hourly series with hourly blocks). */
function feed(flat: FlatLine, values: readonly number[], firstBlock = 0): number[] {
  return values.map((value, i) => {
    flat.close(firstBlock + i);
    flat.push(value);
    return flat.evidence(2, 6);
  });
}

describe('FlatLine', () => {
  it('judges a run against the runs that ended before it, never against itself', () => {
    const flat = new FlatLine(1440);
    // Forty moving points (runs of one), then the same value 20 times.
    const evidence = feed(flat, [...Array.from({ length: 40 }, (_, i) => i % 7), ...Array(20).fill(3.5)]);
    expect(evidence.slice(0, 45).every((e) => e < 1)).toBe(true);
    // Six repeats beyond runs of one reach the threshold (max(6, 2 × 1) = 6), and it keeps growing.
    expect(evidence[45]).toBe(1);
    expect(evidence[59]).toBeGreaterThan(evidence[50]!);
  });

  it('stays silent on a series that mostly sits still, and before any run has ended', () => {
    const constant = new FlatLine(1440);
    expect(feed(constant, Array(500).fill(2)).every((e) => e === 0)).toBe(true);
    const changedOnce = new FlatLine(1440);
    expect(feed(changedOnce, [...Array(48).fill(2), ...Array(500).fill(3)]).every((e) => e === 0)).toBe(true);
    expect(changedOnce.moving).toBe(false);
  });

  it('forgets runs older than its memory', () => {
    const flat = new FlatLine(100);
    // An early long run (30), then a long stretch that moves: once the long run is forgotten, 12 repeats count.
    const values = [
      ...Array(30).fill(1),
      ...Array.from({ length: 200 }, (_, i) => 10 + (i % 5)),
      ...Array(12).fill(9),
    ];
    const evidence = feed(flat, values);
    expect(evidence.at(-1)).toBeGreaterThanOrEqual(1);
    const remembering = new FlatLine(1000);
    expect(feed(remembering, values).at(-1)).toBe(0);
  });
});
