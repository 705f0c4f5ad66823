import { describe, expect, it } from 'vitest';
import {
  type HostingExits,
  newHostingExits,
  observeHostingExit,
  ROTATION_WINDOW,
  rotatesExits,
} from './hosting-exits.ts';

const T = 1_800_000_000;

/** Requests from the given address slots, `gap` seconds apart. */
function through(slots: readonly number[], gap: number, s = newHostingExits(), from = T): HostingExits {
  for (const [i, slot] of slots.entries()) observeHostingExit(s, slot, from + i * gap);
  return s;
}

describe('hosting exits: one VPN exit against a pool', () => {
  it('sees no rotation behind one exit, or two a tunnel flaps between, however many requests', () => {
    expect(rotatesExits(through(Array(500).fill(7), 2))).toBe(false);
    expect(
      rotatesExits(
        through(
          Array.from({ length: 500 }, (_, i) => 7 + (i % 2)),
          2,
        ),
      ),
    ).toBe(false);
  });

  it('sees no rotation in a reader switching VPN servers now and then, further apart than the window', () => {
    const gap = ROTATION_WINDOW / 2 + 1;
    expect(rotatesExits(through([1, 2, 3, 4, 5, 6], gap))).toBe(false);
  });

  it('sees a pool turning through three addresses within minutes, side by side or in quick turns', () => {
    expect(rotatesExits(through([1, 2, 1, 3], 1))).toBe(true);
    expect(rotatesExits(through([1, 2, 3], ROTATION_WINDOW / 2 - 1))).toBe(true);
  });

  it('keeps a rotation seen, however long the reader then sits behind one address', () => {
    const s = through([1, 2, 3], 1);
    through(Array(100).fill(3), ROTATION_WINDOW, s, T + 10);
    expect(rotatesExits(s)).toBe(true);
  });
});
