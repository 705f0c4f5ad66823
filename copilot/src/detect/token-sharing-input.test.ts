import { describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { MIN, PATHS, readingSession, runDetectors, T0 } from './test-support.ts';

/** The same records with the token's device claim left empty (`...<accountId>..<iat>...`). */
const withoutDevice = (records: EdgeLogRecord[]) =>
  records.map((r) => ({ ...r, query: r.query.replace('.00000000000000d0.', '..') }));

const byTime = (records: EdgeLogRecord[]) => records.sort((a, b) => a.timestampMs - b.timestampMs);

describe.each(PATHS)('Detector: token sharing on tokens missing a field, through %s', (path) => {
  it('judges no account for tokens that carry none, and does not fail on them', () => {
    // One device reading in the US and Korea at once: an account is asked to re-authenticate, no account is none.
    const sessions = (accountId: string) =>
      byTime([
        ...readingSession(T0, '10.1.0.5', { tokenId: 'tokNoAcct01', accountId }),
        ...readingSession(T0 + 3 * MIN, '10.3.0.9', { tokenId: 'tokNoAcct02', accountId, title: 't00002' }),
      ]);
    expect(runDetectors(sessions('someone'), path).map((d) => d.subject)).toContainEqual({
      accountId: 'someone',
    });
    expect(runDetectors(sessions(''), path)).toEqual([]);
  });

  it('takes tokens without a device claim for one device (a limitation: two people count as travel)', () => {
    // Two tokens of one account, neither claiming a device, read in the US and Korea at overlapping times.
    // With device claims of their own this is two people in two countries (countries at once, observed only);
    // without any, the empty claims compare equal, so the account travel check sees one device
    // in both places at once and asks for re-authentication. The access API always signs a device hash into
    // its tokens, so only a malformed token shows this.
    const records = withoutDevice(
      byTime([
        ...readingSession(T0, '10.1.0.5', { tokenId: 'tokNoDev001', accountId: 'nodevice' }),
        ...readingSession(T0 + 3 * MIN, '10.3.0.9', {
          tokenId: 'tokNoDev002',
          accountId: 'nodevice',
          title: 't00002',
        }),
      ]),
    );
    expect(records[0]!.query).toContain('.nodevice..');
    const findings = runDetectors(records, path).map((d) => [
      d.subject,
      d.evidence.reasons,
      (d.evidence.travel as { atOnce: boolean }).atOnce,
      d.mitigation,
    ]);
    expect(findings).toEqual([
      [{ accountId: 'nodevice' }, ['impossible_travel'], false, 'observe'],
      [{ accountId: 'nodevice' }, ['impossible_travel'], true, 'force_reauth'],
    ]);
  });
});
