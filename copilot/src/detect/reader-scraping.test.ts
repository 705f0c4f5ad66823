import { describe, expect, it } from 'vitest';
import {
  BROWSER,
  catalogPull,
  cohortOfReaders,
  MIN,
  PATHS,
  READER_APP,
  chapter,
  request,
  runDetectors,
  T0,
} from './test-support.ts';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { glimpsed, taking, unlikeReading } from './reader-scraping.ts';
import { expectObservedOnly, scrapingOf, walk } from './reader-walk.ts';

const HOUR = 60 * MIN;
const CURL = 'curl/8.5.0';
/** 10.8.x.y is a cloud provider's network in the test geolocation (AS16509), 10.1-10.6 homes and carriers. */
const CLOUD = '10.8.0.7';

describe.each(PATHS)('Detector: scraping per reader, through %s', (path) => {
  const cohort = cohortOfReaders(T0);
  const later = T0 + 2 * HOUR;

  /** One account walking ten titles from each of several cloud addresses, a token per address, at a scraper's pace. */
  function cloudSpread(account: string, addresses: string[], firstTitle: number) {
    return addresses.flatMap((ip, a) =>
      walk(later + a * 300, {
        titles: 10,
        parts: 30,
        gapMs: () => 1_500 + a * 37,
        ip,
        account,
        tokens: `${account}${a}x`,
        titleOf: (n) => `t${String(firstTitle + a * 10 + n).padStart(5, '0')}`,
        agent: BROWSER,
      }),
    );
  }

  it('flags a download tool on a cloud server taking title after title, within a minute, and names its address', () => {
    const scraper = walk(later, {
      titles: 30,
      parts: 40,
      gapMs: (i) => 150 + ((i * 97) % 200),
      ip: CLOUD,
      account: 'tool',
      agent: CURL,
    });
    const all = scrapingOf(runDetectors([...cohort, ...scraper], path), 'tool');
    // A glimpse (the tool with pace, before two families agree) may come first, by account, observed.
    const glimpses = all.filter((d) => d.evidence.glimpse === true);
    expect(glimpses.every((d) => d.mitigation === 'observe' && d.subject.ip === undefined)).toBe(true);
    const found = all.filter((d) => d.evidence.glimpse !== true);
    expect(found.length).toBeGreaterThanOrEqual(1);
    // Its address, nobody else's, is named once the finding may be acted on; observed, by account only.
    expect(found.every((d) => d.subject.ip === (d.score > 0.89 ? CLOUD : undefined))).toBe(true);
    expect(found.some((d) => d.subject.ip === CLOUD)).toBe(true);
    expect(Date.parse(found[0]!.detectedAt) - later).toBeLessThan(60_000);
    expect(found[0]!.evidence.reasons).toEqual(expect.arrayContaining(['automation', 'pace']));
    expect(found[0]!.evidence.corroboration).toBeGreaterThanOrEqual(2);
    // Reported again as the evidence grows, and acted on in proportion: re-authentication of the account once
    // two families agree strongly, never a denial of a reader's token.
    expect(found.map((d) => d.mitigation).at(-1)).toBe('force_reauth');
    expect(found.some((d) => d.mitigation === 'revoke_token')).toBe(false);
  });

  it('stays quiet for a new device syncing a whole shelf for offline reading, fast, from home', () => {
    const sync = walk(later, {
      titles: 25,
      parts: 40,
      gapMs: (i) => 200 + ((i * 53) % 600),
      ip: '10.1.77.3',
      account: 'sync',
      agent: READER_APP,
    });
    // The same reader then reads one of the titles at a person's pace.
    const reading = walk(later + HOUR, {
      titles: 1,
      parts: 10,
      gapMs: () => 3 * MIN,
      ip: '10.1.77.3',
      account: 'sync',
      titleOf: () => 't09999',
    });
    expect(runDetectors([...cohort, ...sync, ...reading], path)).toEqual([]);
  });

  /** A reading app (or `agent`) taking a shelf in `lanes` lanes, each its titles one after another, interleaved at network speed. */
  const shelfLanes = (account: string, ip: string, lanes: number, titles: number, agent = READER_APP) =>
    Array.from({ length: lanes }, (_, lane) =>
      walk(later + lane * 300, {
        titles,
        parts: 30,
        gapMs: (i) => 400 + ((i * 71 + lane * 13) % 500),
        ip,
        account,
        tokens: `${account}${lane}`,
        agent,
        titleOf: (n) => `t${String(300 + lane * 10 + n).padStart(5, '0')}`,
      }),
    ).flat();

  it('stays quiet for a reading app syncing a shelf three titles side by side, as one download burst', () => {
    const lanes = shelfLanes('lanes', '10.1.78.4', 3, 6);
    expect(scrapingOf(runDetectors([...cohort, ...lanes], path), 'lanes')).toEqual([]);
  });

  it('stays quiet for a reading app syncing a shelf eight titles side by side, as one download burst', () => {
    // The same shelf taken eight lanes wide: more titles at once is a wider download, not a tool, until the
    // burst has been kept up longer than a shelf takes (BURST_MINUTES).
    const wide = shelfLanes('wide', '10.1.78.5', 8, 4);
    expect(scrapingOf(runDetectors([...cohort, ...wide], path), 'wide')).toEqual([]);
    // The same lanes fetched by an HTTP tool are a tool's concurrency, found.
    const tool = shelfLanes('wide', '10.1.78.5', 8, 4, 'python-requests/2.32.3');
    expect(scrapingOf(runDetectors([...cohort, ...tool], path), 'wide')).not.toEqual([]);
  });

  it('stays quiet for a listener of short audio episodes and a reader of comics, title after title for hours', () => {
    const episodes = walk(later, {
      titles: 30,
      parts: 1,
      gapMs: () => 9 * MIN,
      ip: '10.2.5.5',
      account: 'listener',
      bytes: 4_000_000,
      path: (title) => `/titles/${title}/audio/episode.mp3`,
    });
    const comics = walk(later, {
      titles: 25,
      parts: 30,
      gapMs: (i) => (8 + ((i * 7) % 20)) * 1000,
      ip: '10.1.44.4',
      account: 'comics',
      bytes: 300_000,
      path: (title, i) => `/titles/${title}/pages/p${String(i).padStart(3, '0')}.jpg`,
    });
    expect(runDetectors([...cohort, ...episodes, ...comics], path)).toEqual([]);
  });

  it('stays quiet for students researching many titles and an administrator checking titles, behind one campus NAT', () => {
    const students = Array.from({ length: 30 }, (_, s) =>
      walk(later + s * 40_000, {
        titles: 20,
        parts: 3,
        gapMs: (i) => (40 + ((i * 13 + s) % 60)) * 1000,
        ip: '10.5.0.1',
        account: `student${s}`,
        agent: BROWSER,
      }),
    ).flat();
    const admin = walk(later, {
      titles: 100,
      parts: 1,
      gapMs: () => 8_000,
      ip: '10.5.0.1',
      account: 'orgadmin',
      agent: BROWSER,
    });
    expect(runDetectors([...cohort, ...students, ...admin], path)).toEqual([]);
  });

  it('never acts on an organisation account checking a collection for hours: many titles, few taken deep', () => {
    // A librarian (or an admin, an auditor) opening 150 titles for four hours, ten chapters of each 10 s
    // apart: far beyond the cohort's pace and kept up for hours, with many titles taken (breadth), but none
    // far deeper than readers take them and no fingerprint. Pace and breadth are one observation, "many
    // titles, fast": it may be observed, never acted on.
    const librarian = walk(later, {
      titles: 150,
      parts: 10,
      gapMs: (i) => (8 + ((i * 5) % 5)) * 1000,
      ip: '10.5.0.2',
      account: 'librarian',
      agent: BROWSER,
    });
    const found = scrapingOf(runDetectors([...cohort, ...librarian], path), 'librarian');
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found.flatMap((d) => d.evidence.reasons as string[])).toEqual(
      expect.arrayContaining(['pace', 'coverage']),
    );
    expectObservedOnly(found);
    // The same check going through every tenth title far deeper (a short title looked at whole, a chapter
    // read on): a few deep takes among 150 titles taken are a sampler's, so pace with them is observed too.
    const auditor = walk(later, {
      titles: 150,
      parts: 10,
      gapMs: (i) => (8 + ((i * 5) % 5)) * 1000,
      ip: '10.5.0.3',
      account: 'auditor',
      agent: BROWSER,
      titleParts: (n) => (n % 10 === 9 ? 16 : 10),
    });
    const sampled = scrapingOf(runDetectors([...cohort, ...auditor], path), 'auditor');
    expect(sampled.length).toBeGreaterThanOrEqual(1);
    expect(
      sampled.some((d) =>
        (d.evidence.families as { signals: string[] }[]).some((f) =>
          f.signals.some((x) => x.includes('far deeper')),
        ),
      ),
    ).toBe(true);
    expectObservedOnly(sampled);
    // The same pace taking every title whole (deeper than its readers take it) is scraping and is acted on.
    const whole = walk(later, {
      titles: 40,
      parts: 40,
      gapMs: (i) => (8 + ((i * 5) % 5)) * 1000,
      ip: '10.1.92.9',
      account: 'whole',
      agent: BROWSER,
    });
    const scraped = scrapingOf(runDetectors([...cohort, ...whole], path), 'whole');
    expect(scraped.some((d) => d.score >= 0.9 && d.mitigation !== 'observe')).toBe(true);
  });

  it('flags a scraper paced like a person that keeps taking whole titles, far beyond a reading pace, for hours', () => {
    // A chapter every 20-40 s: each gap human, the whole far beyond anyone's reading, kept up for hours.
    const scraper = walk(later, {
      titles: 20,
      parts: 40,
      gapMs: (i) => (20 + ((i * 7) % 20)) * 1000,
      ip: '10.1.90.9',
      account: 'paced',
      agent: BROWSER,
    });
    const found = scrapingOf(runDetectors([...cohort, ...scraper], path), 'paced');
    // Its gaps keep a timer's regularity (CV under 0.25): with pace agreeing, a glimpse within the hour,
    // by account and observed only.
    const [glimpse, ...rest] = found;
    expect(glimpse!.evidence.glimpse).toBe(true);
    expect(glimpse!.evidence.reasons).toEqual(expect.arrayContaining(['automation', 'pace']));
    expect(glimpse!.mitigation).toBe('observe');
    expect(Date.parse(glimpse!.detectedAt) - later).toBeLessThan(HOUR);
    // The finding proper waits for the pace kept up for hours: a download is over in minutes.
    const proper = rest.filter((d) => d.evidence.glimpse !== true);
    expect(proper.length).toBeGreaterThanOrEqual(1);
    expect(proper[0]!.evidence.reasons).toContain('pace');
    expect(Date.parse(proper[0]!.detectedAt) - later).toBeGreaterThan(HOUR);
  });

  it('stays quiet for a reader finishing a title every hour of a long day, with nothing else to go on', () => {
    // One title taken whole each hour, at a reader's pace: the catalog share grows all day, but that is the
    // coverage family seen over a longer span, never a second family on its own.
    const reader = walk(later, {
      titles: 10,
      parts: 30,
      // A person's gaps: a page read in 40 s to three minutes.
      gapMs: (i) => (40 + ((i * 37) % 140)) * 1000,
      betweenMs: 10 * MIN,
      ip: '10.1.91.9',
      account: 'daylong',
      agent: READER_APP,
    });
    expect(scrapingOf(runDetectors([...cohort, ...reader], path), 'daylong')).toEqual([]);
  });

  it('observes slow enumeration: one title every ~50 minutes in catalog order, each taken deep, all day', () => {
    const enumerator = walk(later, {
      titles: 10,
      parts: 30,
      gapMs: (i) => (3 + (i % 5)) * 1000,
      betweenMs: 48 * MIN,
      ip: '10.1.92.9',
      account: 'slowenum',
      agent: BROWSER,
      titleOf: (n) => `t${String(700 + n).padStart(5, '0')}`,
    });
    const found = scrapingOf(runDetectors([...cohort, ...enumerator], path), 'slowenum');
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found[0]!.evidence.reasons).toEqual(expect.arrayContaining(['enumeration', 'coverage']));
    const coverage = found[0]!.evidence.families as { family: string; signals: string[] }[];
    expect(coverage.find((f) => f.family === 'coverage')!.signals.join(' ')).toMatch(
      /distinct hours of the day/,
    );
    // Without the day-long view the evidence would not be reported, so it is a finding for a person only.
    expect(found.every((d) => d.mitigation === 'observe')).toBe(true);
  });

  it('flags a script keeping a timer for hundreds of moves, at a period the one-second log times still show', () => {
    // One part every 8 s (a few milliseconds of jitter), title after title from a home address behind a
    // browser user agent: the gaps keep a clock's regularity far longer than any person or reading app.
    const script = walk(later, {
      titles: 8,
      parts: 40,
      gapMs: (i) => 8_000 + ((i * 13) % 40),
      betweenMs: 8_000,
      ip: '10.1.93.9',
      account: 'timer',
      agent: BROWSER,
      titleOf: (n) => `bk-${((0x5a17 * (n + 3)) % 0xfff1).toString(16)}`,
    });
    const found = scrapingOf(runDetectors([...cohort, ...script], path), 'timer');
    expect(found.length).toBeGreaterThanOrEqual(1);
    const families = found.at(-1)!.evidence.families as { family: string; signals: string[] }[];
    expect(families.find((f) => f.family === 'automation')!.signals.join(' ')).toMatch(
      /moves in a row at a timer's regularity/,
    );
  });

  it('flags a timer under two seconds, whose gaps keep to the two whole seconds around its period', () => {
    // Every request 1.75 s after the last (a few milliseconds of jitter), manifest, cover and chapters alike,
    // title after title: the one-second log times read 1, 2, 2, 2, 1, ... and nothing else, for hundreds of
    // moves, a spread no download's gaps keep to that long. Hashed ids, a browser from home.
    const timer: EdgeLogRecord[] = [];
    let at = later;
    for (let n = 0; n < 10; n++) {
      const title = `bk-${((0x5a17 * (n + 7)) % 0xfff1).toString(16)}`;
      const token = { tokenId: `tokFastTimer${n}`, accountId: 'fasttimer', title };
      const paths = [
        'manifest.json',
        'cover.jpg',
        ...Array.from({ length: 40 }, (_, i) => chapter(title, i + 1)),
      ];
      for (const p of paths) {
        const path = p.startsWith('/') ? p : `/titles/${title}/${p}`;
        timer.push(request(at, '10.1.93.19', path, { token, agent: BROWSER, bytes: 45_000 }));
        at += 1_750 + ((timer.length * 13) % 20);
      }
    }
    const found = scrapingOf(runDetectors([...cohort, ...timer], path), 'fasttimer');
    expect(found.length).toBeGreaterThanOrEqual(1);
    const families = found.at(-1)!.evidence.families as { family: string; signals: string[] }[];
    expect(families.find((f) => f.family === 'automation')!.signals.join(' ')).toMatch(
      /moves in a row at a timer's regularity/,
    );
    // The same mean gap spread over 0 to 3 s, as parts of several sizes download: no timer.
    const download = walk(later, {
      titles: 8,
      parts: 40,
      gapMs: (i) => [300, 1_200, 3_100, 1_900, 800, 2_700][i % 6]!,
      ip: '10.1.93.29',
      account: 'spreadout',
      agent: BROWSER,
      titleOf: (n) => `bk-${((0x4c31 * (n + 7)) % 0xfff1).toString(16)}`,
    });
    const spread = scrapingOf(runDetectors([...cohort, ...download], path), 'spreadout');
    const signals = spread.flatMap((d) =>
      (d.evidence.families as { signals: string[] }[]).flatMap((f) => f.signals),
    );
    expect(signals.join(' ')).not.toMatch(/timer's regularity|gaps regular/);
  });

  it('reads no timer in a reading app taking a shelf title after title, a part every second or two', () => {
    // One title at a time, 40 parts 1.5 s apart (logged as 1 s and 2 s), each title opening with its manifest and
    // cover at once: runs of a few dozen timer-like gaps, never the hundreds a script keeps.
    const shelf = walk(later, {
      titles: 12,
      parts: 40,
      gapMs: () => 1_500,
      ip: '10.1.93.39',
      account: 'shelfapp',
      agent: READER_APP,
      titleOf: (n) => `bk-${((0x3b29 * (n + 7)) % 0xfff1).toString(16)}`,
    });
    const found = scrapingOf(runDetectors([...cohort, ...shelf], path), 'shelfapp');
    const signals = found.flatMap((d) =>
      (d.evidence.families as { signals: string[] }[]).flatMap((f) => f.signals),
    );
    expect(signals.join(' ')).not.toMatch(/timer's regularity|gaps regular/);
  });

  it('observes a reader that never pauses for a night: a title taken deep every hour or so for a day', () => {
    // Titles in no catalog order (hashed ids), each taken deep within minutes, one every ~80 minutes around
    // the clock: nothing but the day without sleep and the titles taken deep hour after hour.
    const sleepless = walk(later, {
      titles: 22,
      parts: 30,
      gapMs: (i) => (3 + (i % 5)) * 1000,
      betweenMs: 80 * MIN,
      ip: '10.1.94.9',
      account: 'sleepless',
      agent: BROWSER,
      titleOf: (n) => `bk-${((0x3c1d * (n + 5)) % 0xfff1).toString(16)}`,
    });
    const found = scrapingOf(runDetectors([...cohort, ...sleepless], path), 'sleepless');
    expect(found.length).toBeGreaterThanOrEqual(1);
    const families = found[0]!.evidence.families as { family: string; signals: string[] }[];
    expect(families.find((f) => f.family === 'tireless')!.signals.join(' ')).toMatch(
      /h without a pause of 3 h/,
    );
    // Evidence only a day of watching shows: a finding for a person, never an action.
    expect(found.every((d) => d.mitigation === 'observe')).toBe(true);
  });

  it('names no address for an observed finding: a phone moving over its carrier addresses, which others share', () => {
    // The sleepless reader above on a phone: the carrier hands it another address every title or so. Each
    // is nobody else's yet, but a carrier's address soon serves dozens of readers; an observed finding names
    // its reader by account only.
    let calls = 0;
    const phone = walk(later, {
      titles: 22,
      parts: 30,
      gapMs: (i) => (3 + (i % 5)) * 1000,
      betweenMs: 80 * MIN,
      ip: () => `10.2.0.${Math.floor(calls++ / 32) % 250}`,
      account: 'phone',
      agent: READER_APP,
      titleOf: (n) => `bk-${((0x3c1d * (n + 5)) % 0xfff1).toString(16)}`,
    });
    const found = scrapingOf(runDetectors([...cohort, ...phone], path), 'phone');
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found.every((d) => d.mitigation === 'observe' && d.subject.ip === undefined)).toBe(true);
  });

  it('reports one token pulling the catalog through many addresses as scraping and sharing at once', () => {
    const token = { tokenId: 'tokWideScope01', accountId: 'proxied', title: '' };
    // A home address in another place every two requests (a residential proxy network).
    const records = catalogPull(
      later,
      token,
      1500,
      (i) => `10.${1 + ((i >> 1) % 6)}.${(i >> 1) % 250}.${(i * 7) % 250}`,
      () => BROWSER,
    );
    const detections = runDetectors([...cohort, ...records], path).filter(
      (d) => d.subject.tokenId === 'tokWideScope01',
    );
    const scraping = detections.find((d) => d.kind === 'scraping');
    expect(scraping?.subject).toEqual({ accountId: 'proxied', tokenId: 'tokWideScope01' });
    expect(scraping?.evidence.behaviours).toEqual(['scraping', 'token_sharing']);
    expect(detections.some((d) => d.kind === 'token_sharing')).toBe(true);
  });

  it('glimpses a reading app taking chapters fast through a pool of home networks before its pace corroborates', () => {
    // One grant, a chapter every seven seconds or so, each request from the next of eleven home networks in six
    // countries: churn within the first minute, pace agreeing soon after, the finding proper only later.
    const pool = [1, 3, 4, 5, 6, 9, 12, 10, 13, 11, 2];
    const token = { tokenId: 'tokProxied02', accountId: 'pooled', title: 't02000' };
    // Gaps of two to twelve seconds, as uneven as a person's: no timer to go on.
    const times = [later];
    for (let i = 1; i < 120; i++) times.push(times[i - 1]! + 2_000 + ((i * 7_919) % 10_000));
    const at = (i: number) => times[i]!;
    const records = Array.from({ length: 120 }, (_, i) =>
      request(
        at(i),
        `10.${pool[i % pool.length]}.${i % 250}.9`,
        `/titles/t02000/epub/ch${String(i + 1).padStart(3, '0')}.xhtml`,
        { token, agent: READER_APP, bytes: 45_000 },
      ),
    );
    const found = scrapingOf(runDetectors([...cohort, ...records], path), 'pooled');
    const [first, ...rest] = found;
    expect(first?.evidence.glimpse).toBe(true);
    expect(first?.evidence.reasons).toEqual(expect.arrayContaining(['churn', 'pace']));
    expect(first?.subject).toEqual({ accountId: 'pooled', tokenId: 'tokProxied02' });
    expect(first?.mitigation).toBe('observe');
    const proper = rest.find((d) => d.evidence.glimpse !== true);
    expect(proper === undefined || Date.parse(proper.detectedAt) > Date.parse(first!.detectedAt)).toBe(true);
  });

  it('names each address of a scraper spreading one account over neighbouring cloud addresses', () => {
    // Named once the finding may be acted on (its early, observed report names the account only).
    const addresses = ['10.8.3.10', '10.8.3.11', '10.8.3.12', '10.8.3.13', '10.8.3.14', '10.8.3.15'];
    const records = cloudSpread('spread', addresses, 2000);
    const found = scrapingOf(runDetectors([...cohort, ...records], path), 'spread');
    const named = new Set(found.map((d) => d.subject.ip).filter((ip) => ip !== undefined));
    expect(named.size).toBeGreaterThanOrEqual(3);
    expect([...named].every((ip) => addresses.includes(ip!))).toBe(true);
    expect(found.filter((d) => d.subject.ip !== undefined).every((d) => d.score >= 0.9)).toBe(true);
    expect(found[0]!.evidence.families).toEqual(
      expect.arrayContaining([expect.objectContaining({ family: 'automation' })]),
    );
  });

  it('glimpses a scraper spreading one account over cloud addresses before two families agree, by account, observed only', () => {
    const addresses = ['10.8.4.10', '10.8.4.11', '10.8.4.12', '10.8.4.13'];
    const records = cloudSpread('glimpsed', addresses, 3000);
    const found = scrapingOf(runDetectors([...cohort, ...records], path), 'glimpsed');
    const glimpses = found.filter((d) => d.evidence.glimpse === true);
    expect(glimpses).toHaveLength(1);
    const [glimpse] = glimpses;
    expect(glimpse!.subject).toEqual({ accountId: 'glimpsed' });
    expect(glimpse!.mitigation).toBe('observe');
    expect(glimpse!.evidence.reasons).toEqual(expect.arrayContaining(['automation']));
    // The finding proper still comes, later, and is the one that may be acted on.
    const proper = found.filter((d) => d.evidence.glimpse !== true);
    expect(proper.length).toBeGreaterThanOrEqual(1);
    expect(Date.parse(glimpse!.detectedAt)).toBeLessThan(Date.parse(proper[0]!.detectedAt));
    expect(proper.some((d) => d.mitigation !== 'observe')).toBe(true);
  });

  it('never acts on a shelf synced fast through a VPN exit (a hosting network): at most a glimpse, observed', () => {
    const sync = walk(later, {
      titles: 25,
      parts: 40,
      gapMs: (i) => 200 + ((i * 53) % 600),
      ip: '10.8.9.3',
      account: 'vpnsync',
      agent: READER_APP,
    });
    const found = scrapingOf(runDetectors([...cohort, ...sync], path), 'vpnsync');
    expect(found.every((d) => d.mitigation === 'observe')).toBe(true);
  });

  it('flags walking titles in catalog order and guessing parts that do not exist', () => {
    const records: EdgeLogRecord[] = [];
    for (let n = 0; n < 12; n++) {
      const title = `t${String(500 + n).padStart(5, '0')}`;
      const token = { tokenId: `tokEnum${String(n).padStart(4, '0')}`, accountId: 'enum', title };
      for (let c = 1; c <= 12; c++) {
        records.push(
          request(
            later + (n * 12 + c) * 2_000,
            '10.1.66.6',
            `/titles/${title}/epub/ch${String(c).padStart(3, '0')}.xhtml`,
            {
              token,
              agent: BROWSER,
              status: c > 8 ? 404 : 200,
              bytes: c > 8 ? 500 : 45_000,
            },
          ),
        );
      }
    }
    const found = scrapingOf(runDetectors([...cohort, ...records], path), 'enum');
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found[0]!.evidence.reasons).toContain('enumeration');
    // Glimpsed first, by account (five titles one up with a second family agreeing); the finding proper
    // names the account, and its address only where it may be acted on.
    const proper = found.filter((d) => d.evidence.glimpse !== true);
    expect(proper.length).toBeGreaterThanOrEqual(1);
    for (const d of proper)
      expect(d.subject).toEqual(
        d.score > 0.89 ? { accountId: 'enum', ip: '10.1.66.6' } : { accountId: 'enum' },
      );
  });
});

