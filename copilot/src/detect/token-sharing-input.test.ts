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

  it('takes each token without a device claim for a device of its own, as two claimed devices are', () => {
    // Two tokens of one account read in the US and Korea at overlapping times: with device claims of their own
    // this is two people in two countries (glimpsed as devices apart, then countries at once kept up: observed only). Without any
    // claim each token is an unknown device, never merged with another, so the account is judged the same and
    // never re-authenticated.
    const sessions = (first: string, second: string) =>
      byTime([
        ...readingSession(T0, '10.1.0.5', { tokenId: 'tokNoDev001', accountId: 'nodevice', device: first }),
        ...readingSession(T0 + 3 * MIN, '10.3.0.9', {
          tokenId: 'tokNoDev002',
          accountId: 'nodevice',
          device: second,
          title: 't00002',
        }),
      ]);
    const unclaimed = withoutDevice(sessions('d0', 'd0'));
    expect(unclaimed[0]!.query).toContain('.nodevice..');
    const judged = (records: EdgeLogRecord[]) =>
      runDetectors(records, path).map((d) => [
        d.subject,
        d.evidence.reasons,
        d.evidence.atOnce,
        d.evidence.glimpse ?? false,
        d.mitigation,
      ]);
    const claimed = judged(sessions('d1', 'd2'));
    const atOnce = expect.objectContaining({ countries: 2, devices: 2 });
    expect(claimed).toEqual([
      [{ accountId: 'nodevice' }, ['devices_apart'], atOnce, true, 'observe'],
      [{ accountId: 'nodevice' }, ['countries_at_once'], atOnce, false, 'observe'],
    ]);
    expect(judged(unclaimed)).toEqual(claimed);
  });
});
