import { describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { scrapingOf } from './reader-walk.ts';
import { chapter, cohortOfReaders, MIN, PATHS, request, runDetectors, T0 } from './test-support.ts';

const HOUR = 60 * MIN;
const CURL = 'curl/8.5.0';

/**
 * One grant of one title read by a tool from another home network at every request, a page every `gapMs`:
 * how it connects is all there is (a tool's agent, dozens of networks in ten minutes).
 */
function leakedGrant(start: number, account: string, gapMs: number, pageBytes: number): EdgeLogRecord[] {
  const token = { tokenId: `tok${account}`, accountId: account, title: 't00420' };
  const records: EdgeLogRecord[] = [];
  for (let i = 0; i < 120; i++) {
    const ip = `10.${1 + (i % 6)}.${(i * 13) % 250}.${(i * 7) % 250}`;
    records.push(
      request(start + i * gapMs, ip, chapter('t00420', (i % 60) + 1), {
        token,
        agent: CURL,
        bytes: pageBytes,
      }),
    );
  }
  return records;
}

describe.each(PATHS)('Scraping is content taken, through %s', (path) => {
  const cohort = cohortOfReaders(T0);
  const later = T0 + 2 * HOUR;

  it('reports no scraping for a grant read by a tool through many networks with nothing taken beyond a reader', () => {
    // A page of a few kilobytes every 20 s: far under three times the cohort's pace, one title, no catalog
    // order; a tool's agent (automation 0.7) and thirty networks in ten minutes (churn) agree past the report
    // score, but neither says anything was taken: what a leaked grant shows, token sharing's to report.
    const found = scrapingOf(
      runDetectors([...cohort, ...leakedGrant(later, 'leaked', 20_000, 4_000)], path),
      'leaked',
    );
    expect(found).toEqual([]);
  });

  it('still reports the same grant pulling content far beyond a reader, as scraping and sharing', () => {
    // The same tool and networks taking whole chapters every 2 s: pace joins within minutes.
    const found = scrapingOf(
      runDetectors([...cohort, ...leakedGrant(later, 'pulling', 2_000, 45_000)], path),
      'pulling',
    );
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found[0]!.evidence.reasons).toEqual(expect.arrayContaining(['pace']));
    expect(found[0]!.evidence.behaviours).toEqual(['scraping', 'token_sharing']);
  });
});

describe.each(PATHS)('Titles side by side without speed, through %s', (path) => {
  const cohort = cohortOfReaders(T0);
  const later = T0 + 2 * HOUR;

  /**
   * Comic issues in batches of ten: the app opens the ten side by side (their first two pages in turn, 2 s apart), then
   * the reader reads them one after another, a page every 5-25 s.
   */
  function series(account: string, ip: string, agent?: string): EdgeLogRecord[] {
    const records: EdgeLogRecord[] = [];
    let t = later;
    const page = (title: string, n: number, gapSeconds: number) => {
      const token = { tokenId: `tok${account}${title}`, accountId: account, title };
      const path = `/titles/${title}/pages/p${String(n).padStart(3, '0')}.jpg`;
      records.push(request(t, ip, path, { token, bytes: 300_000, ...(agent ? { agent } : {}) }));
      t += gapSeconds * 1_000;
    };
    for (let batch = 0; batch < 2; batch++) {
      const issues = Array.from(
        { length: 10 },
        (_, k) => `c${String(500 + (((batch * 10 + k) * 53) % 97)).padStart(5, '0')}`,
      );
      for (const n of [1, 2]) for (const title of issues) page(title, n, 2);
      issues.forEach((title, k) => {
        for (let n = 3; n <= 30; n++) page(title, n, 5 + ((n * 7 + k * 13) % 21));
      });
    }
    return records;
  }

  it('reports no comic reader keeping ten issues open at a reader pace', () => {
    // Twenty issues read whole, ten opened side by side: concurrency and coverage, and no reading beyond the
    // cohort's pace. Counted as speed, ten side by side (0.8) with the issues taken whole was a finding.
    const found = scrapingOf(runDetectors([...cohort, ...series('comics', '10.1.45.4')], path), 'comics');
    expect(found).toEqual([]);
  });

  it('still counts titles side by side as speed when a tool fetches them', () => {
    // The same twenty issues, ten at a time, fetched by a download tool: its concurrency is a tool's, so it
    // stands for speed with no hour beyond the cohort's pace, and content is taken.
    const found = scrapingOf(
      runDetectors([...cohort, ...series('fetcher', '10.1.45.5', CURL)], path),
      'fetcher',
    );
    expect(found.length).toBeGreaterThanOrEqual(1);
    // A tool's two titles taken may glimpse it first (coverage as context); its concurrency is counted as pace.
    const reasons = found.map((d) => d.evidence.reasons as string[]);
    expect(reasons.some((r) => r.includes('pace') && r.includes('automation'))).toBe(true);
  });
});