/** Evidence of the named families at the given strengths, for the rules' tables below. */
const ev = (...pairs: [string, number][]) =>
  pairs.map(([family, strength]) => ({ family, strength, signals: [] }));

describe('taking: content taken, by one reader', () => {
  it('needs a family of taking: a tool through many networks with nothing taken is a leaked grant', () => {
    expect(taking(ev(['automation', 0.9], ['churn', 0.9]))).toBe(false);
    expect(taking(ev(['coverage', 0.5], ['tireless', 0.5]))).toBe(true);
    expect(taking(ev(['pace', 0.3], ['automation', 0.6]))).toBe(true);
  });
  it("leaves whole titles read through many homes at a reader's pace to token sharing (a ring reading)", () => {
    expect(taking(ev(['coverage', 0.7], ['churn', 0.6]))).toBe(false);
    expect(taking(ev(['coverage', 0.5], ['churn', 0.6], ['tireless', 0.5]))).toBe(false);
    // Taken faster than people read, in order, or by a tool: one identity taking through a pool.
    expect(taking(ev(['coverage', 0.7], ['churn', 0.6], ['pace', 0.3]))).toBe(true);
    expect(taking(ev(['coverage', 0.5], ['churn', 0.6], ['enumeration', 0.6]))).toBe(true);
    expect(taking(ev(['coverage', 0.5], ['churn', 0.75], ['automation', 0.7]))).toBe(true);
    // Churn under agreeing is no crowd.
    expect(taking(ev(['coverage', 0.7], ['churn', 0.2]))).toBe(true);
  });
});

