import { describe, expect, it } from 'vitest';
import { keyAttributes, marshallFlat, unmarshallItem } from './attribute-values.ts';

describe('Module: attribute-values', () => {
  it('reads items as the DocumentClient does by default', () => {
    const item = unmarshallItem({
      pk: { S: 'ACCOUNT#a' },
      count: { N: '42' },
      ratio: { N: '0.5' },
      huge: { N: '12345678901234567890' },
      ok: { BOOL: true },
      none: { NULL: true },
      target: { M: { type: { S: 'title' }, id: { S: 't-1' } } },
      cidrs: { L: [{ S: '10.0.0.0/8' }, { N: '1' }] },
      tags: { SS: ['x', 'y'] },
      sizes: { NS: ['1', '2'] },
    });
    expect(item).toEqual({
      pk: 'ACCOUNT#a',
      count: 42,
      ratio: 0.5,
      huge: 12345678901234567890n,
      ok: true,
      none: null,
      target: { type: 'title', id: 't-1' },
      cidrs: ['10.0.0.0/8', 1],
      tags: new Set(['x', 'y']),
      sizes: new Set([1, 2]),
    });
  });

  it('writes flat records, leaving out undefined members and refusing non-finite numbers', () => {
    expect(keyAttributes({ pk: 'TOKEN#t', sk: 'TOKEN' })).toEqual({
      pk: { S: 'TOKEN#t' },
      sk: { S: 'TOKEN' },
    });
    expect(marshallFlat({ a: 'x', b: 7, c: undefined })).toEqual({ a: { S: 'x' }, b: { N: '7' } });
    expect(() => marshallFlat({ n: Number.NaN })).toThrow(/finite/);
  });
});
