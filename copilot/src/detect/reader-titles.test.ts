import { describe, expect, it } from 'vitest';
import { cohortOfReaders, MIN, PATHS, READER_APP, runDetectors, T0 } from './test-support.ts';
import { scrapingOf, walk } from './reader-walk.ts';
import { deepFirst, fetchedAgain, type ReaderTitles, readerTitle, takenFirst } from './reader-titles.ts';
import type { TitleStats } from './titles.ts';

const HOUR = 60 * MIN;

describe.each(PATHS)('Detector: a title counted once per reader, through %s', (path) => {
  const cohort = cohortOfReaders(T0);
  const later = T0 + 2 * HOUR;
  /** A grant every six minutes for eight hours, each fetching thirty chapters a couple of seconds apart. */
  const grants = (account: string, titleOf: (n: number) => string) =>
    walk(later, {
      titles: 80,
      parts: 30,
      gapMs: (i) => 1_500 + ((i * 37) % 900),
      betweenMs: 5 * MIN,
      ip: '10.1.44.9',
      account,
      agent: READER_APP,
      titleOf,
    });

  it('stays quiet for a reading app that renews its grant of one title and fetches the title again on each', () => {
    const renewing = grants('renewing', () => 't04711');
    expect(scrapingOf(runDetectors([...cohort, ...renewing], path), 'renewing')).toEqual([]);
  });

  it('still finds the same requests when each grant takes another title', () => {
    const taking = grants('taking', (n) => `t${String(20_000 + ((n * 7919) % 9973)).padStart(5, '0')}`);
    const found = scrapingOf(runDetectors([...cohort, ...taking], path), 'taking');
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found[0]!.evidence.reasons).toEqual(expect.arrayContaining(['pace', 'coverage']));
  });
});

describe("A reader's titles", () => {
  const stats = (scope: string): TitleStats => ({
    scope,
    key: 1,
    size: 0,
    sessions: 0,
    closed: 0,
    closedParts: 0,
  });

  it("counts a renewed grant's parts as fetched again up to where the furthest grant got, then as new", () => {
    const holder: { titles: ReaderTitles } = { titles: [] };
    const novel = stats('t00001');
    const t = readerTitle(holder, novel);
    for (let parts = 1; parts <= 12; parts++) expect(fetchedAgain(holder.titles, t, 1, parts)).toBe(false);
    // The renewal (grant 2) fetches the first twelve again, then reads on; grant 1 is behind from then on.
    expect(readerTitle(holder, novel)).toBe(t);
    for (let parts = 1; parts <= 12; parts++) expect(fetchedAgain(holder.titles, t, 2, parts)).toBe(true);
    expect(fetchedAgain(holder.titles, t, 2, 13)).toBe(false);
    expect(fetchedAgain(holder.titles, t, 1, 13)).toBe(true);
  });

  it('counts a title taken, and taken deep, once each, whatever its reach', () => {
    const holder: { titles: ReaderTitles } = { titles: [] };
    const t = readerTitle(holder, stats('t00001'));
    expect(fetchedAgain(holder.titles, t, 1, 40)).toBe(false);
    expect(takenFirst(holder.titles, t)).toBe(true);
    expect(takenFirst(holder.titles, t)).toBe(false);
    expect(deepFirst(holder.titles, t)).toBe(true);
    expect(deepFirst(holder.titles, t)).toBe(false);
    // The marks leave the reach alone, and the reach leaves the marks alone.
    expect(fetchedAgain(holder.titles, t, 2, 40)).toBe(true);
    expect(fetchedAgain(holder.titles, t, 2, 41)).toBe(false);
    expect(takenFirst(holder.titles, t)).toBe(false);
  });

  it('remembers a few titles, the oldest forgotten first, and none for a token without a title', () => {
    const holder: { titles: ReaderTitles } = { titles: [] };
    const first = stats('t00001');
    const at = readerTitle(holder, first);
    expect(takenFirst(holder.titles, at)).toBe(true);
    for (let n = 2; n <= 6; n++) readerTitle(holder, stats(`t0000${n}`));
    // Still remembered (taken), and moved to the end as the most recent.
    const again = readerTitle(holder, first);
    expect(again).toBe(holder.titles.length - 3);
    expect(takenFirst(holder.titles, again)).toBe(false);
    for (let n = 7; n <= 12; n++) readerTitle(holder, stats(`t000${n}`));
    expect(holder.titles.length).toBe(18);
    // Forgotten: a new entry, not yet taken.
    const anew = readerTitle(holder, first);
    expect(takenFirst(holder.titles, anew)).toBe(true);
    expect(readerTitle(holder, undefined)).toBe(-1);
    expect(readerTitle(holder, stats(''))).toBe(-1);
  });
});