describe('glimpsed: one family established and a fingerprint agreeing', () => {
  it('glimpses pace with automation, and a fingerprint with pace', () => {
    expect(glimpsed(ev(['pace', 0.7], ['automation', 0.3]))).toBe(true);
    expect(glimpsed(ev(['automation', 0.7], ['pace', 0.3]))).toBe(true);
    expect(glimpsed(ev(['enumeration', 0.8], ['coverage', 0.35]))).toBe(true);
  });
  it('glimpses a fingerprint a step below established only with pace (a clock kept while taking content fast)', () => {
    expect(glimpsed(ev(['automation', 0.6], ['pace', 0.3]))).toBe(true);
    expect(glimpsed(ev(['enumeration', 0.6], ['pace', 0.4]))).toBe(true);
    // An audiobook's parts keep a clock, and its listener finishes titles: coverage is not enough.
    expect(glimpsed(ev(['automation', 0.6], ['coverage', 0.5]))).toBe(false);
    expect(glimpsed(ev(['automation', 0.5], ['pace', 0.5]))).toBe(false);
  });
  it('waits on pace with coverage (a shelf sync), on one family alone, and on weaker families', () => {
    expect(glimpsed(ev(['pace', 0.8], ['coverage', 0.5]))).toBe(false);
    expect(glimpsed(ev(['pace', 0.95]))).toBe(false);
    expect(glimpsed(ev(['pace', 0.6], ['automation', 0.3]))).toBe(false);
    expect(glimpsed(ev(['pace', 0.7], ['automation', 0.2]))).toBe(false);
    expect(glimpsed(ev(['churn', 0.5], ['pace', 0.5]))).toBe(false);
  });
  it('glimpses churn a step below established only with pace (one identity taking fast through a proxy pool)', () => {
    expect(glimpsed(ev(['churn', 0.6], ['pace', 0.3]))).toBe(true);
    expect(glimpsed(ev(['churn', 0.75], ['pace', 0.5]))).toBe(true);
    // A sharing ring's members read whole titles at home: churn with coverage, or with pace under agreeing, waits.
    expect(glimpsed(ev(['churn', 0.85], ['coverage', 0.5]))).toBe(false);
    expect(glimpsed(ev(['churn', 0.85], ['pace', 0.2]))).toBe(false);
    expect(glimpsed(ev(['churn', 0.85], ['tireless', 0.5], ['automation', 0.2]))).toBe(false);
  });
});

