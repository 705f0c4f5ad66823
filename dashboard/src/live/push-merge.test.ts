import type { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import { mergePushed } from './push-merge.ts';
import { handAnsweredQuery } from './test-support.ts';

const key = ['incidents'] as const;
const append = (item: string) => (list: string[]) => (list.includes(item) ? list : [...list, item]);
let client: QueryClient;

afterEach(() => client.clear());

/** A list query whose reads are answered by hand, each from the server's rows at the moment it was asked. */
function listQuery(rows: string[]) {
  const query = handAnsweredQuery<string[]>(key, () => [...rows]);
  client = query.client;
  return query;
}

describe('mergePushed', () => {
  it('merges into a list already read', async () => {
    const rows = ['a'];
    const q = listQuery(rows);
    await q.answerAll();
    mergePushed<string[]>(client, key, append('b'));
    expect(client.getQueryData(key)).toEqual(['a', 'b']);
    expect(q.reads()).toBe(1);
    q.stop();
  });

  it('keeps an item pushed while the first read was in flight, though that read predates it', async () => {
    const rows = ['a'];
    const q = listQuery(rows); // asked before 'b' was stored
    rows.push('b');
    mergePushed<string[]>(client, key, append('b'));
    await q.answerAll();
    await q.answerAll();
    expect(client.getQueryData(key)).toEqual(['a', 'b']);
    expect(q.reads()).toBe(1);
    q.stop();
  });

  it('keeps an item pushed while a re-read was in flight', async () => {
    const rows = ['a'];
    const q = listQuery(rows);
    await q.answerAll();
    void client.invalidateQueries({ queryKey: key });
    rows.push('b');
    mergePushed<string[]>(client, key, append('b'));
    await q.answerAll();
    await q.answerAll();
    expect(client.getQueryData(key)).toEqual(['a', 'b']);
    q.stop();
  });

  it('answers a first read under a steady stream of pushes, never restarting it', async () => {
    const rows = ['a'];
    const q = listQuery(rows);
    for (const item of ['b', 'c', 'd', 'e']) {
      rows.push(item);
      mergePushed<string[]>(client, key, append(item));
    }
    await q.answerAll();
    expect(client.getQueryData(key)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(q.reads()).toBe(1);
    q.stop();
  });

  it('replays a merge once: a later read of the list is taken as it comes', async () => {
    const rows = ['a'];
    const q = listQuery(rows);
    mergePushed<string[]>(client, key, append('b'));
    await q.answerAll();
    expect(client.getQueryData(key)).toEqual(['a', 'b']);
    rows.splice(0, rows.length, 'z'); // 'b' was deleted since
    void client.invalidateQueries({ queryKey: key });
    await q.answerAll();
    expect(client.getQueryData(key)).toEqual(['z']);
    q.stop();
  });
});
