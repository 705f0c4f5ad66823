import { describe, expect, it } from 'vitest';
import { expectObservedOnly, scrapingOf, walk } from './reader-walk.ts';
import { BROWSER, cohortOfReaders, MIN, PATHS, runDetectors, T0 } from './test-support.ts';

const HOUR = 60 * MIN;

/** Titles in no catalog order: a permutation of 40 ids, none one up from the last. */
const shuffled = (n: number) => `t${String(100 + ((n * 17) % 40) * 3).padStart(5, '0')}`;

describe.each(PATHS)('Acting on a reader, through %s', (path) => {
  const cohort = cohortOfReaders(T0);
  const later = T0 + 2 * HOUR;
  /** Forty titles taken whole, in no catalog order, from home behind a browser, a chapter every `gapMs`. */
  const fortyWhole = (account: string, ip: string, gapMs: (i: number) => number) =>
    walk(later, { titles: 40, parts: 40, gapMs, ip, account, agent: BROWSER, titleOf: shuffled });

  it('observes, never acts on, a reader taking whole titles far beyond a reading pace with nothing unlike reading', () => {
    // Forty titles taken whole, a chapter every 5-21 s (no timer's regularity), from home behind a browser,
    // in no catalog order, for about six hours: pace (kept up for hours beyond three times the cohort's) and
    // coverage (every title far deeper than its readers take it) agree well past every scraping bar, but
    // that is what a person reading fast and whole shows. Acting needs a family unlike reading.
    const reader = fortyWhole('fastwhole', '10.1.95.9', (i) => (5 + ((i * 37) % 17)) * 1000);
    const found = scrapingOf(runDetectors([...cohort, ...reader], path), 'fastwhole');
    expect(found.length).toBeGreaterThanOrEqual(1);
    // Only the two families of reading agree: nothing else points the same way.
    for (const d of found) expect([...(d.evidence.reasons as string[])].sort()).toEqual(['coverage', 'pace']);
    // Held under every scraping bar: without the rule it reaches 0.95 and the account is asked to re-authenticate.
    expectObservedOnly(found);
    // Named by account only: its home address, nobody else's, joins the subject only once it may be acted on,
    // so the reader found again from another address is the same subject.
    expect(found.map((d) => d.subject)).toEqual(found.map(() => ({ accountId: 'fastwhole' })));
  });

  it('observes, never acts on, a machine reading aloud one title after another for thirteen hours without a break', () => {
    // Text-to-speech fetching each chapter ahead of the voice: whole titles, one at a time, in no catalog
    // order, a chapter every 15-45 s from home, for thirteen hours without a quarter hour's break. Pace and
    // coverage agree, and tirelessness (half a day in a row) joins them: what a listener's working day and
    // evening look like, not a day without sleep.
    const speech = fortyWhole('speech', '10.1.96.9', (i) => (15 + ((i * 37) % 31)) * 1000);
    const found = scrapingOf(runDetectors([...cohort, ...speech], path), 'speech');
    const reasons = new Set(found.flatMap((d) => d.evidence.reasons as string[]));
    expect([...reasons].sort()).toEqual(['coverage', 'pace', 'tireless']);
    // Held under every scraping bar: without the day-long view of the run it was asked to re-authenticate.
    expectObservedOnly(found);
  });

  it('observes a player left reading aloud through the night (twenty hours in a row), acts on a whole day', () => {
    // The same text-to-speech at a chapter every 25-65 s: forty titles take about twenty hours, past a waking
    // day, which a player left running through the night reaches too.
    const night = fortyWhole('night', '10.1.97.9', (i) => (25 + ((i * 37) % 41)) * 1000);
    const found = scrapingOf(runDetectors([...cohort, ...night], path), 'night');
    expect(found.flatMap((d) => d.evidence.reasons as string[])).toContain('tireless');
    expectObservedOnly(found);
    // A chapter every 40-80 s, no faster than three times the cohort's pace, through forty long titles: a whole
    // day in a row, nineteen titles taken by then, one at a time from home. What a player left running through
    // the night and the next day takes: no rest beside reading, observed only.
    const player = fortyWhole('player', '10.1.99.9', (i) => (40 + ((i * 37) % 41)) * 1000);
    const played = scrapingOf(runDetectors([...cohort, ...player], path), 'player');
    expect(played.some((d) => (d.evidence.reasons as string[]).includes('tireless'))).toBe(true);
    expectObservedOnly(played);
    // The same pace through short titles: by the time a day has passed, more than a player takes (a third of
    // the catalog seen taken deep). A whole day in a row beside that may be acted on.
    const day = walk(later, {
      titles: 80,
      parts: 20,
      gapMs: (i) => (40 + ((i * 37) % 41)) * 1000,
      ip: '10.1.98.9',
      account: 'wholeday',
      agent: BROWSER,
      titleOf: (n) => `t${String(100 + ((n * 37) % 97) * 3).padStart(5, '0')}`,
    });
    const acted = scrapingOf(runDetectors([...cohort, ...day], path), 'wholeday');
    expect(acted.some((d) => d.mitigation !== 'observe')).toBe(true);
  });

  /** 10.8.x.y is a hosting network in the test geolocation: servers, or a VPN's exits. */
  const exitRead = (account: string, ip: (i: number) => string) =>
    fortyWhole(account, ip(0), (i) => (5 + ((i * 37) % 17)) * 1000).map((r, i) => ({
      ...r,
      clientIp: ip(i),
    }));

  it('observes, never acts on, a reader behind one VPN exit (or two it flaps between) taking whole titles fast', () => {
    // The fast, whole reader above, through a VPN: every request from a hosting network's address, one exit
    // for hours, or two a flaky tunnel alternates between request by request. The hosting network is shown
    // as context; it is no family unlike reading, since one exit says only that the reader uses a VPN.
    for (const [account, ip] of [
      ['oneexit', () => '10.8.95.9'],
      ['twoexits', (i: number) => `10.8.96.${i % 2}`],
    ] as const) {
      const found = scrapingOf(runDetectors([...cohort, ...exitRead(account, ip)], path), account);
      expect(found.length).toBeGreaterThanOrEqual(1);
      const automation = found.at(-1)!.evidence.families as { family: string; signals: string[] }[];
      expect(automation.find((f) => f.family === 'automation')?.signals).toEqual([
        'requests from a hosting network',
      ]);
      // Held under every scraping bar: counting the exit as a fingerprint asked it to re-authenticate.
      expectObservedOnly(found);
    }
  });

  it('acts on the same reading turned through a pool of hosting addresses, as a proxy pool or a fleet does', () => {
    // The same pace and the same titles, each request from the next of five addresses of one hosting range.
    const found = scrapingOf(
      runDetectors([...cohort, ...exitRead('pool', (i) => `10.8.97.${i % 5}`)], path),
      'pool',
    );
    const last = found.at(-1)!;
    const families = last.evidence.families as { family: string; signals: string[] }[];
    expect(families.find((f) => f.family === 'automation')?.signals).toEqual([
      'requests from a hosting network',
      '3 or more of its addresses in turn within 10 min',
    ]);
    expect(last.score).toBeGreaterThanOrEqual(0.9);
    expect(found.some((d) => d.mitigation === 'force_reauth')).toBe(true);
  });
});
