import { EDGE_TOKEN_VECTORS } from '@boundless/delivery/token-vectors';
import { describe, expect, it } from 'vitest';
import type { FieldLayout } from '../logs/cloudfront-line.ts';
import { LogLineView } from '../logs/log-line-view.ts';
import { assetStep, assetStepBytes } from './asset-path.ts';
import { bbtOf, hasExtraParams, refusalOf, tokenClaimsOf } from './edge-token.ts';
import { detectionToFinding } from './finding.ts';
import { SubjectTable } from './subject-table.ts';
import {
  ACCOUNT_END,
  DEVICE_END,
  KID_END,
  readEdgeToken,
  scopeBounds,
  TOKEN_END,
  TOKEN_ROW,
} from './line-token.ts';
import { bbt, T0 } from './test-support.ts';
import type { Detection } from './types.ts';

describe('Function: tokenClaimsOf', () => {
  it('reads token, account and device from the bbt parameter without verifying it', () => {
    const query = `x=1&bbt=${bbt({ tokenId: 'tok12345678', accountId: 'acc-9', device: 'abc', title: 't00003' })}`;
    expect(tokenClaimsOf(query)).toMatchObject({
      tokenId: 'tok12345678',
      accountId: 'acc-9',
      deviceHash: '0000000000000abc',
    });
    expect(bbtOf('bbtx=1')).toBe('');
    expect(tokenClaimsOf('bbt=v2.k.tok12345678.a.d.1.2.s.sig')).toBeUndefined();
    expect(tokenClaimsOf('bbt=v1.k.short.a.d.1.2.s.sig')).toBeUndefined();
    expect(hasExtraParams(query)).toBe(true);
    expect(hasExtraParams(`bbt=${bbt({ tokenId: 'tok12345678', accountId: 'a' })}`)).toBe(false);
  });

  it("explains a 403 by expiry, scope or, failing those, the function's device check", () => {
    const claims = tokenClaimsOf(`bbt=${bbt({ tokenId: 'tok12345678', accountId: 'a', title: 't00003' })}`);
    const fn = 'FunctionGeneratedResponse';
    expect(refusalOf(claims, '/titles/t00003/ch001.xhtml', T0, fn)).toBe('device_mismatch');
    expect(refusalOf(claims, '/titles/t00004/ch001.xhtml', T0, fn)).toBe('out_of_scope');
    expect(refusalOf(claims, '/titles/t00003/ch001.xhtml', T0 + 2 * 86_400_000, fn)).toBe('expired');
    expect(refusalOf(undefined, '/titles/t00003/ch001.xhtml', T0, fn)).toBe('missing_token');
    // Refused before the function (a WAF block, a signed-cookie failure): no evidence about devices.
    expect(refusalOf(claims, '/titles/t00003/ch001.xhtml', T0, 'Error')).toBe('refused_upstream');
  });
});

/** A log line of two fields, the second the query, as the byte scanner would have laid it out. */
function queryLine(query: string): LogLineView {
  const view = new LogLineView();
  view.buf = Buffer.from(`-\t${query}`);
  view.tabs[0] = -1;
  view.tabs[1] = 1;
  view.tabs[2] = view.buf.length;
  view.layout = { query: 1, count: 2 } as FieldLayout;
  return view;
}

describe('Test vectors: the detectors read the claims the codec issued', () => {
  const valid = EDGE_TOKEN_VECTORS.flatMap((v) => (v.expect === 'valid' ? [v] : []));
  const unreadable = ['empty', 'version 2', 'token id of seven characters'];

  it.each(valid)('tokenClaimsOf reads "$name"', (vector) => {
    expect(tokenClaimsOf(`lang=en&bbt=${vector.token}`)).toEqual({
      tokenId: vector.claims.tokenId,
      accountId: vector.claims.accountId,
      deviceHash: vector.claims.deviceHash,
      exp: vector.claims.exp,
      scopeEncoded: Buffer.from(vector.claims.scope).toString('base64url'),
    });
  });

  it.each(valid)('the byte reader finds the fields of "$name" in place', (vector) => {
    const view = queryLine(`bbt=${vector.token}&x=1`);
    const row = new Int32Array(TOKEN_ROW);
    expect(readEdgeToken(view, row, 0)).toBe(true);
    const field = (from: number, to: number) => view.buf.toString('latin1', from + 1, to);
    expect(field(row[KID_END]!, row[TOKEN_END]!)).toBe(vector.claims.tokenId);
    expect(field(row[TOKEN_END]!, row[ACCOUNT_END]!)).toBe(vector.claims.accountId);
    expect(field(row[ACCOUNT_END]!, row[DEVICE_END]!)).toBe(vector.claims.deviceHash);
  });

  it('the byte reader finds the scope tokenClaimsOf reads, wherever the token sits and however it ends', () => {
    const queries = [
      ...valid.flatMap((v) => [`bbt=${v.token}`, `bbt=${v.token}&x=1`, `lang=en&bbt=${v.token}&page=2`]),
      'bbt=v1.k.tok0000000001.acc-1.0123abcd.1.2',
      'bbt=v1.k.tok0000000001.acc-1.0123abcd.1.2.&x=L3Rvbw.y',
      'bbt=v1.k.tok0000000001.acc-1.0123abcd.1.2.L3RpdGxlcy8',
      'bbt=v1.k.tok0000000001.acc-1.0123abcd.1.2.L3RpdGxlcy8.sig',
      'x=1&bbt=v1.k.tok0000000001.acc-1.0123abcd.1.2.L3RpdGxlcy8.sig&y=2',
    ];
    const row = new Int32Array(TOKEN_ROW);
    const bounds = new Int32Array(2);
    const scopes: string[] = [];
    for (const query of queries) {
      const view = queryLine(query);
      expect(readEdgeToken(view, row, 0)).toBe(true);
      scopeBounds(view, row, 0, bounds);
      const scope = view.buf.toString('latin1', bounds[0]!, bounds[1]!);
      expect(scope).toBe(tokenClaimsOf(query)?.scopeEncoded);
      scopes.push(scope);
    }
    // Not a reader that always answers '': these lines name scopes, some of them none.
    expect(scopes.filter((s) => s.length > 0).length).toBe(valid.length * 3 + 2);
  });

  it.each(EDGE_TOKEN_VECTORS.filter((v) => unreadable.includes(v.name)))('both refuse "$name"', (vector) => {
    expect(tokenClaimsOf(`bbt=${vector.token}`)).toBeUndefined();
    expect(readEdgeToken(queryLine(`bbt=${vector.token}`), new Int32Array(TOKEN_ROW), 0)).toBe(false);
  });
});

