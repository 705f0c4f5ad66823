import { describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { scrapingOf, walk } from './reader-walk.ts';
import { cohortOfReaders, MIN, PATHS, READER_APP, runDetectors, T0, takeTitle } from './test-support.ts';

const HOUR = 60 * MIN;
const SECOND = 1_000;

/**
 * A speech app reading `titles` books aloud at once for six hours: each title a chapter every 100 s on its own
 * clock (the cohort's readers take 120-240 s a chapter, so each title goes at about twice their pace, within a
 * person's), the titles' clocks evenly apart. Added up, four titles go at seven times the cohort's pace.
 */
function listening(start: number, account: string, titles: number): EdgeLogRecord[] {
  const records: EdgeLogRecord[] = [];
  for (let k = 0; k < titles; k++) {
    const title = `t${String(30_000 + k * 7_919).padStart(5, '0')}`;
    const { records: read } = takeTitle(start + Math.round((k * 100 * SECOND) / titles), {
      title,
      parts: 216,
      gapMs: () => 100 * SECOND,
      ip: '10.1.44.9',
      agent: READER_APP,
      token: { tokenId: `tok${account}${k}`, accountId: account },
    });
    records.push(...read);
  }
  return records;
}

/**
 * A speech app reading books one after another for `hours`: at each book's opening the manifest, the cover and
 * ten chapters at once (a buffer ahead), then, as each chapter is read aloud, the next, `readMs` apart.
 */
function readingAloud(start: number, account: string, hours: number, readMs: number): EdgeLogRecord[] {
  return walk(start, {
    titles: Math.floor((hours * HOUR) / (10 * SECOND + 6 * readMs + 20 * SECOND)),
    parts: 16,
    gapMs: (i) => (i < 10 ? 300 : readMs),
    betweenMs: 20 * SECOND,
    ip: '10.1.45.9',
    account,
    agent: READER_APP,
  });
}

describe.each(PATHS)('Detector: titles side by side, each at its own pace, through %s', (path) => {
  const cohort = cohortOfReaders(T0);
  const later = T0 + 2 * HOUR;

  it('stays quiet for four titles read aloud at once, each within a person pace on its own clock', () => {
    const found = scrapingOf(runDetectors([...cohort, ...listening(later, 'listener', 4)], path), 'listener');
    expect(found).toEqual([]);
  });

  it('still finds the same chapters taken one title after another at the rate they add up to', () => {
    const taking = walk(later, {
      titles: 4,
      parts: 216,
      gapMs: () => 25 * SECOND,
      ip: '10.1.44.9',
      account: 'taking',
      agent: READER_APP,
    });
    const found = scrapingOf(runDetectors([...cohort, ...taking], path), 'taking');
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found[0]!.evidence.reasons).toContain('pace');
  });

  it('still finds a dozen titles side by side, each within a person pace: beyond a few, titles add up', () => {
    const found = scrapingOf(runDetectors([...cohort, ...listening(later, 'spread', 12)], path), 'spread');
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found[0]!.evidence.reasons).toContain('pace');
  });

  it("stays quiet for a speech app's buffer fetched at each book's opening, then a chapter as each is read", () => {
    const aloud = readingAloud(later, 'aloud', 4, 70 * SECOND);
    expect(scrapingOf(runDetectors([...cohort, ...aloud], path), 'aloud')).toEqual([]);
  });

  it('still finds the same books taken on at the opening rate, without the pause of a buffer read', () => {
    const burst = readingAloud(later, 'burst', 4, 300);
    const found = scrapingOf(runDetectors([...cohort, ...burst], path), 'burst');
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found[0]!.evidence.reasons).toContain('pace');
  });

  it("stays quiet for a day of books read aloud whole, each opened with a player's buffer", () => {
    const day = readingAloud(later, 'day', 13, 100 * SECOND);
    expect(scrapingOf(runDetectors([...cohort, ...day], path), 'day')).toEqual([]);
  });

  it('still finds the same day of books taken whole without a player opening them', () => {
    const steady = walk(later, {
      titles: 74,
      parts: 16,
      gapMs: () => 38 * SECOND,
      betweenMs: 20 * SECOND,
      ip: '10.1.45.9',
      account: 'steady',
      agent: READER_APP,
    });
    const found = scrapingOf(runDetectors([...cohort, ...steady], path), 'steady');
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found[0]!.evidence.reasons).toContain('coverage');
  });
});
