import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeStreams } from './merge.ts';
import type { SimulatedRequest } from './request.ts';

const request = (actor: string, time: number): SimulatedRequest => ({
  time,
  actor,
  population: 'b2c',
  ip: '192.0.2.1',
  country: 'US',
  path: '/public/index.html',
  userAgent: 'test',
  port: 40000,
});

describe('Function: mergeStreams', () => {
  it('merges sorted actor streams into one sorted stream, clipped to [start, end)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 1000 })), { maxLength: 8 }), (lists) => {
        const streams = lists.map((times, a) =>
          [...times].sort((x, y) => x - y).map((t) => request(`a${a}`, t)),
        );
        const merged = [
          ...mergeStreams(
            streams.map((s) => s[Symbol.iterator]()),
            100,
            900,
          ),
        ];
        const expected = streams.flat().filter((r) => r.time >= 100 && r.time < 900);
        expect(merged).toHaveLength(expected.length);
        expect(merged.every((r, i) => i === 0 || r.time >= merged[i - 1]!.time)).toBe(true);
      }),
    );
  });

  it('breaks ties by actor order so the output is deterministic', () => {
    const merged = [
      ...mergeStreams(
        [[request('b', 5)], [request('a', 5)]].map((s) => s[Symbol.iterator]()),
        0,
        10,
      ),
    ];
    expect(merged.map((r) => r.actor)).toEqual(['b', 'a']);
  });

  it('rejects an actor that goes back in time', () => {
    const stream = [request('x', 5), request('x', 3)][Symbol.iterator]();
    expect(() => [...mergeStreams([stream], 0, 10)]).toThrow(/back in time/);
  });
});