describe('Class: SubjectTable', () => {
  it('forgets idle subjects and starts a new episode for them', () => {
    const table = new SubjectTable<{ lastSeenMs: number; hits: number }>(1_000, (_k, t) => ({
      lastSeenMs: t,
      hits: 0,
    }));
    table.get('a', 0).hits++;
    table.get('b', 500).hits++;
    expect(table.get('a', 900).hits).toBe(1);
    for (let t = 1_000; t <= 4_000; t += 500) table.get('b', t).lastSeenMs = t;
    expect(table.peek('a')).toBeUndefined();
    expect(table.size).toBeLessThanOrEqual(2);
    expect(table.get('a', 4_100).hits).toBe(0);
  });
});

describe('Function: detectionToFinding', () => {
  it('keeps the detection and derives a stable id', () => {
    const detection: Detection = {
      kind: 'scraping',
      subject: { accountId: 'acc-1', ip: '203.0.113.9' },
      firstSeen: '2026-11-02T08:00:00.000Z',
      detectedAt: '2026-11-02T08:01:00.000Z',
      score: 0.9,
      evidence: { reasons: ['pace', 'coverage'], behaviours: ['scraping'] },
      mitigation: 'force_reauth',
    };
    const finding = detectionToFinding(detection);
    expect(finding).toMatchObject({ kind: 'scraping', severity: 'critical', subject: detection.subject });
    expect(finding.summary).toBe('Scraping by account acc-1 from 203.0.113.9 (pace, coverage)');
    const both = detectionToFinding({
      ...detection,
      subject: { tokenId: 'tokWide01', accountId: 'acc-2' },
      evidence: { reasons: ['churn', 'pace'], behaviours: ['scraping', 'token_sharing'] },
    });
    expect(both.summary).toBe(
      'Scraping and sharing by token tokWide01 of account acc-2, pulling content through many networks (churn, pace)',
    );
    expect(detectionToFinding({ ...detection, detectedAt: '2026-11-02T09:00:00.000Z' }).id).toBe(finding.id);
  });
});

describe('Function: assetStepBytes', () => {
  const steps = ['none', 'next', 'next_container'];
  const pairs: Array<[string, string]> = [
    ['/titles/t00041/epub/ch007.xhtml', '/titles/t00041/epub/ch008.xhtml'],
    ['/titles/t00041/epub/ch007.xhtml', '/titles/t00041/epub/ch007.xhtml'],
    ['/titles/t00041/epub/ch060.xhtml', '/titles/t00042/manifest.json'],
    ['/titles/t00041/epub/ch009.xhtml', '/titles/t00041/epub/ch010.xhtml'],
    ['/titles/t00041/epub/ch9.xhtml', '/titles/t00041/epub/ch10.xhtml'],
    ['/titles/t00041/epub/ch007.xhtml', '/titles/t00041/epub/ch009.xhtml'],
    ['/titles/t00041/', '/titles/t00041/epub'],
    ['/a/1', '/a/2x'],
    ['', '/a/1'],
    ['/títulos/ch1/é', '/títulos/ch2/é'],
    ['/títulos/ch1/é', '/títulos/ch2/è'],
    ['/x/ñ1', '/x/ñ2'],
    ['/x/1ñ', '/x/2'],
  ];
  it('steps exactly as assetStep does on the strings, over their UTF-8 bytes', () => {
    for (const [previous, current] of pairs) {
      for (const [a, b] of [
        [previous, current],
        [current, previous],
      ] as const) {
        const before = Buffer.from(a, 'utf8');
        const after = Buffer.from(`..${b}..`, 'utf8');
        const step = assetStepBytes(before, before.length, after, 2, after.length - 2);
        expect(steps[step], `${a} -> ${b}`).toBe(assetStep(a, b));
      }
    }
  });
});
