import { describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { N_REQUESTS, STEM_BYTES, ScrapeSlabs } from './scrape-slabs.ts';
import { request, runDetectors, T0 } from './test-support.ts';
import type { Detection } from './types.ts';

describe('Class: ScrapeSlabs', () => {
  it('grows to hold any slot and keeps what earlier slots hold', () => {
    const slabs = new ScrapeSlabs(24);
    slabs.bytes[slabs.stemAt(3)] = 7;
    slabs.times[slabs.gapsAt(3) + 23] = 1.5;
    slabs.counts[slabs.countsAt(3) + N_REQUESTS] = 9;
    slabs.ensure(5_000);
    expect(slabs.capacity).toBeGreaterThanOrEqual(5_001);
    expect(slabs.bytes.length).toBeGreaterThanOrEqual(slabs.stemAt(5_000) + STEM_BYTES);
    expect(slabs.times.length).toBeGreaterThanOrEqual(slabs.gapsAt(5_000) + 24);
    expect(slabs.bytes[slabs.stemAt(3)]).toBe(7);
    expect(slabs.times[slabs.gapsAt(3) + 23]).toBe(1.5);
    expect(slabs.counts[slabs.countsAt(3) + N_REQUESTS]).toBe(9);
    const before = slabs.times;
    slabs.ensure(10);
    expect(slabs.times).toBe(before);
  });

  it("keeps a slot's times, counters, path and gaps apart from each other and from the next slot", () => {
    const slabs = new ScrapeSlabs(24);
    const ends = [
      [slabs.timesAt(1) * 8, (slabs.timesAt(1) + 8) * 8],
      [slabs.countsAt(1) * 4, (slabs.countsAt(1) + 16) * 4],
      [slabs.stemAt(1), slabs.stemAt(1) + STEM_BYTES],
      [slabs.gapsAt(1) * 8, (slabs.gapsAt(1) + 24) * 8],
      [slabs.pagesAt(1) * 4, (slabs.pagesAt(1) + 8) * 4],
    ];
    for (let i = 1; i < ends.length; i++) expect(ends[i]![0]).toBeGreaterThanOrEqual(ends[i - 1]![1]!);
    expect(ends[ends.length - 1]![1]).toBeLessThanOrEqual(slabs.timesAt(2) * 8);
  });
});

describe('Detector: scraping with paths kept in the slabs', () => {
  /** An address without a token enumerating numbered assets, once per second, under `prefix`. */
  function walk(ip: string, prefix: string): EdgeLogRecord[] {
    return Array.from({ length: 120 }, (_, i) =>
      request(T0 + i * 1_000, ip, `${prefix}/ch${String(i + 1).padStart(3, '0')}.xhtml`),
    );
  }

  /** What the walk is judged on, leaving out what names its paths (the last asset, the count of distinct ones). */
  function judged(records: EdgeLogRecord[]): unknown[] {
    return runDetectors(records).map((d: Detection) => ({
      kind: d.kind,
      subject: d.subject,
      detectedAt: d.detectedAt,
      automation: (d.evidence.families as { family: string }[]).find((f) => f.family === 'automation'),
    }));
  }

  it('judges paths longer than a slab slot exactly as short ones, also when an address switches between them', () => {
    const short = judged(walk('10.1.1.1', '/titles/t00001/epub'));
    expect(short).toHaveLength(1);
    expect(short[0]).toMatchObject({ automation: { signals: ['numbered paths walked in a run'] } });
    const long = judged(walk('10.1.1.1', `/titles/t00001/${'x'.repeat(STEM_BYTES)}`));
    expect(long).toEqual(short);
    // Alternating long and short paths: every request moves, no step is "next".
    const mixed = walk('10.1.1.2', '/titles/t00001/epub').map((r, i) =>
      i % 2 === 0 ? r : { ...r, uriStem: `/titles/t00001/${'y'.repeat(80)}/ch${i}.xhtml` },
    );
    expect(judged(mixed)).toEqual([]);
  });
});
