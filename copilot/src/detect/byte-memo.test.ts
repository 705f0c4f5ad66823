import { describe, expect, it } from 'vitest';
import { ByteMemo } from './byte-memo.ts';

function counted(): { memo: ByteMemo<string>; calls: () => number; get: (key: string) => string } {
  let calls = 0;
  const memo = new ByteMemo(4, 8, (buf, start, end) => {
    calls++;
    return buf.toString('latin1', start, end).toUpperCase();
  });
  return {
    memo,
    calls: () => calls,
    // The key inside a longer buffer, at an offset, as a log line holds a field.
    get: (key) => memo.get(Buffer.from(`\t${key}\t`), 1, key.length + 1),
  };
}

describe('ByteMemo', () => {
  it('answers a repeated key from the memo', () => {
    const m = counted();
    expect(m.get('abc')).toBe('ABC');
    expect(m.get('abc')).toBe('ABC');
    expect(m.calls()).toBe(1);
  });

  it("gives each key its own value when keys share a slot, as many as there are slots' worth", () => {
    const m = counted();
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    for (let round = 0; round < 3; round++)
      for (const key of keys) expect(m.get(key)).toBe(key.toUpperCase());
    // Four slots for forty keys: most lookups miss, none answers another key's value.
    expect(m.calls()).toBeGreaterThan(40);
  });

  it('tells keys apart that differ in length only, or in their last byte', () => {
    const m = counted();
    for (const key of ['ab', 'abc', 'ab', 'abd', 'abc', '']) expect(m.get(key)).toBe(key.toUpperCase());
  });

  it('computes a key longer than it keeps every time', () => {
    const m = counted();
    expect(m.get('a-long-key')).toBe('A-LONG-KEY');
    expect(m.get('a-long-key')).toBe('A-LONG-KEY');
    expect(m.calls()).toBe(2);
  });

  it('refuses a slot count that is not a power of two', () => {
    expect(() => new ByteMemo(3, 8, () => 0)).toThrow(RangeError);
  });
});
