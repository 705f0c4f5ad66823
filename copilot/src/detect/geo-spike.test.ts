import { describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import {
  BROWSER,
  catalogPull,
  cohortOfReaders,
  MIN,
  PATHS,
  READER_APP,
  request,
  runDetectors,
  T0,
  type TokenSpec,
} from './test-support.ts';

/** Public page views per minute by country (`10.<n>`), each from its own address, spread over the minute. */
function traffic(minutes: number, perMinute: (minute: number, net: number) => number): EdgeLogRecord[] {
  const out: EdgeLogRecord[] = [];
  for (let m = 0; m < minutes; m++) {
    for (const net of [1, 5, 6, 9]) {
      const n = perMinute(m, net);
      for (let i = 0; i < n; i++) {
        const ip = `10.${net}.${(m * 7 + i) % 250}.${(i * 13) % 250}`;
        out.push(request(T0 + m * MIN + Math.floor((i * 60_000) / n), ip, `/public/titles/t${i % 50}.html`));
      }
    }
  }
  return out;
}

/**
 * One leaked grant read from three new networks a minute from minute 70 (`10.<9|10|11>.<n>.5`: a /24 each, on
 * three GB providers, in an app or a browser), each reader also opening a public page; `abroad` puts every other
 * reader of the grant in FR, `pagesToo` false leaves the public pages out (addresses that read nothing but the
 * grant).
 */
function leakedGrant(options: { abroad?: boolean; pagesToo?: boolean } = {}): EdgeLogRecord[] {
  const token: TokenSpec = { tokenId: 'tokLeaked01', accountId: 'acct-leaked', device: 'd1' };
  const out: EdgeLogRecord[] = [];
  for (let m = 70; m < 100; m++) {
    for (let i = 0; i < 3; i++) {
      const n = (m - 70) * 3 + i;
      const at = T0 + m * MIN + i * 20_000;
      const ip = `10.${options.abroad === true && n % 2 === 1 ? 6 : 9 + (n % 3)}.${n}.5`;
      const agent = n % 2 === 0 ? READER_APP : BROWSER;
      out.push(request(at, ip, `/titles/t00001/pages/${n % 40}.webp`, { token, agent, status: 403 }));
      out.push(
        request(at + 2_000, ip, `/titles/t00001/pages/${(n + 1) % 40}.webp`, { token, agent, status: 403 }),
      );
      if (options.pagesToo !== false) out.push(request(at + 4_000, ip, '/public/titles/t00001.html'));
    }
  }
  return out;
}

/** GB's regulars: eight readers, each at its own address, opening a public page every minute all along. */
function gbRegulars(minutes: number): EdgeLogRecord[] {
  const out: EdgeLogRecord[] = [];
  for (let m = 0; m < minutes; m++) {
    for (let k = 0; k < 8; k++)
      out.push(request(T0 + m * MIN + k * 7_000, `10.9.200.${k}`, `/public/t${k}.html`));
  }
  return out;
}

/** The user agents a scraper rotates through: a tool's among a browser's and a reading app's. */
const AGENTS = ['curl/8.5.0', BROWSER, READER_APP] as const;

/** GB reads a reader every fourth minute; the others read steadily. */
const quietGb = (m: number, net: number): number => (net === 9 ? (m % 4 === 0 ? 1 : 0) : 20);

describe.each(PATHS)('Detector: geo spikes, through %s', (path) => {
  it('flags one country surging far above its own baseline and the other countries, as a finding only', () => {
    const detections = runDetectors(
      traffic(100, (m, net) => (net === 6 && m >= 80 ? 200 : 20)),
      path,
    );
    expect(detections.map((d) => [d.kind, d.subject, d.mitigation])).toEqual([
      ['geo_spike', { country: 'FR' }, 'observe'],
    ]);
    expect(Date.parse(detections[0]!.detectedAt)).toBeLessThan(T0 + 81 * MIN);
    expect(detections[0]!.evidence.baseline).toBe('last_60_minutes_against_other_countries');
  });

  it('stays quiet on a release-day burst that lifts every country together', () => {
    expect(
      runDetectors(
        traffic(100, (m) => (m >= 80 ? 200 : 20)),
        path,
      ),
    ).toEqual([]);
  });

  it('finds a country rising alone while the others wander within their chance variation', () => {
    // FR: 10 readers a minute, then 36 (3.6 times its own); at the same minutes two of the three others read 10
    // against their 8: 1.25 times their baseline over two minutes, one Poisson spread (4 readers on 16), which is
    // chance, not a release lifting them. Counted as a lift, it held FR under three times its expectation.
    const detections = runDetectors(
      traffic(100, (m, net) => (m < 80 ? (net === 6 ? 10 : 8) : net === 6 ? 36 : net === 9 ? 8 : 10)),
      path,
    );
    expect(detections.map((d) => d.subject.country)).toEqual(['FR']);
    expect(detections[0]!.evidence.othersScale).toBeLessThan(1.2);
  });

  it("stays quiet when a release lifts one country most, its rise on the title the others' readers open", () => {
    // From minute 80 new readers open a title with their grants: DE 12 a minute (from 3 readers a minute: five
    // times), US 8, FR and GB 4 each (on 40, 20 and 20: the others' lift stays near 1). DE's rise is the
    // release's when it opens the title everyone else has just begun to open, and its own spike when it opens
    // a title of its own.
    const release = (deTitle: string) => {
      const records = traffic(100, (_m, net) => (net === 1 ? 40 : net === 5 ? 3 : 20));
      const newReaders: [number, number, string][] = [
        [1, 8, 't00042'],
        [5, 12, deTitle],
        [6, 4, 't00042'],
        [9, 4, 't00042'],
      ];
      for (let m = 80; m < 100; m++) {
        for (const [net, perMinute, title] of newReaders) {
          for (let i = 0; i < perMinute; i++) {
            const accountId = `rel-${net}-${m}-${i}`;
            const token = { tokenId: `tokRel${net}x${m}x${i}`, accountId, title };
            const at = T0 + m * MIN + Math.floor((i * MIN) / perMinute) + 1_000;
            records.push(
              request(at, `10.${net}.${200 + (m % 50)}.${i}`, `/titles/${title}/ch001.xhtml`, { token }),
            );
          }
        }
      }
      return records.sort((a, b) => a.timestampMs - b.timestampMs);
    };
    const spikes = (records: EdgeLogRecord[]) =>
      runDetectors(records, path)
        .filter((d) => d.kind === 'geo_spike')
        .map((d) => d.subject.country);
    expect(spikes(release('t00042'))).toEqual([]);
    expect(spikes(release('t00043'))).toEqual(['DE']);
  });

  it('stays quiet on an uneven release: one country lifted half as much again as the others', () => {
    // Every country reads three times as much from minute 80, FR four and a half times.
    const detections = runDetectors(
      traffic(100, (m, net) => (net === 6 ? 10 : 8) * (m < 80 ? 1 : net === 6 ? 4.5 : 3)),
      path,
    );
    expect(detections).toEqual([]);
  });

  it('judges a spike in the first hour against the minutes watched so far, and says so', () => {
    const detections = runDetectors(
      traffic(50, (m, net) => (net === 6 && m >= 40 ? 200 : 20)),
      path,
    );
    expect(detections.map((d) => d.subject.country)).toEqual(['FR']);
    expect(detections[0]!.evidence.baseline).toBe(
      'first_hour(last_39_minutes_against_other_countries, spread pooled across countries)',
    );
    expect(Date.parse(detections[0]!.detectedAt)).toBeLessThan(T0 + 41 * MIN);
  });

  it('raises nothing before a few minutes of history exist, nor later against a baseline that is the spike', () => {
    // FR surges from its second minute: no baseline exists before it, and every later one is the surge itself.
    expect(
      runDetectors(
        traffic(30, (m, net) => (net === 6 && m >= 2 ? 200 : 20)),
        path,
      ),
    ).toEqual([]);
  });

  it('finds a small market rising from a reader now and then to a dozen and more a minute', () => {
    // GB: one reader every third minute, then 15 different readers a minute (about 15 requests: far under any
    // request floor a big market would need); the others read steadily.
    const detections = runDetectors(
      traffic(90, (m, net) => (net === 9 ? (m >= 75 ? 15 : m % 3 === 0 ? 1 : 0) : 20)),
      path,
    );
    expect(detections.map((d) => [d.subject.country, d.evidence.baseline])).toEqual([
      ['GB', 'last_60_minutes_against_other_countries'],
    ]);
    expect(Date.parse(detections[0]!.detectedAt)).toBeLessThan(T0 + 77 * MIN);
  });

  it('finds a small market rising from nothing to seven readers a minute, under twenty over two minutes', () => {
    // GB: one reader every third minute, then 7 different readers a minute: far above its baseline on the
    // variance-stabilised scale (z 5 from a dozen readers), though twenty readers over two minutes never come.
    const detections = runDetectors(
      traffic(90, (m, net) => (net === 9 ? (m >= 75 ? 7 : m % 3 === 0 ? 1 : 0) : 20)),
      path,
    );
    expect(detections.map((d) => d.subject.country)).toEqual(['GB']);
    expect(detections[0]!.evidence.readersLastTwoMinutes).toBeLessThan(20);
    expect(Date.parse(detections[0]!.detectedAt)).toBeLessThan(T0 + 77 * MIN);
  });

  it('reports a small market again when it falls back under the reader floor between two surges', () => {
    // GB surges at minutes 75-79, falls back to a reader every third minute (under geoMinReaders over two
    // minutes, so never judged), and surges alike at minutes 150-154: a quiet audience under the floor re-arms
    // the country, so each surge is one finding.
    const surging = (m: number) => (m >= 75 && m < 80) || (m >= 150 && m < 155);
    const detections = runDetectors(
      traffic(165, (m, net) => (net === 9 ? (surging(m) ? 15 : m % 3 === 0 ? 1 : 0) : 20)),
      path,
    );
    expect(detections.map((d) => d.subject.country)).toEqual(['GB', 'GB']);
    expect(Date.parse(detections[0]!.detectedAt)).toBeLessThan(T0 + 77 * MIN);
    expect(Date.parse(detections[1]!.detectedAt)).toBeGreaterThanOrEqual(T0 + 150 * MIN);
    expect(Date.parse(detections[1]!.detectedAt)).toBeLessThan(T0 + 152 * MIN);
  });

  it('leaves requests from addresses of no known country out of every audience', () => {
    // 30 readers a minute from addresses the geo table does not place, from minute 40: no country, no spike.
    const records = traffic(60, () => 20);
    for (let m = 40; m < 60; m++) {
      for (let i = 0; i < 30; i++) {
        records.push(request(T0 + m * MIN + i * 1_000, `192.0.2.${(m * 30 + i) % 250}`, '/public/t.html'));
      }
    }
    records.sort((a, b) => a.timestampMs - b.timestampMs);
    expect(runDetectors(records, path)).toEqual([]);
  });

  it("stays quiet on a big market's noise and on its readers reading faster", () => {
    // FR: 150 to 250 readers a minute, then from minute 80 each of them makes four requests a minute: requests
    // rise four times, the audience does not.
    const noisy = (m: number) => 150 + ((m * 37) % 101);
    const records = traffic(100, (m, net) => (net === 6 ? noisy(m) : 20));
    for (let m = 80; m < 100; m++) {
      for (let i = 0; i < noisy(m); i++) {
        const ip = `10.6.${(m * 7 + i) % 250}.${(i * 13) % 250}`;
        for (let k = 1; k < 4; k++)
          records.push(request(T0 + m * MIN + k * 12_000 + i, ip, `/public/t${k}.html`));
      }
    }
    records.sort((a, b) => a.timestampMs - b.timestampMs);
    expect(runDetectors(records, path)).toEqual([]);
  });

  it('judges against the same hour of the day before once it has seen it', () => {
    // FR reads eight times as much from 08:00 to 09:00 as at other hours, every day: the first morning it is a
    // country rising alone, the second morning it is FR's 08:00.
    const busy = (m: number) => m % (24 * 60) >= 8 * 60 && m % (24 * 60) < 9 * 60;
    const detections = runDetectors(
      traffic(33 * 60, (m, net) => (net === 6 && busy(m) ? 160 : net === 6 ? 20 : 12)).map((r) => ({
        ...r,
        timestampMs: r.timestampMs - 8 * 60 * MIN,
      })),
      path,
    );
    expect(detections.map((d) => [d.subject.country, d.evidence.baseline])).toEqual([
      ['FR', 'last_60_minutes_against_other_countries'],
    ]);
    expect(Date.parse(detections[0]!.detectedAt)).toBeLessThan(T0 + MIN);
  }, 120_000);

  it('stays quiet when a single busy client, or servers in the country, are all of the surge', () => {
    const records = traffic(100, () => 20);
    for (let i = 0; i < 600; i++)
      records.push(request(T0 + 80 * MIN + i * 100, '10.6.1.1', `/public/t${i}.html`));
    // 10.8 is a hosting network: a farm of servers is no country's audience.
    for (let i = 0; i < 3000; i++) {
      records.push(request(T0 + 80 * MIN + i * 20, `10.8.${i % 250}.${(i * 7) % 250}`, `/public/t${i}.html`));
    }
    expect(runDetectors(records, path).filter((d) => d.kind === 'geo_spike')).toEqual([]);
  });

  it('stays quiet on a class opening its title together behind one address, not on the same readers apart', () => {
    // GB: one reader every third minute; at minute 75, a class of 24 accounts behind one school address opens
    // one title's chapters within two minutes (three pages each, under the busy-client limit a minute).
    const classOf = (address: (pupil: number) => string) => {
      const records = traffic(90, (m, net) => (net === 9 ? (m % 3 === 0 ? 1 : 0) : 20));
      for (let pupil = 0; pupil < 24; pupil++) {
        const token = { tokenId: `tokPupil${pupil}`, accountId: `pupil${pupil}`, title: 't00001' };
        for (let page = 0; page < 3; page++) {
          const t = T0 + 75 * MIN + pupil * 5_000 + page * 40_000;
          records.push(request(t, address(pupil), `/titles/t00001/ch00${page + 1}.xhtml`, { token }));
        }
      }
      return records.sort((a, b) => a.timestampMs - b.timestampMs);
    };
    const spikes = (records: EdgeLogRecord[]) =>
      runDetectors(records, path)
        .filter((d) => d.kind === 'geo_spike')
        .map((d) => d.subject.country);
    expect(spikes(classOf(() => '10.9.40.7'))).toEqual([]);
    // The same 24 readers each at home: new readers across the country, a spike.
    expect(spikes(classOf((pupil) => `10.9.${50 + pupil}.7`))).toEqual(['GB']);
    // The school on IPv6: every pupil's device has its own address on the school Wi-Fi's one /64, or a /64 of its
    // own in the school's /48: one site, as one address is; each pupil at home on a site of their own (homes and
    // phones across the operator's /48s) is the spike again.
    expect(
      spikes(
        classOf((pupil) => `2001:db8:9:40:${((pupil * 7919) & 0xffff).toString(16)}:5eed::${pupil + 1}`),
      ),
    ).toEqual([]);
    expect(spikes(classOf((pupil) => `2001:db8:9:${(100 + pupil).toString(16)}::7`))).toEqual([]);
    expect(spikes(classOf((pupil) => `2001:db8:${100 * (pupil + 1) + 9}:40::7`))).toEqual(['GB']);
    // IPv4 addresses written as IPv6 (as some proxies log them) are each their own place, as IPv4 is, even
    // within one /24.
    expect(spikes(classOf(() => '::ffff:10.9.40.7'))).toEqual([]);
    expect(spikes(classOf((pupil) => `::ffff:10.9.50.${pupil + 1}`))).toEqual(['GB']);
  });

  it('finds a small market carried by one grant read from many of its networks, under the reader floor', () => {
    // Three new readers a minute: six over two minutes, under geoMinReaders; over ten minutes about thirty against
    // a reader every fourth minute, and the grant, found shared, is read from those networks in GB alone.
    const detections = runDetectors([...traffic(100, quietGb), ...leakedGrant()], path);
    expect(detections.filter((d) => d.kind === 'token_sharing').map((d) => d.subject.accountId)).toEqual([
      'acct-leaked',
    ]);
    const geo = detections.filter((d) => d.kind === 'geo_spike');
    expect(geo.map((d) => [d.subject.country, d.mitigation])).toEqual([['GB', 'observe']]);
    expect(geo[0]!.evidence.carriedNetworks).toBeGreaterThanOrEqual(6);
    expect(geo[0]!.evidence.readersLastTwoMinutes).toBeUndefined();
    expect(Date.parse(geo[0]!.detectedAt)).toBeLessThan(T0 + 80 * MIN);
  });

  it('leaves a grant read across two countries, or from addresses that read nothing else, to token sharing', () => {
    // Read in GB and FR: a ring or a proxy pool carries neither country. Read from GB networks that open
    // nothing but the grant: the country's audience is not up, so its networks carry no spike.
    for (const grant of [leakedGrant({ abroad: true }), leakedGrant({ pagesToo: false })]) {
      const detections = runDetectors([...traffic(100, quietGb), ...grant], path);
      expect(detections.filter((d) => d.kind === 'token_sharing').length).toBeGreaterThan(0);
      expect(detections.filter((d) => d.kind === 'geo_spike')).toEqual([]);
    }
  });

  it('finds a carried market whose regulars hide the surge, by the readers who arrived', () => {
    // GB's eight regulars read every minute: eighty reader-minutes in ten, which the grant's thirty new readers
    // lift only 1.4 times. None of them is new, though, and thirty arrivals in ten minutes is the surge.
    const records = [
      ...traffic(100, (_m, net) => (net === 9 ? 0 : 20)),
      ...gbRegulars(100),
      ...leakedGrant(),
    ];
    records.sort((a, b) => a.timestampMs - b.timestampMs);
    const geo = runDetectors(records, path).filter((d) => d.kind === 'geo_spike');
    expect(geo.map((d) => [d.subject.country, d.mitigation])).toEqual([['GB', 'observe']]);
    expect(geo[0]!.evidence.arrivalsLastTenMinutes).toBeGreaterThanOrEqual(6);
    expect(geo[0]!.evidence.readersLastTenMinutes).toBeUndefined();
    expect(Date.parse(geo[0]!.detectedAt)).toBeLessThan(T0 + 80 * MIN);
  });

  it("judges arrivals against the country's usual: where six new readers come a minute, three more are no surge", () => {
    const newcomers = (_m: number, net: number) => (net === 9 ? 6 : 20);
    const records = [...traffic(100, newcomers), ...gbRegulars(100), ...leakedGrant()];
    records.sort((a, b) => a.timestampMs - b.timestampMs);
    const detections = runDetectors(records, path);
    expect(detections.filter((d) => d.kind === 'token_sharing').length).toBeGreaterThan(0);
    expect(detections.filter((d) => d.kind === 'geo_spike')).toEqual([]);
  });

  it("carries no country on a scraper's grants: a proxy pool's exits in one country during its morning rise", () => {
    // A scraper pulls the catalog through one token and a residential proxy pool whose exits are all in GB (three
    // GB providers, a new /24 every two requests), rotating its user agent, from minute 170: found scraping, and
    // its grant found shared, read in GB alone. From minute 220 GB's own readers rise from 4 to 12 a minute over
    // ten minutes while the other countries stay as they were (GB's morning: they are in other time zones). Twice
    // its readers over ten minutes, but the grant is a scraper's finding, not many readers of a leak: it carries
    // no spike.
    const token = { tokenId: 'tokProxyPool01', accountId: 'proxied-gb', title: '' };
    const scraper = catalogPull(
      T0 + 170 * MIN,
      token,
      12_000,
      (i) => `10.${9 + ((i >> 1) % 3)}.${(i >> 1) % 250}.${(i * 7) % 250}`,
      (i) => AGENTS[i % 3]!,
    );
    const morning = (m: number, net: number) =>
      net === 9 ? 4 + Math.round(8 * Math.min(1, Math.max(0, (m - 220) / 10))) : 20;
    const detections = runDetectors([...cohortOfReaders(T0), ...traffic(250, morning), ...scraper], path);
    const found = detections.filter((d) => d.subject.accountId === 'proxied-gb');
    expect(found.some((d) => d.kind === 'scraping')).toBe(true);
    expect(found.some((d) => d.kind === 'token_sharing')).toBe(true);
    expect(detections.filter((d) => d.kind === 'geo_spike')).toEqual([]);
  });

  it('judges a carried country against the other countries over the same ten minutes (a release lifts all)', () => {
    // From minute 70 every country reads three times as much, GB included (4 → 12 readers a minute), and the
    // grant's three readers a minute come on top: GB rises little more than the others, so nothing is raised.
    const release = (m: number, net: number) => (net === 9 ? 4 : 20) * (m >= 70 ? 3 : 1);
    const detections = runDetectors([...traffic(100, release), ...leakedGrant()], path);
    expect(detections.filter((d) => d.kind === 'token_sharing').length).toBeGreaterThan(0);
    expect(detections.filter((d) => d.kind === 'geo_spike')).toEqual([]);
  });
});
