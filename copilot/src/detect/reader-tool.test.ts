import { describe, expect, it } from 'vitest';
import { cohortOfReaders, MIN, PATHS, READER_APP, runDetectors, T0 } from './test-support.ts';
import { scrapingOf, walk } from './reader-walk.ts';

const HOUR = 60 * MIN;
const CURL = 'curl/8.5.0';
/** A home network in the test geolocation: nothing of a server about the address. */
const HOME = '10.1.90.4';

describe.each(PATHS)('Detector: titles taken by an HTTP tool, through %s', (path) => {
  const cohort = cohortOfReaders(T0);
  const later = T0 + 2 * HOUR;

  /** Titles of a dozen chapters each, a chapter every three minutes: a person's pace, no catalog order. */
  const paced = (account: string, agent: string) =>
    walk(later, {
      titles: 3,
      parts: 12,
      gapMs: () => 3 * MIN,
      betweenMs: 20 * MIN,
      ip: HOME,
      account,
      agent,
    });

  it('glimpses a tool taking titles at a person pace once it has taken two, by account, observed only', () => {
    const found = scrapingOf(runDetectors([...cohort, ...paced('script', CURL)], path), 'script');
    // Nothing about its pace, order or address: its agent and what it took are all there is.
    expect(found).toHaveLength(1);
    const [glimpse] = found;
    expect(glimpse!.evidence.glimpse).toBe(true);
    expect(glimpse!.subject).toEqual({ accountId: 'script' });
    expect(glimpse!.mitigation).toBe('observe');
    expect(glimpse!.evidence.reasons).toEqual(['automation', 'coverage']);
    // A title is taken at its tenth chapter (its size unknown): the second title's, about 85 minutes in (the first
    // ends 35 minutes in, the second opens 20 minutes later), where the walk's pace owes no hour of reading.
    expect(Date.parse(glimpse!.detectedAt) - later).toBeLessThan(90 * MIN);
  });

  it('stays quiet for a reading app taking the same titles at the same pace', () => {
    expect(scrapingOf(runDetectors([...cohort, ...paced('reader', READER_APP)], path), 'reader')).toEqual([]);
  });

  it('says nothing of titles taken by the reading app of a reader whose tool took none', () => {
    // One reader: a script glances at a title's first chapters (nothing taken), then the app takes three titles.
    const glance = walk(later - 30 * MIN, {
      titles: 1,
      parts: 2,
      gapMs: () => MIN,
      ip: HOME,
      account: 'mixed',
      tokens: 'mixedScript',
      agent: CURL,
      titleOf: () => 't09001',
    });
    const found = scrapingOf(
      runDetectors([...cohort, ...glance, ...paced('mixed', READER_APP)], path),
      'mixed',
    );
    expect(found).toEqual([]);
  });

  it('stays quiet for a tool that takes one title whole (what one grant read by a crowd of tools also shows)', () => {
    const one = walk(later, {
      titles: 1,
      parts: 30,
      gapMs: () => 3 * MIN,
      ip: HOME,
      account: 'one',
      agent: CURL,
    });
    expect(scrapingOf(runDetectors([...cohort, ...one], path), 'one')).toEqual([]);
  });
});
