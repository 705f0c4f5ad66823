import { describe, expect, it } from 'vitest';
import { cohortOfReaders, MIN, PATHS, READER_APP, runDetectors, T0 } from './test-support.ts';
import { scrapingOf, walk } from './reader-walk.ts';

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
