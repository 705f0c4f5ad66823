/**
 * A finding's escalation on the live path, with real parts: log lines in a folder, the pipeline and its ledger,
 * the store in an embedded DynamoDB through the AWS SDK, the mitigation engine and a recording port, and the
 * service's API over HTTP. An account is read in two countries at once (observed: a glimpse, worth a look),
 * then in a third (the finding proper, past the re-authentication policy's bar).
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalIdentityIssuer } from '@boundless/delivery/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMitigationConfig } from '../mitigation/config.ts';
import type { Mitigation, MitigationPort } from '../mitigation/types.ts';
import { type CopilotService, startCopilotService } from '../service/server.ts';
import { CopilotStore, type StoredFinding } from '../state/copilot-store.ts';
import { startTestDynamo, type TestDynamo } from '../state/test-dynamo.ts';
import { localStandardLogFeed } from './feeds.ts';
import { CopilotPipeline } from './pipeline.ts';

const FIELDS = 'date time c-ip cs-method cs-uri-stem sc-status cs(User-Agent) cs-uri-query x-edge-request-id';
const T0 = Date.UTC(2026, 10, 2, 10, 0, 0);
const ACCOUNT = 'acct-77';
const token = (id: string, device: string) =>
  `v1.k1.${id}.${ACCOUNT}.${device}.1793000000.1799999999.L3RpdGxlcy8.sig`;
/** Three devices of one account, each at home in its own country (Germany, Brazil, the United States). */
const READERS = [
  { ip: '81.169.145.10', token: token('tok_home_0001', 'aaaaaaaaaaaaaaa1') },
  { ip: '200.147.67.10', token: token('tok_away_0002', 'bbbbbbbbbbbbbbb2') },
  { ip: '24.0.0.1', token: token('tok_third_0003', 'ccccccccccccccc3') },
];

let seq = 0;
/** A request every ten seconds from each reader that has begun, over [fromS, toS) seconds after T0. */
function lines(fromS: number, toS: number, startS: readonly number[]): string {
  const out: string[] = [];
  for (let s = fromS; s < toS; s += 10) {
    READERS.forEach((reader, i) => {
      if (s < (startS[i] as number)) return;
      const at = new Date(T0 + s * 1000).toISOString();
      seq += 1;
      out.push(
        [
          at.slice(0, 10),
          at.slice(11, 19),
          reader.ip,
          'GET',
          '/titles/t1/book.epub',
          '200',
          'Reader/1.0',
          `bbt=${reader.token}`,
          `req-${seq}`,
        ].join('\t'),
      );
    });
  }
  return `${out.join('\n')}\n`;
}
/** Germany from the start, Brazil a minute later, the United States from the fifth minute. */
const STARTS = [0, 60, 300];

const dir = mkdtempSync(join(tmpdir(), 'escalation-live-'));
const logDir = join(dir, 'logs');
const LOG = join(logDir, 'E1TEST.2026-11-02-10.live0001');
const port = new (class implements MitigationPort {
  readonly applied: Mitigation[] = [];
  async apply(m: Mitigation) {
    this.applied.push(m);
  }
  async lift() {}
})();
let dynamo: TestDynamo;
let store: CopilotStore;
let issuer: LocalIdentityIssuer;
let pipeline: CopilotPipeline;
let service: CopilotService;

function newPipeline(): CopilotPipeline {
  return new CopilotPipeline({
    store,
    feeds: [localStandardLogFeed(logDir, store)],
    port,
    mitigation: loadMitigationConfig(),
    pollIntervalMs: 60_000,
  });
}

const accountFindings = async (): Promise<StoredFinding[]> =>
  (await store.listFindings()).filter((f) => f.subject.accountId === ACCOUNT && !f.subject.tokenId);

