import { describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { scrapingOf } from './reader-walk.ts';
import { chapter, cohortOfReaders, MIN, PATHS, request, runDetectors, T0 } from './test-support.ts';

const HOUR = 60 * MIN;
const CURL = 'curl/8.5.0';

/**
 * A tool walking the catalog's listing slowly: the first few assets of each title, ids ascending with gaps
 * (never one up), a title every ten minutes or so from home; after the sixth title it looks back at the fifth
 * (its token still open) before going on.
 */
function listingWalk(start: number, titles: number, account: string): EdgeLogRecord[] {
  const records: EdgeLogRecord[] = [];
  let t = start;
  const tokenOf = (n: number) => ({
    tokenId: `tok${account}${String(n).padStart(4, '0')}`,
    accountId: account,
    title: `c${100_000 + n * 1_357 + ((n * 7) % 5) * 100}`,
  });
  for (let n = 0; n < titles; n++) {
    const token = tokenOf(n);
    const paths = ['manifest.json', 'cover.jpg'].map((p) => `/titles/${token.title}/${p}`);
    paths.push(chapter(token.title, 1), chapter(token.title, 2));
    for (const [i, path] of paths.entries()) {
      records.push(request(t, '10.1.97.9', path, { token, agent: CURL, bytes: 40_000 }));
      t += (60 + ((n * 31 + i * 17) % 140)) * 1000;
    }
    if (n === 6) {
      const back = tokenOf(5);
      records.push(
        request(t, '10.1.97.9', chapter(back.title, 3), { token: back, agent: CURL, bytes: 40_000 }),
      );
      t += 90_000;
    }
  }
  return records;
}

describe.each(PATHS)('Walks of the catalog, through %s', (path) => {
  const cohort = cohortOfReaders(T0);
  const later = T0 + 2 * HOUR;

  it('glimpses a tool walking the listing in ascending order, ten steps in a row, by account and observed only', () => {
    const found = scrapingOf(runDetectors([...cohort, ...listingWalk(later, 14, 'lister')], path), 'lister');
    expect(found).toHaveLength(1);
    const [glimpse] = found;
    expect(glimpse!.evidence.glimpse).toBe(true);
    expect(glimpse!.subject).toEqual({ accountId: 'lister' });
    expect(glimpse!.mitigation).toBe('observe');
    const families = glimpse!.evidence.families as { family: string; strength: number; signals: string[] }[];
    const enumeration = families.find((f) => f.family === 'enumeration')!;
    // Context only: never corroboration on its own (a series read in order climbs too).
    expect(enumeration.strength).toBe(0.3);
    expect(enumeration.signals.join(' ')).toMatch(/titles in ascending catalog order/);
  });

  it('waits while the walk is shorter than ten steps', () => {
    expect(scrapingOf(runDetectors([...cohort, ...listingWalk(later, 10, 'short')], path), 'short')).toEqual(
      [],
    );
  });
});