describe('unlikeReading: what acting needs beside reading fast and whole', () => {
  it('takes an order, a fingerprint or many networks agreeing, never pace with coverage alone', () => {
    expect(unlikeReading(ev(['pace', 0.95], ['coverage', 0.9]))).toBe(false);
    expect(unlikeReading(ev(['pace', 0.4], ['automation', 0.3]))).toBe(true);
    expect(unlikeReading(ev(['coverage', 0.35], ['enumeration', 0.3]))).toBe(true);
    expect(unlikeReading(ev(['pace', 0.4], ['churn', 0.6]))).toBe(true);
    expect(unlikeReading(ev(['pace', 0.4], ['automation', 0.2]))).toBe(false);
  });
  it('takes no rest beside reading only once more was taken than a player left running takes', () => {
    // A day without a break with a few bursts beyond the cohort's pace, or a few titles taken deep: a player
    // reading aloud through the night and the next day.
    expect(unlikeReading(ev(['tireless', 0.9], ['pace', 0.4]))).toBe(false);
    expect(unlikeReading(ev(['tireless', 0.9], ['pace', 0.6], ['coverage', 0.5]))).toBe(false);
    // A pace kept up for an hour and a half beyond three times the cohort's, or forty titles taken deep.
    expect(unlikeReading(ev(['tireless', 0.9], ['pace', 0.75]))).toBe(true);
    expect(unlikeReading(ev(['tireless', 0.9], ['coverage', 0.75]))).toBe(true);
    // With a fingerprint beside it, no rest needs nothing more.
    expect(unlikeReading(ev(['tireless', 0.9], ['pace', 0.3], ['automation', 0.6]))).toBe(true);
    // No rest under agreeing is no family at all.
    expect(unlikeReading(ev(['tireless', 0.2], ['pace', 0.95]))).toBe(false);
  });
});