async function api(path: string, init: RequestInit = {}) {
  const bearer = await issuer.issue({ sub: 'on-call-1', groups: ['on_call'] });
  const response = await fetch(`${service.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
  });
  // biome-ignore lint/suspicious/noExplicitAny: the assertions read the API's JSON
  return { status: response.status, body: (await response.json()) as any };
}

beforeAll(async () => {
  mkdirSync(logDir);
  writeFileSync(LOG, `#Version: 1.0\n#Fields: ${FIELDS}\n`);
  dynamo = await startTestDynamo();
  store = await CopilotStore.open(dynamo.client, 'copilot-escalation');
  issuer = await LocalIdentityIssuer.create({
    keyDir: join(dir, 'keys'),
    issuer: 'https://identity.boundless.local',
    audience: 'boundless-copilot',
  });
  pipeline = newPipeline();
  service = await startCopilotService({ store, pipeline, identity: issuer.settings() });
});

afterAll(async () => {
  await pipeline?.stop();
  await service?.close();
  await dynamo?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('A finding escalated on the live path', () => {
  it('stores the observed finding and takes no action on it', async () => {
    appendFileSync(LOG, lines(0, 180, STARTS));
    await pipeline.tick();

    const [observed, ...more] = await accountFindings();
    expect(more).toEqual([]);
    expect(observed).toMatchObject({ kind: 'token_sharing', score: 0.3, decision: { outcome: 'skip' } });
    expect(observed?.escalates).toBeUndefined();
    expect(port.applied).toEqual([]);
  });

  it('stores the escalation under its own id, naming the observed one, and acts on it once', async () => {
    appendFileSync(LOG, lines(180, 600, STARTS));
    await pipeline.tick();

    const [escalation, observed, ...more] = await accountFindings();
    expect(more).toEqual([]);
    expect(escalation?.id).not.toBe(observed?.id);
    expect(escalation).toMatchObject({
      score: 0.85,
      escalates: { id: observed?.id, detectedAt: observed?.detectedAt },
      decision: { outcome: 'apply', reason: 'reauthenticate-shared-account' },
    });
    expect(observed).toMatchObject({
      decision: { outcome: 'skip' },
      escalatedBy: { id: escalation?.id, detectedAt: escalation?.detectedAt },
    });
    expect(port.applied).toHaveLength(1);
    expect(port.applied[0]).toMatchObject({
      id: escalation?.decision?.mitigationId,
      action: 'force_reauth',
      target: { accountId: ACCOUNT },
    });
  });

  it('stores neither again when every line is read a second time after a restart from a lost checkpoint', async () => {
    const before = await store.listFindings();
    await pipeline.stop();
    await store.save('cloudfront-local', '');
    pipeline = newPipeline();
    await pipeline.start();
    await pipeline.stop();

    expect(await store.listFindings()).toEqual(before);
    expect(pipeline.counters.findings).toBe(0);
    expect(pipeline.counters.suppressed).toBeGreaterThan(0);
    expect(port.applied).toHaveLength(1);
  });

  it('lists both for the subject through the API, the escalation current and each acknowledged by its own id', async () => {
    const listed = await api('/api/findings?kind=token_sharing');
    const rows = (listed.body.findings as StoredFinding[]).filter((f) => f.subject.accountId === ACCOUNT);
    expect(rows.map((f) => [f.score, f.decision?.outcome, f.escalatedBy === undefined])).toEqual([
      [0.85, 'apply', true],
      [0.3, 'skip', false],
    ]);
    const [current, earlier] = rows as [StoredFinding, StoredFinding];

    const ack = await api(`/api/findings/${earlier.id}/acknowledge`, {
      method: 'POST',
      body: JSON.stringify({ note: 'seen: the glimpse before the re-authentication' }),
    });
    expect(ack).toMatchObject({ status: 200, body: { acknowledged: { findingId: earlier.id } } });
    const audit = await api(`/api/audit?day=${String(ack.body.acknowledged.at).slice(0, 10)}`);
    const acknowledged = (audit.body.entries as { action: string; subject: string }[]).filter(
      (e) => e.action === 'finding:acknowledged',
    );
    expect(acknowledged.map((e) => e.subject)).toEqual([earlier.id]);
    expect(current.escalates?.id).toBe(earlier.id);
  });
});
