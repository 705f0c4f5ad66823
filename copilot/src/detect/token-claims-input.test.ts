import { describe, expect, it } from 'vitest';
import { chapter, MIN, PATHS, readingSession, request, runDetectors, T0 } from './test-support.ts';

describe.each(PATHS)('Engine: a token whose claims change between its requests, through %s', (path) => {
  it("reports the account the token's latest request claims, not the one it first claimed", () => {
    // One token id read in the US, then minutes later in Korea under another account and device claim.
    const records = [
      ...readingSession(T0, '10.1.0.5', { tokenId: 'tokSwitch01', accountId: 'acc-first', device: 'd1' }),
      ...readingSession(T0 + 3 * MIN, '10.3.0.9', {
        tokenId: 'tokSwitch01',
        accountId: 'acc-second',
        device: 'd2',
        title: 't00002',
      }),
    ];
    const tokenFindings = runDetectors(records, path).filter((d) => d.subject.tokenId === 'tokSwitch01');
    expect(tokenFindings.length).toBeGreaterThan(0);
    for (const d of tokenFindings) expect(d.subject.accountId).toBe('acc-second');
  });
});

/**
 * Chapter requests per minute by country (`10.<n>`), each from a token and address of its own; `account` names
 * the account each request claims.
 */
function tokenedTraffic(surge: (minute: number, net: number) => boolean, account: (i: number) => string) {
  const out = [];
  for (let m = 0; m < 100; m++) {
    for (const net of [1, 5, 6, 9]) {
      const n = surge(m, net) ? 200 : 20;
      for (let i = 0; i < n; i++) {
        const ip = `10.${net}.${(m * 7 + i) % 250}.${(i * 13) % 250}`;
        const token = {
          tokenId: `tok${net}m${m}r${i}`.padEnd(12, 'x'),
          accountId: account(i),
          device: `d${i}`,
        };
        out.push(
          request(T0 + m * MIN + Math.floor((i * 60_000) / n), ip, chapter('t00001', 1 + (i % 9)), { token }),
        );
      }
    }
  }
  return out;
}

describe.each(PATHS)('Engine: a geo spike counts the accounts its tokens claim, through %s', (path) => {
  const franceSurges = (m: number, net: number) => net === 6 && m >= 80;

  it('flags a country whose distinct accounts surge', () => {
    const detections = runDetectors(
      tokenedTraffic(franceSurges, (i) => `reader-${i}`),
      path,
    ).filter((d) => d.kind === 'geo_spike');
    expect(detections.map((d) => d.subject)).toEqual([{ country: 'FR' }]);
  });

  it('counts one account reading from many tokens and addresses as one reader, no spike', () => {
    const detections = runDetectors(
      tokenedTraffic(franceSurges, (i) => `reader-${i % 10}`),
      path,
    ).filter((d) => d.kind === 'geo_spike');
    expect(detections).toEqual([]);
  });
});
