import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadMitigationConfig, type Mitigation, type MitigationPort } from '@boundless/copilot/mitigation';
import { CopilotPipeline, localStandardLogFeed, sqsDetectionFeed } from '@boundless/copilot/pipeline';
import type { Finding } from '@boundless/copilot/service';
import { CopilotStore } from '@boundless/copilot/state';
import { EventBusStandIn, LOCAL_AWS as local } from '@boundless/copilot/testing';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmittedDetection } from '../scale-out/consumer.ts';
import { EventBridgeDetectionSink } from '../scale-out/detection-sink.ts';
import { routeDetectionsToQueue } from './test-support.ts';

// In AWS the copilot's own detectors (on the real-time stream and standard logs) and the scale-out consumer (on
// the same real-time logs) can both fire on one abuser. Both reach the pipeline: the finding ledger's episode
// key (kind and subject, within an episode of event time) must keep it one finding and one mitigation.
const BUS = 'boundless-detections';
const QUEUE = 'boundless-copilot-detections';
const dir = mkdtempSync(join(tmpdir(), 'seen-twice-'));
const logDir = join(dir, 'logs');
mkdirSync(logDir);
const LOG = join(logDir, 'E1TEST.2026-11-02-10.abcd1234');
const FIELDS = 'date time c-ip cs-method cs-uri-stem sc-status cs(User-Agent) cs-uri-query x-edge-request-id';
const dynamo = dynalite({ createTableMs: 0 });
const events = new EventBusStandIn();
const applied: Mitigation[] = [];
const port: MitigationPort = {
  apply: async (m) => void applied.push(m),
  lift: async () => {},
};
let store: CopilotStore;
let pipeline: CopilotPipeline;
let sink: EventBridgeDetectionSink;
let eventBridge: EventBridgeClient;
let sqs: SQSClient;
let requestSeq = 0;

/** A reader in Germany and a copy of their token in Brazil seconds apart: impossible travel. */
function lines(tokenId: string, accountId: string, fromSecond: number, count: number): string {
  const token = `v1.k1.${tokenId}.${accountId}.0123456789abcdef.1793000000.1799999999.L3RpdGxlcy8.sig`;
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const ip = i % 2 === 0 ? '81.169.145.10' : '200.147.67.10';
    requestSeq += 1;
    const time = `10:00:${String(fromSecond + i).padStart(2, '0')}`;
    const fields = ['2026-11-02', time, ip, 'GET', '/titles/t1/book.epub', '200', 'Reader/1.0'];
    out.push([...fields, `bbt=${token}`, `req-${requestSeq}`].join('\t'));
  }
  return `${out.join('\n')}\n`;
}

/** What the scale-out consumer emits for the same behaviour: the detection, with its id and family. */
const scaleOutCopy = (finding: Finding, overrides: Partial<EmittedDetection> = {}): EmittedDetection => ({
  id: `so-${finding.id}`,
  family: 'subject' as EmittedDetection['family'],
  kind: finding.kind as EmittedDetection['kind'],
  subject: finding.subject as EmittedDetection['subject'],
  firstSeen: finding.firstSeen,
  detectedAt: finding.detectedAt,
  score: finding.score,
  evidence: finding.evidence,
  mitigation: finding.mitigation ?? 'force_reauth',
  ...overrides,
});

const findingsOf = async (tokenId: string) =>
  (await store.listFindings()).filter((f) => f.subject.tokenId === tokenId);
const mitigationsOf = (accountId: string) => applied.filter((m) => m.target.accountId === accountId);

