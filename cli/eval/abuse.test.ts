import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudFrontLogHeader, cloudFrontLogTimestamp, formatCloudFrontLogLine } from '@boundless/delivery';
import { describe, expect, it } from 'vitest';
import { testGeo } from '@boundless/copilot/testing';
import {
  type AbuseLabel,
  labelOutcomes,
  legitimateImpact,
  matches,
  poolEvaluations,
  type ReaderDirectory,
  scoreAll,
  scoreKind,
} from './abuse.ts';
import { evaluateAbuse } from './abuse-run.ts';

const label: AbuseLabel = {
  kind: 'scraping',
  subject: { ip: '203.0.113.5', accountId: 'acc-s' },
  start: '2026-11-02T08:00:00.500Z',
  end: '2026-11-02T08:30:00.000Z',
};

describe('Function: matches (DESIGN §4.3)', () => {
  it('needs the kind, one shared subject key and start ≤ detectedAt ≤ end + 5 min', () => {
    const detection = {
      kind: 'scraping' as const,
      subject: { accountId: 'acc-s' },
      detectedAt: '2026-11-02T08:34:59.000Z',
    };
    expect(matches(detection, label)).toBe(true);
    expect(matches({ ...detection, detectedAt: '2026-11-02T08:35:01.000Z' }, label)).toBe(false);
    expect(matches({ ...detection, detectedAt: '2026-11-02T08:00:00.000Z' }, label)).toBe(false);
    expect(matches({ ...detection, kind: 'token_sharing' }, label)).toBe(false);
    expect(matches({ ...detection, subject: { ip: '203.0.113.6' } }, label)).toBe(false);
  });
});

describe('Function: scoreKind', () => {
  it('counts distinct subjects for precision, labels for recall, first match for latency', () => {
    const at = (s: string) => `2026-11-02T08:${s}.000Z`;
    const score = scoreKind(
      'scraping',
      [
        { kind: 'scraping', subject: { accountId: 'acc-s', ip: '203.0.113.5' }, detectedAt: at('01:00') },
        { kind: 'scraping', subject: { accountId: 'acc-s', ip: '203.0.113.5' }, detectedAt: at('02:00') },
        { kind: 'scraping', subject: { ip: '198.51.100.1' }, detectedAt: at('03:00') },
      ],
      [label, { ...label, subject: { ip: '192.0.2.1' } }],
    );
    expect(score).toMatchObject({
      detections: 2,
      truePositives: 1,
      precision: 0.5,
      recall: 0.5,
      latencyMedianSeconds: 59.5,
    });
  });
});

describe('Function: labelOutcomes', () => {
  it('gives each label its first matching detection and latency, and null for a missed one', () => {
    const at = (s: string) => `2026-11-02T08:${s}.000Z`;
    const missed = { ...label, subject: { ip: '192.0.2.1' } };
    const outcomes = labelOutcomes(
      [
        { kind: 'scraping', subject: { accountId: 'acc-s' }, detectedAt: at('02:00') },
        { kind: 'scraping', subject: { accountId: 'acc-s' }, detectedAt: at('01:00') },
        { kind: 'token_sharing', subject: { ip: '192.0.2.1' }, detectedAt: at('01:00') },
      ],
      [label, missed],
    );
    expect(outcomes).toEqual([
      { ...label, detectedAt: at('01:00'), latencySeconds: 59.5 },
      { ...missed, detectedAt: null, latencySeconds: null },
    ]);
  });
});

describe('Function: scoreAll', () => {
  it('pools the kinds: distinct (kind, subject) detections for precision, every label for recall', () => {
    const at = '2026-11-02T08:01:00.000Z';
    const spike: AbuseLabel = {
      kind: 'geo_spike',
      subject: { country: 'VN' },
      start: label.start,
      end: label.end,
    };
    const score = scoreAll(
      [
        { kind: 'scraping', subject: { accountId: 'acc-s' }, detectedAt: at },
        { kind: 'token_sharing', subject: { accountId: 'acc-s' }, detectedAt: at },
      ],
      [label, spike],
    );
    expect(score).toMatchObject({
      labels: 2,
      detected: 1,
      detections: 2,
      truePositives: 1,
      precision: 0.5,
      recall: 0.5,
    });
  });
});

describe('Function: legitimateImpact', () => {
  it('counts the legitimate readers each kind of action reaches, by account, token or address', () => {
    const directory: ReaderDirectory = {
      accounts: new Map([
        ['alice', { tokens: new Set(['tokA']), ips: new Set(['10.0.0.1']) }],
        ['bob', { tokens: new Set(['tokB']), ips: new Set(['10.0.0.1']) }],
        ['carol', { tokens: new Set(['tokC']), ips: new Set(['10.0.0.3']) }],
      ]),
    };
    const legit = new Set(['alice', 'bob', 'carol']);
    const impact = legitimateImpact(
      [{ subject: { accountId: 'carol' } }],
      [
        { action: 'force_reauth', target: { accountId: 'carol' } },
        // An address rate-limited: both readers behind it are throttled.
        { action: 'rate_limit', target: { ip: '10.0.0.1' } },
        { action: 'revoke_token', target: { tokenId: 'tokA' } },
      ],
      directory,
      legit,
    );
    expect(impact).toEqual({
      readers: 3,
      detected: 1,
      mitigated: 3,
      reauthenticated: 1,
      shortened: 0,
      throttled: 2,
      denied: 1,
    });
  });
});

