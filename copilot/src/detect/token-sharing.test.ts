import { describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import {
  BROWSER,
  chapter,
  MIN,
  PATHS,
  READER_APP,
  readingSession,
  request,
  runDetectors,
  T0,
} from './test-support.ts';

const HOUR = 60 * MIN;

describe.each(PATHS)('Detector: token sharing, through %s', (path) => {
  const runDetectorsBy = (records: EdgeLogRecord[], options?: Parameters<typeof runDetectors>[2]) =>
    runDetectors(records, path, options);
  it('flags one token read from two countries at overlapping times', () => {
    const token = { tokenId: 'tokShared01', accountId: 'acc1' };
    const records = [
      ...readingSession(T0, '10.1.0.5', token),
      ...readingSession(T0 + 3 * MIN, '10.3.0.9', token),
    ];
    const detections = runDetectorsBy(records).filter((d) => d.kind === 'token_sharing');
    expect(detections).toHaveLength(1);
    expect(detections[0]!.subject).toEqual({ tokenId: 'tokShared01', accountId: 'acc1' });
    expect(detections[0]!.evidence.reasons).toContain('impossible_travel');
    expect(Date.parse(detections[0]!.detectedAt)).toBeGreaterThan(T0 + 3 * MIN);
  });

  it('flags a copied token the edge refuses on another device (403s)', () => {
    const token = { tokenId: 'tokCopied01', accountId: 'acc2', title: 't00007' };
    const records = readingSession(T0, '10.1.0.5', token);
    for (let i = 0; i < 3; i++) {
      records.push(
        request(T0 + (5 + i) * MIN, '10.2.7.1', chapter('t00007', i + 1), {
          token,
          status: 403,
          result: 'FunctionGeneratedResponse',
        }),
      );
    }
    const [detection] = runDetectorsBy(records);
    expect(detection?.kind).toBe('token_sharing');
    expect(detection?.evidence.reasons).toEqual(['device_mismatch']);
  });

  it('does not take WAF blocks of a rate-limited address for a copied token', () => {
    // A campus address rate-limited at the web ACL: its readers' valid tokens get 403s logged as `Error`.
    const token = { tokenId: 'tokCampus01', accountId: 'acc7', title: 't00007' };
    const records = readingSession(T0, '10.1.0.5', token);
    for (let i = 0; i < 6; i++) {
      records.push(
        request(T0 + (5 + i) * MIN, '10.1.0.5', chapter('t00007', i + 1), {
          token,
          status: 403,
          result: 'Error',
        }),
      );
    }
    expect(runDetectorsBy(records)).toEqual([]);
  });

  it('flags an account using more devices than allowed from several networks', () => {
    const records = [1, 2, 3, 4, 5].flatMap((d) =>
      readingSession(T0 + d * 1000, `10.${d % 2 === 0 ? 1 : 2}.0.${d}`, {
        tokenId: `tokDevice0${d}`,
        accountId: 'acc3',
        device: `d${d}`,
        title: `t0000${d}`,
      }),
    );
    const detections = runDetectorsBy(records);
    // Four devices first; the fifth takes the score past the re-authentication bar: reported again.
    expect(detections.map((d) => [d.subject, d.evidence.reasons, d.evidence.activeDevices])).toEqual([
      [{ accountId: 'acc3' }, ['devices_over_limit'], 4],
      [{ accountId: 'acc3' }, ['devices_over_limit'], 5],
    ]);
    expect(detections.map((d) => d.mitigation)).toEqual(['short_ttl', 'force_reauth']);
    expect(detections[1]!.evidence.escalated).toBe(true);
  });

  it('stays quiet for a household within the device limit (home Wi-Fi and a phone on mobile data)', () => {
    const records = [1, 2, 3].flatMap((d) =>
      readingSession(T0 + d * 1000, d === 3 ? '10.2.9.9' : '10.1.0.1', {
        tokenId: `tokHouse00${d}`,
        accountId: 'household',
        device: `d${d}`,
        title: `t0000${d}`,
      }),
    );
    expect(runDetectorsBy(records)).toEqual([]);
  });

  it('stays quiet for a reader who travels (one country change after a plausible gap)', () => {
    const records = [
      ...readingSession(T0, '10.1.0.5', { tokenId: 'tokTravel01', accountId: 'traveller', device: 'd1' }),
      ...readingSession(T0 + 14 * 60 * MIN, '10.4.0.5', {
        tokenId: 'tokTravel02',
        accountId: 'traveller',
        device: 'd1',
      }),
    ];
    expect(runDetectorsBy(records)).toEqual([]);
  });

  it('stays quiet for a campus: hundreds of readers behind one NAT address', () => {
    const records = Array.from({ length: 200 }, (_, i) =>
      // Arrivals as people arrive: irregular (a fixed cadence would itself look robotic).
      readingSession(T0 + i * 4_000 + ((i * 7_919) % 3_500), '10.5.0.1', {
        tokenId: `tokCampus${String(i).padStart(3, '0')}`,
        accountId: `student${i}`,
        title: `t${String(i % 40).padStart(5, '0')}`,
      }),
    ).flat();
    expect(runDetectorsBy(records)).toEqual([]);
  });

  it('counts the devices of tokens the token table has already dropped', () => {
    // Four devices of one account, a token each, five minutes apart. With a two-minute idle horizon the
    // first three tokens are forgotten (their ids reused) before the fourth appears, yet the account, which
    // outlives them, must still count their devices, exactly as when they are all still held.
    const records = [];
    for (let d = 0; d < 4; d++) {
      const token = { tokenId: `tokDrop${d}`, accountId: 'accDrop', device: `dev${d}` };
      const at = T0 + d * 5 * MIN;
      const ip = d % 2 === 0 ? '10.1.0.5' : '10.2.0.5';
      records.push(request(at, ip, chapter('t00001', 1), { token }));
      records.push(request(at + 10_000, ip, chapter('t00001', 2), { token }));
    }
    for (const idleMs of [2 * MIN, 30 * MIN]) {
      const out = runDetectorsBy(records, { idleMs });
      expect(out.map((x) => [x.kind, x.subject, x.evidence.reasons])).toEqual([
        ['token_sharing', { accountId: 'accDrop' }, ['devices_over_limit']],
      ]);
    }
  });

  it("reports each place's requests, counting those of the place it is at", () => {
    // Two clients on two networks, back and forth: reported on the third return, while at the first network.
    const token = { tokenId: 'tokBack01', accountId: 'accBack' };
    const ips = ['10.1.0.5', '10.1.0.5', '10.2.0.5', '10.1.0.5', '10.2.0.5', '10.1.0.5'];
    const records = ips.map((ip, i) =>
      request(T0 + i * 1000, ip, chapter('t00001', i + 1), {
        token,
        agent: ip === '10.1.0.5' ? READER_APP : BROWSER,
      }),
    );
    const [detection] = runDetectorsBy(records).filter((x) => x.kind === 'token_sharing');
    const networks = detection?.evidence.networks as { requests: number }[] | undefined;
    expect(networks?.map((n) => n.requests)).toEqual([4, 2]);
  });

  it('stays quiet for one phone flapping between home Wi-Fi and mobile data, and a commuter changing networks', () => {
    const token = { tokenId: 'tokFlap0001', accountId: 'flapper' };
    // The same client (same user agent) alternating networks every request, then home, carrier, office.
    const flapping = Array.from({ length: 20 }, (_, i) =>
      request(T0 + i * 20_000, i % 2 === 0 ? '10.1.0.5' : '10.2.3.3', chapter('t00001', i + 1), { token }),
    );
    const commute = ['10.1.4.4', '10.2.9.1', '10.2.9.2', '10.2.8.1', '10.1.200.3'].flatMap((ip, leg) =>
      Array.from({ length: 4 }, (_, i) =>
        request(T0 + HOUR + leg * 3 * MIN + i * 30_000, ip, chapter('t00002', leg * 4 + i + 1), {
          token: { tokenId: 'tokCommute01', accountId: 'commuter', title: 't00002' },
        }),
      ),
    );
    expect(runDetectorsBy([...flapping, ...commute])).toEqual([]);
  });

  it("stays quiet for a dual-stack phone between its IPv4 and IPv6 addresses, then on a trip's first network", () => {
    // One operator's two address families at home in Britain, by turns (Happy Eyeballs), then Germany once: one
    // subscriber, then one move. Two operators by turns before the same move are flapping between networks.
    const trip = (homes: [string, string], tokenId: string) => [
      ...Array.from({ length: 8 }, (_, i) =>
        request(T0 + i * 30_000, homes[i % 2]!, chapter('t00001', i + 1), {
          token: { tokenId, accountId: tokenId },
        }),
      ),
      request(T0 + 8 * 30_000, '10.5.0.5', chapter('t00001', 9), { token: { tokenId, accountId: tokenId } }),
      request(T0 + 9 * 30_000, '10.5.0.5', chapter('t00001', 10), { token: { tokenId, accountId: tokenId } }),
    ];
    expect(runDetectorsBy(trip(['10.9.0.5', '2001:db8:9:40::5'], 'tokDualStack1'))).toEqual([]);
    expect(
      runDetectorsBy(trip(['10.9.0.5', '10.10.0.5'], 'tokTwoIsps01')).map((d) => d.evidence.reasons),
    ).toEqual([['concurrent_networks']]);
  });

  it('stays quiet for a reader switching a VPN on mid-session, and between sessions', () => {
    // 10.8 is a hosting network in another country: a VPN exit, not a trip.
    const token = { tokenId: 'tokVpnUser01', accountId: 'vpnuser' };
    const records = Array.from({ length: 12 }, (_, i) =>
      request(T0 + i * MIN, i < 6 ? '10.6.0.5' : '10.8.5.5', chapter('t00001', i + 1), { token }),
    );
    records.push(
      ...readingSession(T0 + 20 * MIN, '10.8.5.6', {
        tokenId: 'tokVpnUser02',
        accountId: 'vpnuser',
        title: 't00003',
      }),
    );
    expect(runDetectorsBy(records)).toEqual([]);
  });

  it('flags one device identity reading in several homes at once (spoofed device ids)', () => {
    // Same account and device id, three clients on three networks, all reading at the same time.
    const homes = ['10.1.0.9', '10.2.0.9', '10.4.0.9'];
    const agents = [READER_APP, BROWSER, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15'];
    const records = homes.flatMap((ip, h) =>
      Array.from({ length: 12 }, (_, i) =>
        request(T0 + h * 20_000 + i * 90_000, ip, chapter(`t0090${h}`, i + 1), {
          token: { tokenId: `tokSpoof00${h}`, accountId: 'spoofed', device: 'shared', title: `t0090${h}` },
          agent: agents[h],
        }),
      ),
    );
    const detections = runDetectorsBy(records).filter((d) => d.subject.accountId === 'spoofed');
    expect(detections.map((d) => d.subject)).toContainEqual({ accountId: 'spoofed' });
  });

  it('flags copies of one device id and one client in four homes of a country, each reading at a person pace', () => {
    // One browser's device id copied into four homes (four networks of one country), each home reading its own
    // title a chapter every 9-12 minutes, started a few minutes apart: within any few minutes only one or two
    // of them show a request, but all four are going on at once for an hour.
    const homes = ['10.1.0.9', '10.2.0.9', '10.12.0.9', '10.13.0.9'];
    const copies = homes.flatMap((ip, h) =>
      Array.from({ length: 7 }, (_, i) =>
        request(T0 + h * 4 * MIN + i * (9 + h) * MIN, ip, chapter(`t0095${h}`, i + 1), {
          token: { tokenId: `tokCopy00${h}`, accountId: 'copied', device: 'one', title: `t0095${h}` },
          agent: BROWSER,
        }),
      ),
    );
    const detections = runDetectorsBy(copies).filter((d) => d.subject.accountId === 'copied');
    expect(detections.map((d) => [d.subject, d.evidence.reasons])).toContainEqual([
      { accountId: 'copied' },
      ['one_device_in_several_homes'],
    ]);
    // One phone taking the same four networks one after another (home, mobile data, a station, the office),
    // each for a quarter of an hour, then back and forth between the office and mobile data: never more than
    // two of them going on at once.
    const day = [0, 1, 2, 3].flatMap((h) =>
      Array.from({ length: 4 }, (_, i) =>
        request(T0 + h * 15 * MIN + i * 4 * MIN, homes[h]!, chapter('t00960', h * 4 + i + 1), {
          token: { tokenId: 'tokPhone001', accountId: 'phone', device: 'one', title: 't00960' },
          agent: BROWSER,
        }),
      ),
    );
    const flapping = Array.from({ length: 8 }, (_, i) =>
      request(T0 + HOUR + i * 3 * MIN, homes[i % 2 === 0 ? 3 : 1]!, chapter('t00960', 17 + i), {
        token: { tokenId: 'tokPhone001', accountId: 'phone', device: 'one', title: 't00960' },
        agent: BROWSER,
      }),
    );
    expect(runDetectorsBy([...day, ...flapping])).toEqual([]);
  });

  it('flags an account read on more devices in a day than its limit, from several networks, even one at a time', () => {
    const records = [1, 2, 3, 4, 5].flatMap((d) =>
      readingSession(T0 + d * 2 * HOUR, `10.${d % 2 === 0 ? 1 : 5}.0.${d}`, {
        tokenId: `tokRing000${d}`,
        accountId: 'ring',
        device: `ringdev${d}`,
        title: `t0000${d}`,
      }),
    );
    const [glimpse, detection] = runDetectorsBy(records);
    // The second device reads in Germany two hours after the first read in the US, sooner than the flight:
    // glimpsed, observed only.
    expect([glimpse?.evidence.reasons, glimpse?.evidence.glimpse, glimpse?.mitigation]).toEqual([
      ['devices_apart'],
      true,
      'observe',
    ]);
    expect(detection?.subject).toEqual({ accountId: 'ring' });
    expect(detection?.evidence.reasons).toEqual(['devices_over_limit_in_a_day']);
    // One family of evidence: the proportional response is a softer step than re-authentication.
    expect(detection?.mitigation).toBe('short_ttl');
  });

  it('flags a device identity reading on another continent minutes after its last request at home', () => {
    const home = readingSession(
      T0,
      '10.1.0.5',
      { tokenId: 'tokHome0001', accountId: 'stolen', device: 'd1' },
      4,
    );
    const end = home.at(-1)!.timestampMs;
    const away = readingSession(end + 3 * MIN, '10.4.0.5', {
      tokenId: 'tokAway0001',
      accountId: 'stolen',
      device: 'd1',
      title: 't00009',
    });
    expect(runDetectorsBy([...home, ...away]).map((d) => [d.subject, d.evidence.reasons])).toEqual([
      [{ accountId: 'stolen' }, ['impossible_travel']],
    ]);
  });

  it('observes a device that reads abroad after its sessions at home, and acts once it reads in both at once again', () => {
    // The first session away begins after the home session's last request (a VPN exit would look the same);
    // the second begins while the device is still reading at home: one person behind two exits may do that
    // once; a third session away while the second home one goes on doubles the device identity.
    const device = { accountId: 'doubled', device: 'd1' };
    const home = readingSession(T0, '10.1.0.5', { ...device, tokenId: 'tokDoubled01' }, 3);
    const away = readingSession(home.at(-1)!.timestampMs + 2 * MIN, '10.4.0.5', {
      ...device,
      tokenId: 'tokDoubled02',
      title: 't00002',
    });
    const back = readingSession(T0 + 25 * MIN, '10.1.0.5', {
      ...device,
      tokenId: 'tokDoubled03',
      title: 't00003',
    });
    const again = readingSession(
      T0 + 40 * MIN,
      '10.4.0.5',
      { ...device, tokenId: 'tokDoubled04', title: 't00004' },
      3,
    );
    const findings = runDetectorsBy([...home, ...away, ...back, ...again]).map((d) => [
      d.evidence.score,
      d.mitigation,
      (d.evidence.travel as { atOnce: boolean }).atOnce,
    ]);
    expect(findings).toEqual([
      [0.6, 'observe', false],
      [0.85, 'force_reauth', true],
    ]);
  });

  it('never re-reports an account with a lower score than it was reported with', () => {
    // One device in Korea and the US at once (0.6, a first pair), then again with another session in Korea (0.85,
    // re-authenticated). Then, with the sessions over, the device reads
    // in the US again minutes after Korea (travel between sessions, 0.6) while a second device reads on in
    // Korea (two countries at once, 0.6): two families agree on 0.84, below the report already made.
    const device = { accountId: 'lowered', device: 'd1' };
    const home = readingSession(T0, '10.1.0.5', { ...device, tokenId: 'tokLowered01' });
    const away = readingSession(T0 + 3 * MIN, '10.3.0.5', {
      ...device,
      tokenId: 'tokLowered02',
      title: 't00002',
    });
    const awayAgain = readingSession(
      T0 + 6 * MIN,
      '10.3.0.6',
      { ...device, tokenId: 'tokLowered05', title: 't00005' },
      2,
    );
    const back = readingSession(away.at(-1)!.timestampMs + 2 * MIN, '10.1.0.5', {
      ...device,
      tokenId: 'tokLowered03',
      title: 't00003',
    });
    const other = readingSession(back[0]!.timestampMs + MIN, '10.3.0.7', {
      accountId: 'lowered',
      device: 'd2',
      tokenId: 'tokLowered04',
      title: 't00004',
    });
    const records = [...home, ...away, ...awayAgain, ...back, ...other].sort(
      (a, b) => a.timestampMs - b.timestampMs,
    );
    const findings = runDetectorsBy(records).map((d) => [
      d.evidence.score,
      d.evidence.corroboration,
      d.mitigation,
    ]);
    // Before: a third report, [0.84, 2, 'short_ttl'], a lighter action than the one already taken.
    expect(findings).toEqual([
      [0.6, 1, 'observe'],
      [0.85, 1, 'force_reauth'],
    ]);
  });

  it('reports again past the last bar when another family comes to agree', () => {
    // One device identity reading in three homes at once (places and travel agree, past the last bar); ten
    // minutes on, the account also reads on four more devices from two networks: a third family agrees.
    const homes = ['10.1.0.9', '10.2.0.9', '10.4.0.9'];
    const spoofed = homes.flatMap((ip, h) =>
      Array.from({ length: 12 }, (_, i) =>
        request(T0 + h * 20_000 + i * 90_000, ip, chapter(`t0091${h}`, i + 1), {
          token: { tokenId: `tokAgree00${h}`, accountId: 'agreed', device: 'shared', title: `t0091${h}` },
          agent: READER_APP,
        }),
      ),
    );
    const more = [1, 2, 3, 4].flatMap((d) =>
      readingSession(T0 + 10 * MIN + d * 20_000, `10.${d % 2 === 0 ? 1 : 5}.1.${d}`, {
        tokenId: `tokAgreeMore0${d}`,
        accountId: 'agreed',
        device: `agreedev${d}`,
        title: `t0092${d}`,
      }),
    );
    const records = [...spoofed, ...more].sort((a, b) => a.timestampMs - b.timestampMs);
    const findings = runDetectorsBy(records)
      .filter((d) => d.subject.accountId === 'agreed')
      .map((d) => [d.evidence.reasons, d.evidence.escalated ?? false]);
    expect(findings).toEqual([
      [['impossible_travel', 'one_device_in_several_homes'], false],
      [['devices_over_limit', 'impossible_travel', 'one_device_in_several_homes'], true],
    ]);
  });

  it('judges nothing within the first second of a token', () => {
    const token = { tokenId: 'tokFirstSec1', accountId: 'crowd' };
    const records = ['10.1.0.1', '10.3.0.1', '10.5.0.1', '10.6.0.1'].map((ip, i) =>
      request(T0 + i * 100, ip, chapter('t00001', i + 1), { token, agent: `Agent/${i}` }),
    );
    expect(runDetectorsBy(records)).toEqual([]);
    records.push(request(T0 + 1_500, '10.9.0.1', chapter('t00001', 5), { token, agent: 'Agent/9' }));
    const detections = runDetectorsBy(records);
    expect(detections).toHaveLength(1);
    expect(detections[0]!.detectedAt).toMatch(/T08:00:01/);
  });

  /** Sessions of one device, one a `gapMs` after the other's start, each on a token of its own. */
  const sessionsOf = (account: string, device: string, ip: string, starts: readonly number[]) =>
    starts.flatMap((start, i) =>
      readingSession(start, ip, {
        tokenId: `tok${account}${device}${i}`,
        accountId: account,
        device,
        title: `t0${String(i).padStart(4, '0')}`,
      }),
    );

  it('flags a ring reading one account on separate devices in three countries at once, kept up', () => {
    // Each member on a device of their own at home (US, KR, DE): no device travels, the account never
    // exceeds its three devices, yet it is read in three distant places at the same time, session after session.
    const starts = (offset: number) => [0, 1, 2, 3, 4].map((s) => T0 + offset + s * 40 * MIN);
    const records = [
      ...sessionsOf('ring3', 'r1', '10.1.0.7', starts(0)),
      ...sessionsOf('ring3', 'r2', '10.3.0.7', starts(5 * MIN)),
      ...sessionsOf('ring3', 'r3', '10.5.0.7', starts(11 * MIN)),
    ];
    const detections = runDetectorsBy(records).filter((d) => d.kind === 'token_sharing');
    expect(detections.map((d) => d.subject)).toContainEqual({ accountId: 'ring3' });
    const strongest = detections.at(-1)!;
    expect(strongest.evidence.reasons).toContain('countries_at_once');
    expect((strongest.evidence.atOnce as { countries: number }).countries).toBe(3);
    expect(strongest.mitigation).toBe('force_reauth');
  });

  it('observes, and does not act on, a household with one member abroad for days', () => {
    // Two devices within the limit, one at home (US), one abroad (DE), reading at overlapping times on both
    // days: what a ring of two shows as well, so it is worth a look and nothing more.
    const day = 24 * HOUR;
    const home = [0, 3 * HOUR, day, day + 3 * HOUR].map((at) => T0 + at);
    const abroad = [10 * MIN, 3 * HOUR + 15 * MIN, day + 5 * MIN, day + 3 * HOUR + 20 * MIN].map(
      (at) => T0 + at,
    );
    const records = [
      ...sessionsOf('abroad', 'h1', '10.1.0.8', home),
      ...sessionsOf('abroad', 'h2', '10.5.0.8', abroad),
    ];
    const detections = runDetectorsBy(records);
    expect(detections.map((d) => d.evidence.reasons)).toContainEqual(['countries_at_once']);
    expect(detections.map((d) => d.mitigation)).toEqual(detections.map(() => 'observe'));
  });

  it('observes two devices reading together in two countries for longer than the sharing window', () => {
    // Once is enough when both go on together (two people at once), not a hand-over. Glimpsed first, at the
    // second device's first pages (no journey fits); kept up once together past the sharing window.
    const records = [
      ...sessionsOf('together', 'p1', '10.1.0.6', [T0]),
      ...sessionsOf('together', 'p2', '10.3.0.6', [T0 + 2 * MIN]),
    ];
    const detections = runDetectorsBy(records);
    expect(detections.map((d) => [d.evidence.reasons, d.evidence.glimpse ?? false, d.mitigation])).toEqual([
      [['devices_apart'], true, 'observe'],
      [['countries_at_once'], false, 'observe'],
    ]);
    const [glimpse, kept] = detections.map((d) => Date.parse(d.detectedAt));
    expect(kept! - glimpse!).toBeGreaterThan(0);
  });

  it('stays quiet for a traveller whose phone reads abroad after a plausible flight from the tablet at home', () => {
    const records = [
      ...sessionsOf('handover', 'tablet', '10.1.0.3', [T0]),
      ...sessionsOf('handover', 'phone', '10.5.0.3', [T0 + 4 * HOUR, T0 + 6 * HOUR]),
    ];
    expect(runDetectorsBy(records)).toEqual([]);
  });

  it('glimpses, and never acts on, a second device reading abroad sooner than anyone flies there', () => {
    // The tablet reads in the US, the phone in Germany half an hour after its last page: no journey fits, so a
    // second person (a household member abroad shows it too). Observed once, at the phone's first pages.
    const records = [
      ...sessionsOf('handover', 'tablet', '10.1.0.3', [T0]),
      ...sessionsOf('handover', 'phone', '10.5.0.3', [T0 + 30 * MIN, T0 + 3 * HOUR]),
    ];
    const detections = runDetectorsBy(records);
    expect(
      detections.map((d) => [d.subject, d.evidence.reasons, d.evidence.glimpse, d.score, d.mitigation]),
    ).toEqual([[{ accountId: 'handover' }, ['devices_apart'], true, 0.3, 'observe']]);
    expect(Date.parse(detections[0]!.detectedAt)).toBeLessThan(T0 + 32 * MIN);
    expect(detections[0]!.evidence.travel).toMatchObject({ from: 'US', to: 'DE', continents: 2 });
  });

  it('glimpses no second device whose other place is a hosting network or of no known country', () => {
    // A tablet in Germany, and half an hour later a phone through a US cloud exit, then from an address with
    // no country: neither is a place anyone travels to, so nothing is said.
    for (const [i, awayIp] of ['10.8.0.3', '10.99.0.3'].entries()) {
      const account = `unplacedPhone${i}`;
      const records = [
        ...sessionsOf(account, 'tablet', '10.5.0.3', [T0]),
        ...sessionsOf(account, 'phone', awayIp, [T0 + 30 * MIN]),
      ];
      expect(runDetectorsBy(records)).toEqual([]);
    }
  });

  it('glimpses one device identity read at once by two clients from two homes of one carrier', () => {
    // A Windows browser and an Android app present the same device id from two addresses of one US carrier,
    // reading two titles within the same minutes: one device has one client. Observed once, nothing more.
    const device = { accountId: 'oneCarrier', device: 'owner' };
    const records = [
      ...readingSession(T0, '10.1.0.4', { ...device, tokenId: 'tokCarrier01', title: 't00001' }, 6),
      ...Array.from({ length: 4 }, (_, i) =>
        request(T0 + MIN + i * 20_000, '10.1.7.9', chapter('t00002', i + 1), {
          token: { ...device, tokenId: 'tokCarrier02', title: 't00002' },
          agent: BROWSER,
        }),
      ),
    ];
    const detections = runDetectorsBy(records);
    expect(detections.map((d) => [d.subject, d.evidence.reasons, d.evidence.glimpse, d.mitigation])).toEqual([
      [{ accountId: 'oneCarrier' }, ['one_device_two_clients'], true, 'observe'],
    ]);
    // The same device id with one client, moving between the carrier's two addresses: a phone, nothing said.
    const moved = records.map((r) => ({ ...r, userAgent: READER_APP }));
    expect(runDetectorsBy(moved)).toEqual([]);
    // Its requests on the second address without a user agent name no client, so not another one.
    const unnamed = moved.map((r) => (r.clientIp === '10.1.7.9' ? { ...r, userAgent: '' } : r));
    expect(runDetectorsBy(unnamed)).toEqual([]);
  });

  it('counts no client in requests without a user agent: a move across a border is no journey then', () => {
    // One token read in Germany by the reader app, then a minute later from a French carrier by a client that
    // sends no user agent, not going back: a move too quick for the distance only means two people when
    // another client makes it. Without a user agent no client is named, so nothing is said.
    const token = { tokenId: 'tokBorder01', accountId: 'border', title: 't00004' };
    const home = readingSession(T0, '10.5.0.3', token, 2);
    const roamed = (agent: string) =>
      [1, 2].map((i) =>
        request(T0 + 5 * MIN + i * 20_000, '10.6.0.8', chapter('t00004', 2 + i), { token, agent }),
      );
    expect(runDetectorsBy([...home, ...roamed('')])).toEqual([]);
    // A browser making the same move is another client, which it could not be unless a second person read.
    const shared = runDetectorsBy([...home, ...roamed(BROWSER)]);
    expect(shared.map((d) => [d.kind, d.subject, d.evidence.reasons])).toEqual([
      ['token_sharing', { tokenId: 'tokBorder01', accountId: 'border' }, ['impossible_travel']],
    ]);
    // Three networks of one country at once, the reader app on one and requests without a user agent on the
    // other two: one named client, so not the several clients that three networks at once need.
    const flapping = { tokenId: 'tokFlap01', accountId: 'flap', title: 't00005' };
    const networks = (agent: string) =>
      [0, 1, 2, 3, 4, 5].map((i) =>
        request(T0 + i * 30_000, ['10.1.0.3', '10.2.0.3', '10.12.0.3'][i % 3]!, chapter('t00005', i + 1), {
          token: flapping,
          agent: i % 3 === 0 ? READER_APP : agent,
        }),
      );
    expect(runDetectorsBy(networks(''))).toEqual([]);
    // One device's three titles at once on three networks of the country, two of them without a user agent:
    // the same client may be behind all three (a phone's Wi-Fi and data), not copies of the device in homes.
    const titles = (agent: string) =>
      ['10.1.0.3', '10.2.0.3', '10.12.0.3'].flatMap((ip, h) =>
        [0, 1, 2, 3].map((i) =>
          request(T0 + h * 10_000 + i * 40_000, ip, chapter(`t0097${h}`, i + 1), {
            token: { tokenId: `tokTitle0${h}`, accountId: 'titles', device: 'one', title: `t0097${h}` },
            agent: h === 0 ? READER_APP : agent,
          }),
        ),
      );
    expect(runDetectorsBy(titles(''))).toEqual([]);
    expect(runDetectorsBy(titles(BROWSER)).map((d) => d.evidence.reasons)).toContainEqual([
      'one_device_in_several_homes',
    ]);
    expect(runDetectorsBy(networks(BROWSER)).map((d) => d.evidence.reasons)).toEqual([
      ['concurrent_networks'],
    ]);
  });

  it('sees no journey between two countries of one network: a VPN the hosting list does not know, even at once', () => {
    // The device of the test above, whose sessions reach back and forth at once, but through one provider's
    // exits in the United States and Germany: one person behind one tunnel, not two people.
    const device = { accountId: 'oneTunnel', device: 'd1' };
    const sessions = [0, 1, 2, 3].map((i) =>
      readingSession(
        T0 + i * 12 * MIN,
        i % 2 === 0 ? '10.14.0.5' : '10.15.0.5',
        { ...device, tokenId: `tokTunnel0${i}`, title: `t0000${i + 1}` },
        3,
      ),
    );
    const token = { tokenId: 'tokTunnel09', accountId: 'oneTunnel', device: 'd1', title: 't00009' };
    const flapping = [0, 1, 2, 3].map((i) =>
      request(T0 + 60 * MIN + i * 20_000, i % 2 === 0 ? '10.14.0.5' : '10.15.0.5', chapter('t00009', i + 1), {
        token,
      }),
    );
    expect(runDetectorsBy([...sessions.flat(), ...flapping])).toEqual([]);
    // The same back and forth between two networks is a journey no one makes.
    const twoNetworks = [...sessions.flat(), ...flapping].map((r) =>
      r.clientIp.startsWith('10.15.') ? { ...r, clientIp: '10.5.0.5' } : r,
    );
    expect(runDetectorsBy(twoNetworks).filter((d) => d.kind === 'token_sharing')).not.toEqual([]);
  });

  it('sees no journey to an address of a network placed on several continents: a commuter on mobile data', () => {
    // A reader at home in Britain, then on the train through a mobile operator whose pools geolocation places
    // in the United States, back home, and out again: one device, one client, minutes apart.
    const token = { tokenId: 'tokCommute01', accountId: 'commuter', device: 'c1', title: 't00006' };
    const day = (mobile: string) =>
      [0, 1, 2, 3].flatMap((i) =>
        readingSession(T0 + i * 6 * MIN, i % 2 === 0 ? '10.9.0.4' : mobile, token, 2),
      );
    expect(runDetectorsBy(day('10.17.0.8'))).toEqual([]);
    // A second device of the account reading on the operator's network while the first reads at home: between
    // devices the address still counts as a country, but only as context, observed until another family agrees.
    const partner = readingSession(
      T0 + 2 * MIN,
      '10.17.0.9',
      { ...token, tokenId: 'tokCommute02', device: 'c2' },
      4,
    );
    const twoDevices = runDetectorsBy([...readingSession(T0, '10.9.0.4', token, 4), ...partner]);
    expect(twoDevices.map((d) => [d.evidence.reasons, d.mitigation])).toEqual([
      [['devices_apart'], 'observe'],
    ]);
    // The phone's titles going on at once, one on Wi-Fi at home and one on mobile data, on two evenings: one
    // device at once at home and on the operator's network is worth a look, never a doubled device.
    const evenings = (mobile: string) =>
      [0, 1].flatMap((evening) =>
        [0, 1].flatMap((side) =>
          readingSession(
            T0 + evening * 5 * HOUR + side * MIN,
            side === 0 ? '10.9.0.4' : mobile,
            { ...token, tokenId: `tokEvening${evening}${side}`, title: `t0002${evening}${side}` },
            4,
          ),
        ),
      );
    const onMobile = runDetectorsBy(evenings('10.17.0.8'));
    expect(onMobile.map((d) => d.mitigation)).toEqual(onMobile.map(() => 'observe'));
    expect(runDetectorsBy(evenings('10.1.0.8')).map((d) => d.mitigation)).toContain('force_reauth');
    // The same day with a network that does place its users in the United States is a journey no one makes.
    const located = runDetectorsBy(day('10.1.0.8'));
    expect(located.map((d) => [d.kind, d.evidence.reasons])).toContainEqual([
      'token_sharing',
      ['impossible_travel'],
    ]);
  });

  it("sees no journey within a continent to a regional operator's pool placed in a neighbouring country", () => {
    // A reader at home in Germany whose phone goes to mobile data between chapters, on an operator whose
    // addresses geolocation spreads over Europe's countries (this pool placed in France), and back: one client.
    const token = { tokenId: 'tokRegion01', accountId: 'regional', device: 'r1', title: 't00007' };
    const day = (mobile: string) =>
      [0, 1, 2, 3, 4, 5].map((i) =>
        request(T0 + i * 90_000, i % 2 === 0 ? '10.5.0.4' : mobile, chapter('t00007', i + 1), { token }),
      );
    expect(runDetectorsBy(day('10.19.0.8'))).toEqual([]);
    // A national network in France, the same back and forth: a journey no one makes in 90 seconds.
    expect(runDetectorsBy(day('10.6.0.8')).map((d) => [d.kind, d.evidence.reasons])).toContainEqual([
      'token_sharing',
      ['impossible_travel'],
    ]);
  });

  it('observes one device identity taking turns in several homes and going back to them, never a commuter', () => {
    // Copies of one device id in four homes of one country, each member's short session after another's (no
    // two going on at once), members reading again in turn: copies, worth a look.
    const turns = (homes: number[]) =>
      homes.flatMap((home, i) =>
        readingSession(
          T0 + i * 8 * MIN,
          `10.${home}.0.${20 + i}`,
          {
            tokenId: `tokTurn${homes.length}${i}`,
            accountId: `turns${homes.length}`,
            device: 'd1',
            title: `t004${i}0`,
          },
          2,
        ),
      );
    const ring = runDetectorsBy(turns([1, 2, 12, 13, 1, 2, 12]));
    expect(ring.map((d) => [d.evidence.reasons, d.mitigation])).toContainEqual([
      ['one_device_homes_in_turn'],
      'observe',
    ]);
    expect(ring.find((d) => d.evidence.homesInTurn !== undefined)?.evidence.homesInTurn).toBe(4);
    // A home is a network wherever geolocation places it: one on a network placed on several continents counts.
    expect(runDetectorsBy(turns([1, 2, 12, 17, 1, 2])).map((d) => d.evidence.homesInTurn ?? 0)).toContain(4);
    // A commuter's phone: home, mobile data, the office, mobile data, home. Three homes, gone back to.
    expect(runDetectorsBy(turns([9, 10, 11, 10, 9]))).toEqual([]);
    // Four homes, none gone back to more than once: a day moving on (a traveller), not copies taking turns.
    expect(runDetectorsBy(turns([1, 2, 12, 13, 1])).filter((d) => d.evidence.homesInTurn)).toEqual([]);
  });

  it('sees no journey between two networks that both place nobody: a VPN reader changing providers', () => {
    // One device's sessions, minutes apart, through exits of two providers that geolocation places on several
    // continents (here in the United States and in Japan): neither end says where the reader is.
    const sessions = (japan: string) =>
      [0, 1, 2, 3].flatMap((i) =>
        readingSession(
          T0 + i * 9 * MIN,
          i % 2 === 0 ? '10.17.0.8' : japan,
          { tokenId: `tokProviders${i}`, accountId: 'providers', device: 'p1', title: `t0003${i}` },
          3,
        ),
      );
    expect(runDetectorsBy(sessions('10.18.0.8'))).toEqual([]);
    // With the Japanese end on a network that places its users there, the move is still worth a look.
    const located = runDetectorsBy(sessions('10.4.0.8'));
    expect(located.map((d) => [d.kind, d.evidence.reasons, d.mitigation])).toContainEqual([
      'token_sharing',
      ['impossible_travel'],
      'observe',
    ]);
  });

  it('does not act on a VPN reader whose exits the hosting list does not know (one device, one session at a time)', () => {
    // Sessions alternate between exits in Britain and the United States, 40 minutes apart: a device moved, not doubled.
    const starts = [0, 1, 2, 3, 4, 5].map((s) => T0 + s * 40 * MIN);
    const records = starts.flatMap((start, i) =>
      readingSession(
        start,
        i % 2 === 0 ? '10.9.0.4' : '10.1.0.4',
        {
          tokenId: `tokVpnExit${i}`,
          accountId: 'vpnexits',
          device: 'v1',
          title: `t0000${i}`,
        },
        4,
      ),
    );
    const detections = runDetectorsBy(records);
    expect(detections.map((d) => d.mitigation)).toEqual(detections.map(() => 'observe'));
  });
});