beforeAll(async () => {
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const endpoint = await events.start();
  const queueUrl = routeDetectionsToQueue(events, BUS, QUEUE);
  eventBridge = new EventBridgeClient({ ...local, endpoint });
  sqs = new SQSClient({ ...local, endpoint });
  sink = new EventBridgeDetectionSink(eventBridge, BUS);
  const dynamoClient = new DynamoDBClient({
    ...local,
    endpoint: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
  });
  store = await CopilotStore.open(dynamoClient, 'copilot-seen-twice');
  writeFileSync(LOG, `#Version: 1.0\n#Fields: ${FIELDS}\n`);
  pipeline = new CopilotPipeline({
    store,
    feeds: [localStandardLogFeed(logDir, store)],
    detectionFeeds: [sqsDetectionFeed(sqs, { queueUrl })],
    port,
    mitigation: loadMitigationConfig(),
    pollIntervalMs: 60_000,
  });
});

afterAll(async () => {
  await pipeline?.stop();
  eventBridge?.destroy();
  sqs?.destroy();
  await events.stop();
  await new Promise<void>((resolve) => dynamo.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('a detection both the copilot and the scale-out consumer make', () => {
  it('is one finding and one mitigation when the copilot’s own detectors fire first', async () => {
    appendFileSync(LOG, lines('tok_twice_0001', 'acct-71', 0, 6));
    await pipeline.tick();
    const [own] = await findingsOf('tok_twice_0001');
    expect(own).toMatchObject({ kind: 'token_sharing', subject: { tokenId: 'tok_twice_0001' } });
    expect(mitigationsOf('acct-71')).toHaveLength(1);

    // The same detection, and one the consumer fired a little later on a differently batched stream.
    const later = new Date(Date.parse(own!.detectedAt) + 20_000).toISOString();
    await sink.emit([scaleOutCopy(own!), scaleOutCopy(own!, { id: 'so-later', detectedAt: later })]);
    expect(events.depth(QUEUE)).toBe(2);
    await pipeline.tick();
    expect(events.depth(QUEUE)).toBe(0);
    expect(await findingsOf('tok_twice_0001')).toEqual([own]);
    expect(mitigationsOf('acct-71')).toHaveLength(1);
    expect(pipeline.counters.suppressed).toBeGreaterThanOrEqual(2);
  });

  it('is one finding and one mitigation when the scale-out copy arrives first', async () => {
    // Learn what the detectors make of this reader's behaviour without feeding the pipeline: a copy of the
    // finding under another token, whose subject is then renamed.
    appendFileSync(LOG, lines('tok_probe_0002', 'acct-72', 10, 6));
    await pipeline.tick();
    const [probe] = await findingsOf('tok_probe_0002');
    expect(probe).toBeDefined();
    const subject = { ...probe!.subject, tokenId: 'tok_twice_0002', accountId: 'acct-73' };
    await sink.emit([scaleOutCopy(probe!, { id: 'so-first', subject })]);
    await pipeline.tick();
    expect(await findingsOf('tok_twice_0002')).toHaveLength(1);
    expect(mitigationsOf('acct-73')).toHaveLength(1);

    // Now the copilot's own detectors see the same behaviour of that token: they fire, and the ledger holds it.
    const before = { ...pipeline.counters };
    appendFileSync(LOG, lines('tok_twice_0002', 'acct-73', 10, 6));
    await pipeline.tick();
    expect(pipeline.counters.detections).toBeGreaterThan(before.detections);
    expect(pipeline.counters.suppressed).toBeGreaterThan(before.suppressed);
    expect(await findingsOf('tok_twice_0002')).toHaveLength(1);
    expect(mitigationsOf('acct-73')).toHaveLength(1);
  });

  it('opens a second finding when the scale-out detection is of a later episode (the key is not just the subject)', async () => {
    const [own] = await findingsOf('tok_twice_0001');
    const nextDay = (iso: string) => new Date(Date.parse(iso) + 86_400_000).toISOString();
    await sink.emit([
      scaleOutCopy(own!, {
        id: 'so-next-day',
        firstSeen: nextDay(own!.firstSeen),
        detectedAt: nextDay(own!.detectedAt),
      }),
    ]);
    await pipeline.tick();
    expect(await findingsOf('tok_twice_0001')).toHaveLength(2);
  });
});
