import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SegmentDocument } from '@boundless/copilot/telemetry-dir';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSegmentEmitter,
  parseDaemonDatagram,
  parseDaemonDocuments,
  startXRayReceiver,
  type XRayReceiver,
} from './xray-receiver.ts';

const dir = mkdtempSync(join(tmpdir(), 'xray-'));
const arrivals: SegmentDocument[] = [];
const waiters: (() => void)[] = [];
let receiver: XRayReceiver;

function arrived(count: number): Promise<void> {
  if (arrivals.length >= count) return Promise.resolve();
  return new Promise((resolve) => waiters.push(() => arrivals.length >= count && resolve()));
}

beforeAll(async () => {
  receiver = await startXRayReceiver({
    dir,
    onSegment: (document) => {
      arrivals.push(document);
      for (const wake of waiters) wake();
    },
  });
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Function: parseDaemonDatagram', () => {
  it('accepts the daemon header followed by a segment document', () => {
    const datagram =
      '{"format":"json","version":1}\n{"id":"a1","trace_id":"1-5e-ab","name":"fn","start_time":1}';
    expect(parseDaemonDatagram(datagram)).toMatchObject({ id: 'a1', name: 'fn' });
  });

  it('rejects a missing header, a wrong version and a document without ids', () => {
    expect(parseDaemonDatagram('{"id":"a1","trace_id":"t","start_time":1}')).toBeUndefined();
    expect(
      parseDaemonDatagram('{"format":"json","version":2}\n{"id":"a","trace_id":"t","start_time":1}'),
    ).toBe(undefined);
    expect(parseDaemonDatagram('{"format":"json","version":1}\n{"name":"fn"}')).toBeUndefined();
  });
});

describe('Function: parseDaemonDocuments', () => {
  const header = '{"format":"json","version":1}';
  const a = '{"id":"a1","trace_id":"1-5e-ab","start_time":1}';
  const b = '{"id":"b2","trace_id":"1-5e-ab","start_time":2}';

  it('reads a batch, one document per line, keeping each line as stored text', () => {
    expect(parseDaemonDocuments(`${header}\n${a}\n${b}`)).toEqual([
      { document: JSON.parse(a), json: a },
      { document: JSON.parse(b), json: b },
    ]);
  });

  it('reads one pretty-printed document as the daemon does, and rejects a batch with a bad line', () => {
    const pretty = JSON.stringify(JSON.parse(a), null, 2);
    expect(parseDaemonDocuments(`${header}\n${pretty}`)).toEqual([{ document: JSON.parse(a), json: a }]);
    expect(parseDaemonDocuments(`${header}\n${a}\n{"name":"x"}`)).toBeUndefined();
  });
});

describe('Function: startXRayReceiver', () => {
  it('stores segments sent over UDP and answers by trace id and time range', async () => {
    const emitter = createSegmentEmitter(receiver.address);
    const now = Date.now() / 1000;
    emitter.emit({
      id: '1111111111111111',
      trace_id: '1-aaaaaaaa-000000000000000000000001',
      name: 'a',
      start_time: now,
    });
    emitter.emit({
      id: '2222222222222222',
      trace_id: '1-aaaaaaaa-000000000000000000000002',
      name: 'b',
      start_time: now,
    });
    await arrived(2);

    const one = await receiver.segments({ traceId: '1-aaaaaaaa-000000000000000000000001' });
    const range = await receiver.segments({ startMs: now * 1000 - 1000, endMs: now * 1000 + 1000 });
    const before = await receiver.segments({ endMs: now * 1000 - 60_000 });
    emitter.close();

    expect(one.map((segment) => segment.name)).toEqual(['a']);
    expect(range.map((segment) => segment.name).sort()).toEqual(['a', 'b']);
    expect(before).toEqual([]);
  });

  it('sends nothing for a batch whose documents all fail to build, and the next batch arrives', async () => {
    const emitter = createSegmentEmitter(receiver.address, { batchWindowMs: 0 });
    const rejected = receiver.stats().rejected;
    const count = arrivals.length;
    emitter.emit(() => {
      throw new Error('segment cannot be built');
    });
    emitter.emit({
      id: '3333333333333333',
      trace_id: '1-aaaaaaaa-000000000000000000000003',
      name: 'c',
      start_time: Date.now() / 1000,
    });
    await arrived(count + 1);
    emitter.close();
    expect(arrivals.at(-1)?.name).toBe('c');
    expect(receiver.stats().rejected).toBe(rejected);
  });

  it('receives real segments from the Powertools tracer pointed at it by AWS_XRAY_DAEMON_ADDRESS', async () => {
    process.env.AWS_XRAY_DAEMON_ADDRESS = receiver.address;
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';
    const { Tracer } = await import('@aws-lambda-powertools/tracer');
    // The segment class comes from the SDK the tracer wraps; in Lambda the runtime supplies the facade segment.
    const { default: xray } = await import('aws-xray-sdk-core');
    const tracer = new Tracer({ serviceName: 'access' });
    const segment = new xray.Segment('boundless-access');
    const count = arrivals.length;

    xray.getNamespace().run(() => {
      tracer.setSegment(segment);
      tracer.getSegment()?.addNewSubsegment('## handler').close();
      segment.close();
    });
    await arrived(count + 1);

    const [stored] = await receiver.segments({ traceId: segment.trace_id });
    expect(stored).toMatchObject({ name: 'boundless-access', subsegments: [{ name: '## handler' }] });
    expect(receiver.stats().rejected).toBe(0);
  });
});
