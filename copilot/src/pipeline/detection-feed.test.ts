import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '../detect/types.ts';
import {
  readDetectionEvent,
  SCALE_OUT_DETAIL_TYPE,
  SCALE_OUT_EVENT_SOURCE,
  sqsDetectionFeed,
} from './detection-feed.ts';
import { EventBusStandIn } from './event-bus-stand-in.ts';

const detection: Detection = {
  kind: 'token_sharing',
  subject: { tokenId: 'tok-1', accountId: 'acct-1' },
  firstSeen: '2026-11-02T10:00:00.000Z',
  detectedAt: '2026-11-02T10:04:00.000Z',
  score: 0.96,
  evidence: { devices: 5, places: ['FR', 'BR'] },
  mitigation: 'revoke_token',
};
/** What EventBridge writes into an SQS message for a rule target. */
const event = (detail: unknown, overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: '0',
    id: 'e-1',
    'detail-type': SCALE_OUT_DETAIL_TYPE,
    source: SCALE_OUT_EVENT_SOURCE,
    account: '000000000000',
    time: '2026-11-02T10:04:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
    ...overrides,
  });

describe('Function: readDetectionEvent', () => {
  it('reads the detection out of an EventBridge event, with its id and family left behind', () => {
    expect(readDetectionEvent(event({ ...detection, id: 'd1', family: 'subject' }))).toEqual({
      ok: true,
      detection,
    });
  });

  it('names why a message is not a detection, without throwing', () => {
    expect(readDetectionEvent('{oops')).toMatchObject({ ok: false, reason: 'not_json' });
    expect(readDetectionEvent(undefined)).toMatchObject({ ok: false, reason: 'not_json' });
    expect(readDetectionEvent('{"hello":1}')).toMatchObject({ ok: false, reason: 'not_an_event' });
    expect(readDetectionEvent(event(detection, { source: 'aws.ec2' }))).toMatchObject({
      ok: false,
      reason: 'other_event',
    });
    expect(readDetectionEvent(event({ ...detection, score: 3 }))).toMatchObject({
      ok: false,
      reason: 'bad_detection',
      detail: expect.stringContaining('score'),
    });
    expect(readDetectionEvent(event({ ...detection, kind: 'port_scan' }))).toMatchObject({
      ok: false,
      reason: 'bad_detection',
    });
    expect(
      readDetectionEvent(event({ ...detection, subject: { tokenId: 'x', role: 'admin' } })),
    ).toMatchObject({
      ok: false,
      reason: 'bad_detection',
    });
  });
});

describe('Function: sqsDetectionFeed (the real SQS client against the stand-in)', () => {
  const bus = new EventBusStandIn();
  let sqs: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    const endpoint = await bus.start();
    queueUrl = bus.createQueue('copilot-detections');
    sqs = new SQSClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    sqs.destroy();
    await bus.stop();
  });

  it('hands on detections, counts and deletes what is unreadable, and deletes what it handled', async () => {
    for (let i = 0; i < 13; i += 1)
      bus.send('copilot-detections', event({ ...detection, subject: { tokenId: `tok-${i}` } }));
    bus.send('copilot-detections', 'not json at all');
    bus.send('copilot-detections', event(detection, { source: 'aws.ec2' }));
    const seen: Detection[] = [];
    const poll = await sqsDetectionFeed(sqs, { queueUrl }).poll(async (batch) => {
      seen.push(...batch);
    });
    expect(poll).toEqual({ detections: 13, skipped: { not_json: 1, other_event: 1 } });
    expect(seen.map((d) => d.subject.tokenId).sort()).toEqual(
      Array.from({ length: 13 }, (_, i) => `tok-${i}`).sort(),
    );
    expect(bus.depth('copilot-detections')).toBe(0);
  });

  it('leaves a batch whose handling failed on the queue, and reads it again once it is visible', async () => {
    bus.send('copilot-detections', event(detection));
    const feed = sqsDetectionFeed(sqs, { queueUrl });
    await expect(
      feed.poll(async () => {
        throw new Error('the store is down');
      }),
    ).rejects.toThrow('the store is down');
    expect(bus.depth('copilot-detections')).toBe(1);
    // In flight: not handed out again before its visibility timeout.
    expect((await feed.poll(async () => {})).detections).toBe(0);
    bus.nowMs += 31_000;
    const again: Detection[] = [];
    expect((await feed.poll(async (batch) => void again.push(...batch))).detections).toBe(1);
    expect(again).toEqual([detection]);
    expect(bus.depth('copilot-detections')).toBe(0);
  });

  it('bounds one poll to maxReceives batches', async () => {
    for (let i = 0; i < 25; i += 1) bus.send('copilot-detections', event(detection));
    const feed = sqsDetectionFeed(sqs, { queueUrl, maxReceives: 2 });
    expect((await feed.poll(async () => {})).detections).toBe(20);
    expect((await feed.poll(async () => {})).detections).toBe(5);
  });

  it('fails a poll on a queue that does not exist, with the service error', async () => {
    const feed = sqsDetectionFeed(sqs, { queueUrl: bus.queueUrl('missing') });
    await expect(feed.poll(async () => {})).rejects.toThrow(/does not exist/);
  });
});
