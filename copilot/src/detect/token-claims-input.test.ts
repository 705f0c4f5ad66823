import { describe, expect, it } from 'vitest';
import { MIN, PATHS, readingSession, runDetectors, T0 } from './test-support.ts';

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
