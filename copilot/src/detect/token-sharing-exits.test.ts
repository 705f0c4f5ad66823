import { describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { MIN, PATHS, readingSession, request, runDetectors, T0, type TokenSpec } from './test-support.ts';

/** An audiobook played on: a part every three and a half minutes, fetched by the player. */
function listeningSession(start: number, ip: string, token: TokenSpec, count = 16): EdgeLogRecord[] {
  const title = token.title ?? 't00001';
  const out = [request(start, ip, `/titles/${title}/manifest.json`, { token })];
  for (let i = 1; i <= count; i++) {
    const part = `/titles/${title}/audio/part${String(i).padStart(4, '0')}.m4a`;
    out.push(request(start + i * 3.5 * MIN, ip, part, { token, bytes: 2_000_000 }));
  }
  return out;
}

const sharingFindings = (records: EdgeLogRecord[], path: (typeof PATHS)[number]) =>
  runDetectors(records, path)
    .filter((d) => d.kind === 'token_sharing')
    .map((d) => [d.evidence.score, d.mitigation, (d.evidence.travel as { atOnce: boolean }).atOnce]);

describe.each(PATHS)('Token sharing: one device behind two exits, through %s', (path) => {
  it('observes, never acts on, one device reading in two countries of one continent at once', () => {
    // Germany and France at once: VPN exits, a border commuter's home network beside a roaming carrier, or an
    // address geolocated to the neighbour's country. Across continents the same first pair is travel apart (below).
    const device = { accountId: 'neighbours', device: 'd1' };
    const home = readingSession(T0, '10.5.0.5', { ...device, tokenId: 'tokNeighbour1' }, 3);
    const away = readingSession(home.at(-1)!.timestampMs + 2 * MIN, '10.6.0.5', {
      ...device,
      tokenId: 'tokNeighbour2',
      title: 't00002',
    });
    const back = readingSession(T0 + 25 * MIN, '10.5.0.5', {
      ...device,
      tokenId: 'tokNeighbour3',
      title: 't00003',
    });
    // A glimpse; the device at once in both is the account's first such pair: one person behind two exits.
    expect(sharingFindings([...home, ...away, ...back], path)).toEqual([[0.3, 'observe', undefined]]);
    const acrossContinents = [...home, ...away, ...back].map((r) =>
      r.clientIp.startsWith('10.6.') ? { ...r, clientIp: r.clientIp.replace('10.6.', '10.4.') } : r,
    );
    expect(sharingFindings(acrossContinents, path).at(-1)).toEqual([0.6, 'observe', false]);
  });

  it('observes, never acts on, a device listening through one exit while reading another title through a second', () => {
    // A VPN client whose exits the hosting list does not know: an audiobook plays through a US exit while its
    // owner reads a chapter or two of another title through an exit in Korea. One person: a player beside a reading.
    const device = { accountId: 'tunnelled', device: 'd1' };
    const listening = listeningSession(T0, '10.1.0.5', {
      ...device,
      tokenId: 'tokTunnel01',
      title: 't00001',
    });
    const reading = readingSession(
      T0 + 6 * MIN,
      '10.3.0.5',
      { ...device, tokenId: 'tokTunnel02', title: 't00002' },
      3,
    );
    // Before: [0.85, 'force_reauth', true], the device taken as doubled.
    expect(sharingFindings([...listening, ...reading], path)).toEqual([[0.6, 'observe', false]]);
  });

  it('acts on one device identity in two countries once a second player-and-reading pair shows it kept up', () => {
    // Two people on one device id: one listens in the US, the other reads in Korea; then both go on with new
    // sessions at once again. The first pair alone is what one person behind two exits shows; the second is not.
    const device = { accountId: 'twoOnOne', device: 'd1' };
    const first = [
      ...listeningSession(T0, '10.1.0.5', { ...device, tokenId: 'tokTwoOn01', title: 't00001' }),
      ...readingSession(T0 + 6 * MIN, '10.3.0.5', { ...device, tokenId: 'tokTwoOn02', title: 't00002' }, 3),
    ];
    const again = readingSession(
      T0 + 40 * MIN,
      '10.3.0.5',
      { ...device, tokenId: 'tokTwoOn03', title: 't00003' },
      3,
    );
    const records = [...first, ...again];
    expect(sharingFindings(records, path)).toEqual([
      [0.6, 'observe', false],
      [0.85, 'force_reauth', true],
    ]);
    // Acted on at the second pair (before: at the first, in its eleventh minute).
    const acted = runDetectors(records, path).find((d) => d.mitigation === 'force_reauth');
    expect(Date.parse(acted!.detectedAt)).toBeGreaterThanOrEqual(T0 + 40 * MIN);
  });

  it('observes one device reading two titles by turns in two countries at once, and acts on a second such pair', () => {
    // A VPN reader reads one title at home (Korea) and, through an exit in the US, another, chapter by chapter in
    // turns: one person behind two exits, once. Two people on one device id keep it up: a second pair of readings.
    const device = { accountId: 'twoReading', device: 'd1' };
    const first = [
      ...readingSession(T0, '10.1.0.5', { ...device, tokenId: 'tokTwoRd01', title: 't00001' }),
      ...readingSession(T0 + 6 * MIN, '10.3.0.5', { ...device, tokenId: 'tokTwoRd02', title: 't00002' }, 3),
    ];
    // Before: [0.85, 'force_reauth', true] second, at the first pair.
    expect(sharingFindings(first, path)).toEqual([[0.6, 'observe', false]]);
    const again = [
      ...readingSession(T0 + 60 * MIN, '10.1.0.5', { ...device, tokenId: 'tokTwoRd03', title: 't00003' }),
      ...readingSession(T0 + 66 * MIN, '10.3.0.5', { ...device, tokenId: 'tokTwoRd04', title: 't00004' }, 3),
    ];
    const records = [...first, ...again];
    expect(sharingFindings(records, path)).toEqual([
      [0.6, 'observe', false],
      [0.85, 'force_reauth', true],
    ]);
    const acted = runDetectors(records, path).find((d) => d.mitigation === 'force_reauth');
    expect(Date.parse(acted!.detectedAt)).toBeGreaterThanOrEqual(T0 + 66 * MIN);
  });

  it('acts on one device id read by one app from four home networks of one country at once, never on a phone between two', () => {
    // A ring on a copied device id and app: each member reads its own title at home, all in the US at once.
    // A phone between Wi-Fi and mobile data reads through two networks of one country: one person.
    const ring = { accountId: 'copiedApp', device: 'd1' };
    const homes = ['10.1.0.5', '10.2.0.5', '10.12.0.5', '10.13.0.5'];
    const records = homes
      .flatMap((ip, h) =>
        readingSession(T0 + h * 40_000, ip, { ...ring, tokenId: `tokCopied0${h}`, title: `t0000${h + 1}` }),
      )
      .sort((a, b) => a.timestampMs - b.timestampMs);
    const ringFindings = runDetectors(records, path).filter((d) => d.kind === 'token_sharing');
    expect(ringFindings.map((d) => [d.subject, d.evidence.reasons, d.mitigation])).toEqual([
      [{ accountId: 'copiedApp' }, ['one_device_in_several_homes'], 'force_reauth'],
    ]);
    const onePhone = homes.slice(0, 2).flatMap((ip, h) =>
      readingSession(T0 + h * 40_000, ip, {
        accountId: 'phone',
        device: 'd1',
        tokenId: `tokPhone0${h}`,
        title: `t0000${h + 1}`,
      }),
    );
    expect(runDetectors(onePhone, path).filter((d) => d.kind === 'token_sharing')).toEqual([]);
  });

  it('acts on one device id copied into four homes whose members each read at their own pace, minutes apart', () => {
    // A ring whose members open their titles a few minutes apart and read a chapter every 2-6 minutes: within
    // two minutes of any one request only some of the other homes show one, within five all of them do.
    const ring = { accountId: 'slowRing', device: 'd1' };
    const homes = ['10.1.0.7', '10.2.0.7', '10.12.0.7', '10.13.0.7'];
    const records = homes
      .flatMap((ip, h) =>
        readingSession(T0 + h * 150_000, ip, { ...ring, tokenId: `tokSlowRing${h}`, title: `t0001${h}` }, 12),
      )
      .sort((a, b) => a.timestampMs - b.timestampMs);
    const found = runDetectors(records, path).filter((d) => d.kind === 'token_sharing');
    expect(found.map((d) => [d.subject, d.evidence.reasons, d.mitigation])).toContainEqual([
      { accountId: 'slowRing' },
      ['one_device_in_several_homes'],
      'force_reauth',
    ]);
  });
});
