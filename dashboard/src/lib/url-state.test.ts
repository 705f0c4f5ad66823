import { describe, expect, it } from 'vitest';
import { parseRange, withParams } from './url-state.ts';

describe('Module: url-state', () => {
  const now = Date.parse('2026-12-05T10:00:00Z');

  it('reads a named range, a fixed window, and falls back on nonsense', () => {
    expect(parseRange(new URLSearchParams('range=6h'), now)).toMatchObject({
      key: '6h',
      fromMs: now - 6 * 3_600_000,
    });
    const fixed = parseRange(new URLSearchParams('from=2026-12-05T08:00:00Z&to=2026-12-05T09:00:00Z'), now);
    expect(fixed).toEqual({ key: 'custom', fromMs: now - 2 * 3_600_000, toMs: now - 3_600_000 });
    expect(parseRange(new URLSearchParams('range=forever'), now).key).toBe('1h');
  });

  it('changes one parameter and keeps the rest; a named range replaces a fixed window', () => {
    const params = new URLSearchParams('from=a&to=b&slo=x');
    expect(withParams(params, { range: '24h' }).toString()).toBe('slo=x&range=24h');
    expect(withParams(params, { slo: null }).toString()).toBe('from=a&to=b');
  });
});
