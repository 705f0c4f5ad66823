import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { keys } from '../api/queries.ts';
import type { SloSnapshot } from '../lib/types.ts';
import { applySloReport } from './slo-report.ts';

const range = { key: '1h', fromMs: 0, toMs: 3_600_000 } as const;
const snapshot = (asOf: string | null): SloSnapshot => ({ asOf, slos: [] });

function page(asOf: string | null) {
  const client = new QueryClient();
  client.setQueryData(keys.slo, snapshot(asOf));
  client.setQueryData(keys.sloHistory('latency', range), { points: [] });
  const historyInvalidated = () =>
    client.getQueryCache().find({ queryKey: keys.sloHistory('latency', range) })?.state.isInvalidated;
  return { client, historyInvalidated };
}

describe('applySloReport', () => {
  it('asks for nothing when the snapshot is the one the page holds (as a socket is sent on joining)', () => {
    const { client, historyInvalidated } = page('2026-12-06T10:00:00.000Z');
    applySloReport(client, snapshot('2026-12-06T10:00:00.000Z'));
    expect(historyInvalidated()).toBe(false);
  });

  it('keeps the newer snapshot and reads the histories again for a minute the page had not seen', () => {
    const { client, historyInvalidated } = page('2026-12-06T10:00:00.000Z');
    applySloReport(client, snapshot('2026-12-06T09:59:00.000Z'));
    expect(client.getQueryData<SloSnapshot>(keys.slo)?.asOf).toBe('2026-12-06T10:00:00.000Z');
    expect(historyInvalidated()).toBe(false);
    applySloReport(client, snapshot('2026-12-06T10:01:00.000Z'));
    expect(client.getQueryData<SloSnapshot>(keys.slo)?.asOf).toBe('2026-12-06T10:01:00.000Z');
    expect(historyInvalidated()).toBe(true);
  });

  it('reads the histories again when the page held no snapshot yet', () => {
    const { client, historyInvalidated } = page(null);
    applySloReport(client, snapshot('2026-12-06T10:00:00.000Z'));
    expect(historyInvalidated()).toBe(true);
  });
});
