import { describe, expect, it } from 'vitest';
import { median, scanShift } from './change-scan.ts';
import { templateOf } from './templates.ts';

/** The rank-sum scan written the slow, obvious way: every split re-ranks and re-counts every sample. */
function naiveScanShift(
  samples: { t: number; v: number }[],
  splits: number[],
  direction: 1 | -1,
  minSide: number,
) {
  const values = samples.map((s) => s.v).sort((a, b) => a - b);
  const rankOf = (v: number) => {
    const first = values.indexOf(v);
    const last = values.lastIndexOf(v);
    return (first + last) / 2 + 1;
  };
  let best:
    | { t: number; z: number; before: number; after: number; nBefore: number; nAfter: number }
    | undefined;
  for (const t of splits) {
    const after = samples.filter((s) => s.t >= t);
    const before = samples.filter((s) => s.t < t);
    if (before.length < minSide || after.length < minSide) continue;
    const n1 = before.length;
    const n2 = after.length;
    const u2 = after.reduce((a, s) => a + rankOf(s.v), 0) - (n2 * (n2 + 1)) / 2;
    const z = (direction * (u2 - (n1 * n2) / 2)) / Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
    if (!best || z > best.z)
      best = {
        t,
        z,
        before: median(before.map((s) => s.v)),
        after: median(after.map((s) => s.v)),
        nBefore: n1,
        nAfter: n2,
      };
  }
  return best;
}

describe('scanShift', () => {
  it('finds the same split, z and medians as re-ranking at every split, ties and unordered samples included', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let trial = 0; trial < 400; trial++) {
      const samples = Array.from({ length: 4 + Math.floor(random() * 50) }, () => ({
        t: Math.floor(random() * 20),
        // Few distinct values, so ties are common.
        v: Math.floor(random() * 6) + (random() < 0.3 ? 0.5 : 0),
      }));
      const splits = Array.from({ length: 1 + Math.floor(random() * 10) }, () => Math.floor(random() * 22));
      const minSide = 1 + (trial % 3);
      for (const direction of [1, -1] as const) {
        const fast = scanShift(samples, splits, direction, minSide);
        const slow = naiveScanShift(samples, splits, direction, minSide);
        if (!slow) expect(fast).toBeUndefined();
        else expect(fast).toEqual({ ...slow, z: expect.closeTo(slow.z, 9) });
      }
    }
  });
});

describe('templateOf', () => {
  it('masks what varies, whether or not the characters a mask needs are in the line', () => {
    expect(templateOf('mail to ann.lee+x@example.co.uk failed')).toBe('mail to <email> failed');
    expect(templateOf('no contacts for 7f3c2a10-1b2c-4d5e-8f90-aabbccddeeff at 2026-12-05T10:00:00Z')).toBe(
      'no contacts for <id> at <time>',
    );
    expect(templateOf('client 10.0.0.12:443 sent 42 items')).toBe('client <ip> sent <n> items');
    expect(templateOf('plain words only')).toBe('plain words only');
  });
});
