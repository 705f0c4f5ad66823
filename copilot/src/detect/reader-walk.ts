/** A reader walking titles one after another, for the reader-scraping tests (test-support.ts's takeTitle per title). */
import { expect } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { type TitleRead, takeTitle } from './test-support.ts';
import type { Detection } from './types.ts';

/** Each title taken as takeTitle takes one (parts, gaps, address, client, bytes, paths). */
export interface Walk extends Pick<TitleRead, 'parts' | 'gapMs' | 'ip' | 'agent' | 'bytes' | 'path'> {
  titles: number;
  account: string;
  /** Milliseconds between one title's last part and the next title's manifest. */
  betweenMs?: number;
  /** Prefix of the token ids (default: the account's). */
  tokens?: string;
  titleOf?: (n: number) => string;
  /** Parts taken of the n-th title (default: `parts`). */
  titleParts?: (n: number) => number;
}

/** One reader taking `titles` titles one after another, a token per title as the access API issues them. */
export function walk(start: number, w: Walk): EdgeLogRecord[] {
  const records: EdgeLogRecord[] = [];
  let t = start;
  for (let n = 0; n < w.titles; n++) {
    // By default in no catalog order (ids neither one up nor sorted), as a reader picks titles.
    const title = w.titleOf ? w.titleOf(n) : `t${String(100 + ((n * 7919) % 9973)).padStart(5, '0')}`;
    const taken = takeTitle(t, {
      title,
      parts: w.titleParts ? w.titleParts(n) : w.parts,
      gapMs: w.gapMs,
      ip: w.ip,
      agent: w.agent,
      bytes: w.bytes,
      path: w.path,
      token: { tokenId: `tok${w.tokens ?? w.account}${String(n).padStart(4, '0')}`, accountId: w.account },
    });
    records.push(...taken.records);
    t = taken.end + (w.betweenMs ?? 2_000);
  }
  return records;
}

/** The scraping findings about one account. */
export const scrapingOf = (detections: Detection[], account: string) =>
  detections.filter((d) => d.kind === 'scraping' && d.subject.accountId === account);

/** Every finding held under every scraping bar: observed, never acted on. */
export function expectObservedOnly(found: readonly Detection[]): void {
  for (const d of found) {
    expect(d.score).toBeLessThanOrEqual(0.89);
    expect(d.mitigation).toBe('observe');
  }
}
