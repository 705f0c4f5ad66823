import { describe, expect, it } from 'vitest';
import { AbuseDetectors } from './engine.ts';
import { MIN, readingSession, request, runDetectors, T0, chapter, testGeo } from './test-support.ts';
import type { Detection } from './types.ts';

describe('Detector: token sharing', () => {
  it('flags one token read from two countries at overlapping times', () => {
    const token = { tokenId: 'tokShared01', accountId: 'acc1' };
    const records = [
      ...readingSession(T0, '10.1.0.5', token),
      ...readingSession(T0 + 3 * MIN, '10.3.0.9', token),
    ];
    const detections = runDetectors(records).filter((d) => d.kind === 'token_sharing');
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
    const [detection] = runDetectors(records);
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
    expect(runDetectors(records)).toEqual([]);
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
    const detections = runDetectors(records);
    expect(detections.map((d) => d.subject)).toEqual([{ accountId: 'acc3' }]);
    expect(detections[0]!.evidence.reasons).toEqual(['devices_over_limit']);
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
    expect(runDetectors(records)).toEqual([]);
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
    expect(runDetectors(records)).toEqual([]);
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
    expect(runDetectors(records)).toEqual([]);
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
      const detectors = new AbuseDetectors(testGeo, { idleMs });
      const out: Detection[] = [];
      for (const r of records) detectors.observe(r, out);
      expect(out.map((x) => [x.kind, x.subject, x.evidence.reasons])).toEqual([
        ['token_sharing', { accountId: 'accDrop' }, ['devices_over_limit']],
      ]);
    }
  });

  it("reports each place's requests, counting those of the place it is at", () => {
    // Back and forth between two networks: reported on the third return, while at the first network.
    const token = { tokenId: 'tokBack01', accountId: 'accBack' };
    const ips = ['10.1.0.5', '10.1.0.5', '10.2.0.5', '10.1.0.5', '10.2.0.5', '10.1.0.5'];
    const records = ips.map((ip, i) => request(T0 + i * 1000, ip, chapter('t00001', i + 1), { token }));
    const [detection] = runDetectors(records).filter((x) => x.kind === 'token_sharing');
    const networks = detection?.evidence.networks as { requests: number }[] | undefined;
    expect(networks?.map((n) => n.requests)).toEqual([4, 2]);
  });
});
