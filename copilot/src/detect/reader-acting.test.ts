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
});
