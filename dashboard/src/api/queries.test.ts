import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SloSnapshot } from '../lib/types.ts';
import { keys, sloQuery } from './queries.ts';

const snapshot = (asOf: string): SloSnapshot => ({ asOf, slos: [] });

/** A copilot whose /api/slo answers are released by hand, each with the snapshot it had when asked. */
function copilot(stored: { current: SloSnapshot }) {
  const pending: (() => void)[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => {
      const body = JSON.stringify(stored.current);
      await new Promise<void>((resolve) => pending.push(resolve));
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    }),
  );
  return {
    answerAll: async () => {
      while (pending.length) pending.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
}

afterEach(() => vi.unstubAllGlobals());

describe('sloQuery', () => {
  it('keeps a pushed snapshot when a read asked before it was taken lands after it', async () => {
    const stored = { current: snapshot('2026-12-06T10:00:00.000Z') };
    const server = copilot(stored);
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const stop = new QueryObserver(client, sloQuery()).subscribe(() => undefined);
    // The page's read is asked; the next minute closes and is pushed before the read's answer arrives.
    stored.current = snapshot('2026-12-06T10:01:00.000Z');
    client.setQueryData(keys.slo, stored.current);
    await server.answerAll();
    expect(client.getQueryData<SloSnapshot>(keys.slo)?.asOf).toBe('2026-12-06T10:01:00.000Z');

    // A newer answer still replaces what the page holds.
    stored.current = snapshot('2026-12-06T10:02:00.000Z');
    void client.refetchQueries({ queryKey: keys.slo });
    await server.answerAll();
    expect(client.getQueryData<SloSnapshot>(keys.slo)?.asOf).toBe('2026-12-06T10:02:00.000Z');
    stop();
    client.clear();
  });
});
