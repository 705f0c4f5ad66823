import { describe, expect, it } from 'vitest';
import { keys } from '../api/queries.ts';
import { rereadOnConnect } from './reread.ts';

const range = { key: '1h', fromMs: 0, toMs: 3_600_000 } as const;

describe('rereadOnConnect', () => {
  it('reads the merged lists again on the first connect, and never the session', () => {
    for (const key of [keys.findings, keys.mitigations, keys.incidents, keys.changeSets, keys.reports])
      expect(rereadOnConnect(key, true)).toBe(true);
    expect(rereadOnConnect(keys.session, true)).toBe(false);
    expect(rereadOnConnect(keys.session, false)).toBe(false);
  });

  it('leaves the recomputed views to their pushes and timer on the first connect, and reads them on a reconnect', () => {
    for (const key of [
      keys.slo,
      keys.sloHistory('a', range),
      keys.overview(range),
      keys.capacity(range),
      keys.cost(7),
    ]) {
      expect(rereadOnConnect(key, true)).toBe(false);
      expect(rereadOnConnect(key, false)).toBe(true);
    }
  });
});