describe('Function: poolEvaluations', () => {
  it('sums counts over runs and takes latency medians over every run’s labels', () => {
    const run = (detected: number, latencies: number[]) => {
      const kind = (k: 'token_sharing' | 'scraping' | 'geo_spike', n: number) => ({
        kind: k,
        labels: 2,
        detected: n,
        detections: n,
        truePositives: n,
        precision: 1,
        recall: n / 2,
        f1: 0,
        latencyMedianSeconds: null,
        latencyP90Seconds: null,
      });
      return {
        lines: 100,
        labels: 6,
        kinds: [kind('token_sharing', detected), kind('scraping', 2), kind('geo_spike', 2)],
        latencies,
        kindLatencies: { token_sharing: latencies, scraping: [], geo_spike: [] },
        legitimate: {
          readers: 10,
          detected: 1,
          mitigated: 1,
          reauthenticated: 1,
          shortened: 0,
          throttled: 0,
          denied: 0,
        },
        mitigations: { applied: 3 },
        baseline: { scraping: kind('scraping', 1), latencies: [100], legitimateReadersHit: 2 },
      };
    };
    const pooled = poolEvaluations([run(2, [10, 20]), run(1, [30])]);
    expect(pooled.overall).toMatchObject({
      labels: 12,
      detected: 11,
      precision: 1,
      latencyMedianSeconds: 20,
    });
    expect(pooled.legitimate).toMatchObject({ readers: 20, mitigated: 2 });
    expect(pooled.baseline.legitimateReadersHitShare).toBeCloseTo(0.2);
  });
});

describe('Function: evaluateAbuse', () => {
  it('scores a labelled directory and counts legitimate readers hit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-abuse-'));
    const t0 = Date.UTC(2026, 10, 2, 8);
    let text = cloudFrontLogHeader();
    const bbt = (tokenId: string, account: string) =>
      `bbt=v1.k1.${tokenId}.${account}.0123456789abcdef.${t0 / 1000}.${t0 / 1000 + 9_999}.L3RpdGxlcy90MS8.sig`;
    for (let i = 0; i < 10; i++) {
      text += formatCloudFrontLogLine({
        ...cloudFrontLogTimestamp(t0 + i * 30_000),
        'c-ip': i % 2 === 0 ? '10.1.0.1' : '10.3.0.1',
        'cs-uri-stem': `/titles/t1/epub/ch00${i}.xhtml`,
        'sc-status': 200,
        'cs-uri-query': bbt('tokShared0001', 'victim'),
      });
      text += formatCloudFrontLogLine({
        ...cloudFrontLogTimestamp(t0 + i * 30_000 + 5_000),
        'c-ip': '10.1.0.1',
        'cs-uri-stem': `/titles/t1/epub/ch00${i}.xhtml`,
        'sc-status': 200,
        'cs-uri-query': bbt('tokReader0001', 'reader'),
      });
    }
    writeFileSync(join(dir, 'E2.2026-11-02-08.a.log'), text);
    const shared = {
      kind: 'token_sharing',
      subject: { tokenId: 'tokShared0001' },
      start: '2026-11-02T08:00:00.000Z',
      end: '2026-11-02T08:05:00.000Z',
    };
    const elsewhere = { ...shared, kind: 'scraping', subject: { accountId: 'nobody' } };
    writeFileSync(join(dir, 'labels.jsonl'), `${JSON.stringify(shared)}\n${JSON.stringify(elsewhere)}\n`);
    const evaluation = await evaluateAbuse(dir, testGeo);
    expect(evaluation.kinds[0]).toMatchObject({
      kind: 'token_sharing',
      labels: 1,
      detected: 1,
      precision: 1,
    });
    expect(evaluation.legitimateReaders).toBe(1);
    expect(evaluation.legitimateReadersHit).toBe(0);
    expect(evaluation.legitimate).toMatchObject({ readers: 1, mitigated: 0, denied: 0 });
    expect(evaluation.overall).toMatchObject({ labels: 2, detected: 1 });
    expect(evaluation.outcomes.map((o) => [o.subject, o.detectedAt === null])).toEqual([
      [shared.subject, false],
      [elsewhere.subject, true],
    ]);
    expect(evaluation.legitimateNamed).toEqual([]);
    expect(evaluation.baseline.grid.length).toBeGreaterThan(5);
  });
});

describe('Function: evaluateAbuse, labels that are not labels', () => {
  const good = {
    kind: 'scraping',
    subject: { accountId: 'acc-s' },
    start: '2026-11-02T08:00:00.000Z',
    end: '2026-11-02T08:30:00.000Z',
  };
  const labelledDir = (labels: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-abuse-labels-'));
    writeFileSync(join(dir, 'E2.2026-11-02-08.a.log'), cloudFrontLogHeader());
    writeFileSync(join(dir, 'labels.jsonl'), labels);
    return dir;
  };

  it.each([
    ['no end', { ...good, end: undefined }, 'bad end'],
    ['an end before its start', { ...good, end: '2026-11-02T07:00:00.000Z' }, 'end before start'],
    ['no subject', { ...good, subject: undefined }, 'no subject'],
    ['a subject of none of the matched keys', { ...good, subject: { reader: 'r1' } }, 'a subject without'],
    ['a subject key that is no string', { ...good, subject: { accountId: 42 } }, 'subject accountId is not'],
    ['an empty subject key', { ...good, subject: { ip: '' } }, 'subject ip is not'],
    ['null', null, 'not an object'],
  ])('names the line of a label with %s', async (_what, bad, reason) => {
    const dir = labelledDir(`${JSON.stringify(good)}\n${JSON.stringify(bad)}\n`);
    await expect(evaluateAbuse(dir, testGeo)).rejects.toThrow(`labels.jsonl:2: not a label (${reason}`);
  });

  it('scores an empty labels file as no labels, every reader legitimate', async () => {
    const evaluation = await evaluateAbuse(labelledDir(''), testGeo);
    expect([evaluation.labels, evaluation.outcomes, evaluation.overall.recall]).toEqual([0, [], 0]);
  });
});
