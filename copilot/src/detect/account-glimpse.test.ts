import { describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { chapter, MIN, PATHS, readingSession, request, runDetectors, T0 } from './test-support.ts';

/** A glimpse of sharing (account-glimpse.ts): observed, once, on an account with no finding yet. */
describe.each(PATHS)('Detector: a glimpse of token sharing, through %s', (path) => {
  const runDetectorsBy = (records: EdgeLogRecord[]) => runDetectors(records, path);

  it('glimpses one device identity reading in a neighbouring country minutes after its last request', () => {
    // Germany, then France three minutes later, the same device: too soon for any journey, yet within one
    // continent (a VPN exit missing from the hosting list looks the same), so a glimpse: observed, nothing more.
    const device = { accountId: 'hopped', device: 'd1' };
    const home = readingSession(T0, '10.5.0.5', { ...device, tokenId: 'tokHopped01' }, 3);
    const away = readingSession(home.at(-1)!.timestampMs + 3 * MIN, '10.6.0.5', {
      ...device,
      tokenId: 'tokHopped02',
      title: 't00002',
    });
    const findings = runDetectorsBy([...home, ...away]).map((d) => [
      d.subject,
      d.evidence.reasons,
      d.evidence.glimpse,
      d.score,
      d.mitigation,
    ]);
    expect(findings).toEqual([[{ accountId: 'hopped' }, ['impossible_travel'], true, 0.3, 'observe']]);
  });

  it('glimpses no hop to or from a place it cannot name (no country, a hosting network)', () => {
    // The same hop as above, but the second place is an address with no country, then a cloud exit: no journey
    // can be judged, so nothing is said.
    for (const awayIp of ['10.99.0.5', '10.8.0.5']) {
      const device = { accountId: `unplaced${awayIp}`, device: 'd1' };
      const home = readingSession(T0, '10.5.0.5', { ...device, tokenId: 'tokUnplaced1' }, 3);
      const away = readingSession(home.at(-1)!.timestampMs + 3 * MIN, awayIp, {
        ...device,
        tokenId: 'tokUnplaced2',
        title: 't00002',
      });
      expect(runDetectorsBy([...home, ...away])).toEqual([]);
    }
  });

  it('glimpses an account once, though its device hops back and forth', () => {
    // Germany, France, Germany again, minutes apart: each hop alone is a glimpse, the account is glimpsed once.
    const device = { accountId: 'hoppedTwice', device: 'd1' };
    const hops = ['10.5.0.5', '10.6.0.5', '10.5.0.6'];
    const records: EdgeLogRecord[] = [];
    for (const [i, ip] of hops.entries()) {
      const start = i === 0 ? T0 : records.at(-1)!.timestampMs + 3 * MIN;
      const title = `t0000${i + 1}`;
      records.push(...readingSession(start, ip, { ...device, tokenId: `tokHopping0${i}`, title }, 3));
    }
    const findings = runDetectorsBy(records).map((d) => [d.evidence.reasons, d.evidence.glimpse ?? false]);
    expect(findings).toEqual([[['impossible_travel'], true]]);
  });

  it('does not glimpse an account whose token was already found (a glimpse comes before any finding)', () => {
    // The German grant is refused on another device three times (a finding on the token), then the same device
    // identity reads in France minutes later: the glimpse would only repeat, weaker, what was already reported.
    const device = { accountId: 'hoppedAfter', device: 'd1' };
    const homeToken = { ...device, tokenId: 'tokHopped11' };
    const home = readingSession(T0, '10.5.0.5', homeToken, 3);
    const refused = [0, 1, 2].map((i) =>
      request(home.at(-1)!.timestampMs + (i + 1) * 1_000, '10.5.7.1', chapter('t00001', i + 1), {
        token: homeToken,
        status: 403,
        result: 'FunctionGeneratedResponse',
      }),
    );
    const away = readingSession(refused.at(-1)!.timestampMs + 3 * MIN, '10.6.0.5', {
      ...device,
      tokenId: 'tokHopped12',
      title: 't00002',
    });
    const findings = runDetectorsBy([...home, ...refused, ...away]).map((d) => [
      d.subject,
      d.evidence.reasons,
      d.evidence.glimpse ?? false,
    ]);
    expect(findings).toEqual([
      [{ tokenId: 'tokHopped11', accountId: 'hoppedAfter' }, ['device_mismatch'], false],
    ]);
  });

  it('glimpses two devices in two countries as the second opens a title, not at a later look', () => {
    // The US device has read nine pages, one every two minutes, when a Korean device opens a title four minutes
    // after the last (five requests in seconds, then nothing more here). No flight takes four minutes: a second
    // person, glimpsed at the Korean device's second request (devices apart), not at the US device's next page,
    // two minutes on, showing both reading at once. Its next scheduled look at the account would be its sixteenth
    // request, which never comes.
    const us = { tokenId: 'tokLookUs01', accountId: 'lookagain', device: 'a1' };
    const kr = { tokenId: 'tokLookKr01', accountId: 'lookagain', device: 'b1', title: 't00002' };
    const records = [
      ...Array.from({ length: 9 }, (_, i) =>
        request(T0 + i * 2 * MIN, '10.1.0.5', chapter('t00001', i + 1), { token: us }),
      ),
      ...Array.from({ length: 5 }, (_, i) =>
        request(T0 + 20 * MIN + i * 1_000, '10.3.0.5', chapter('t00002', i + 1), { token: kr }),
      ),
      ...[22, 26, 30].map((m, i) =>
        request(T0 + m * MIN, '10.1.0.5', chapter('t00001', 10 + i), { token: us }),
      ),
    ];
    const findings = runDetectorsBy(records).map((d) => [
      d.evidence.reasons,
      d.evidence.glimpse,
      d.detectedAt,
      d.mitigation,
    ]);
    expect(findings).toEqual([
      [['devices_apart'], true, new Date(T0 + 20 * MIN + 1_000).toISOString(), 'observe'],
    ]);
  });
});
