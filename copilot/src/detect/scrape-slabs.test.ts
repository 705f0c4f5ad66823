import { describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { STEM_BYTES, ScrapeSlabs } from './scrape-slabs.ts';
import { request, runDetectors, T0 } from './test-support.ts';
import type { Detection } from './types.ts';

describe('Class: ScrapeSlabs', () => {
  it('grows to hold any slot and keeps what earlier slots hold', () => {
    const slabs = new ScrapeSlabs(24);
    slabs.stems[3 * STEM_BYTES] = 7;
    slabs.gaps[3 * 24 + 23] = 1.5;
    slabs.ensure(5_000);
    expect(slabs.stems.length).toBeGreaterThanOrEqual(5_001 * STEM_BYTES);
    expect(slabs.gaps.length).toBeGreaterThanOrEqual(5_001 * 24);
    expect(slabs.stems[3 * STEM_BYTES]).toBe(7);
    expect(slabs.gaps[3 * 24 + 23]).toBe(1.5);
    const before = slabs.stems;
    slabs.ensure(10);
    expect(slabs.stems).toBe(before);
  });
});

describe('Detector: scraping with paths kept in the slabs', () => {
  /** An address enumerating numbered assets, once per second, under `prefix`. */
  function walk(ip: string, prefix: string): EdgeLogRecord[] {
    return Array.from({ length: 120 }, (_, i) =>
      request(T0 + i * 1_000, ip, `${prefix}/ch${String(i + 1).padStart(3, '0')}.xhtml`),
    );
  }

  function judged(records: EdgeLogRecord[]): Detection[] {
    return runDetectors(records).map((d) => ({ ...d, evidence: { ...d.evidence, lastAsset: undefined } }));
  }

  it('judges paths longer than a slab slot exactly as short ones, also when an address switches between them', () => {
    const short = judged(walk('10.1.1.1', '/titles/t00001/epub'));
    expect(short.map((d) => d.evidence.reasons)).toEqual([['sequential_enumeration']]);
    const long = judged(walk('10.1.1.1', `/titles/t00001/${'x'.repeat(STEM_BYTES)}`));
    expect(long).toEqual(short);
    // Alternating long and short paths: every request moves, no step is "next".
    const mixed = walk('10.1.1.2', '/titles/t00001/epub').map((r, i) =>
      i % 2 === 0 ? r : { ...r, uriStem: `/titles/t00001/${'y'.repeat(80)}/ch${i}.xhtml` },
    );
    expect(judged(mixed)).toEqual([]);
  });
});
