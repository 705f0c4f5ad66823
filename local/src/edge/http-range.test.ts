import { describe, expect, it } from 'vitest';
import { parseRangeHeader } from './http-range.ts';

describe('Function: parseRangeHeader', () => {
  it.each([
    [undefined, { kind: 'none' }],
    ['bytes=0-9', { kind: 'range', range: { start: 0, end: 9 } }],
    ['bytes=5-', { kind: 'range', range: { start: 5, end: 99 } }],
    ['bytes=-10', { kind: 'range', range: { start: 90, end: 99 } }],
    ['bytes=-1000', { kind: 'range', range: { start: 0, end: 99 } }],
    ['bytes=90-500', { kind: 'range', range: { start: 90, end: 99 } }],
    ['bytes=100-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=0-1,5-6', { kind: 'none' }],
    ['bytes=9-2', { kind: 'none' }],
    ['items=0-1', { kind: 'none' }],
  ])('reads %s against 100 bytes', (header, expected) => {
    expect(parseRangeHeader(header, 100)).toEqual(expected);
  });
});
