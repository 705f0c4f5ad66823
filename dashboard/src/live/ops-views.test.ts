import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import { keys } from '../api/queries.ts';
import { applyOpsUpdate, opsViewCurrent } from './ops-views.ts';
import { handAnsweredQuery } from './test-support.ts';

const range = { key: '1h', fromMs: 0, toMs: 3_600_000 } as const;
const key = keys.overview(range);
const update = (epoch: string, version: number) => ({ epoch, version, asOf: null });
let client = new QueryClient();

afterEach(() => client.clear());

/** An overview query whose reads are answered by hand, each with the stamp the server holds when it is asked. */
function overviewQuery(server: { epoch: string; version: number }) {
  const query = handAnsweredQuery(key, (read) => ({ requests: read, ops: { ...server } }));
  client = query.client;
  return query;
}

describe('opsViewCurrent', () => {
  it('holds for the same process at the same or a later version, and for nothing else', () => {
    const answer = { ops: { epoch: 'a', version: 5 } };
    expect(opsViewCurrent(answer, update('a', 5))).toBe(true);
    expect(opsViewCurrent(answer, update('a', 4))).toBe(true);
    expect(opsViewCurrent(answer, update('a', 6))).toBe(false);
    expect(opsViewCurrent(answer, update('b', 1))).toBe(false);
    expect(opsViewCurrent({ requests: 1 }, update('a', 1))).toBe(false);
    expect(opsViewCurrent(undefined, update('a', 1))).toBe(false);
  });
});

describe('applyOpsUpdate', () => {
  it('reads a view again only when the update is newer than its answer', async () => {
    const server = { epoch: 'a', version: 3 };
    const q = overviewQuery(server);
    await q.answerAll();
    applyOpsUpdate(client, update('a', 3)); // what a joining socket is sent when nothing changed since the read
    await q.answerAll();
    expect(q.reads()).toBe(1);
    server.version = 4;
    applyOpsUpdate(client, update('a', 4));
    await q.answerAll();
    expect(q.reads()).toBe(2);
    server.epoch = 'restarted';
    server.version = 1;
    applyOpsUpdate(client, update('restarted', 1));
    await q.answerAll();
    expect(q.reads()).toBe(3);
    expect(client.getQueryData(key)).toMatchObject({ ops: { epoch: 'restarted', version: 1 } });
    q.stop();
  });

  it('judges a view still being read by its answer: computed after the update, it is not asked again', async () => {
    const server = { epoch: 'a', version: 7 };
    const q = overviewQuery(server); // asked after the counts reached 7
    applyOpsUpdate(client, update('a', 7));
    await q.answerAll();
    await q.answerAll();
    expect(q.reads()).toBe(1);
    q.stop();
  });

  it('reads again a view whose answer, still in flight at the update, was computed before it', async () => {
    const server = { epoch: 'a', version: 7 };
    const q = overviewQuery(server); // asked at 7; the counts then reach 8 and the update is pushed
    applyOpsUpdate(client, update('a', 8));
    server.version = 8;
    await q.answerAll();
    await q.answerAll();
    expect(q.reads()).toBe(2);
    expect(client.getQueryData(key)).toMatchObject({ ops: { version: 8 } });
    q.stop();
  });

  it('leaves other queries alone', async () => {
    const q = overviewQuery({ epoch: 'a', version: 1 });
    await q.answerAll();
    client.setQueryData(keys.findings, []);
    applyOpsUpdate(client, update('a', 2));
    expect(client.getQueryState(keys.findings)?.isInvalidated).toBe(false);
    expect(client.getQueryState(key)?.isInvalidated).toBe(true);
    q.stop();
  });
});
