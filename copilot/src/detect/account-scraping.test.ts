import { describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { chapter, MIN, request, runDetectors, T0 } from './test-support.ts';

/** One account and device reading `title` from `start` for `minutes`, at irregular human gaps (20-60 s). */
function reading(title: string, start: number, minutes: number): EdgeLogRecord[] {
  const token = { tokenId: `tokWalk${title}`, accountId: 'walker', device: 'd7', title };
  const out: EdgeLogRecord[] = [];
  let t = start;
  for (let i = 1; t < start + minutes * MIN; i++) {
    out.push(request(t, '10.5.7.7', chapter(title, i), { token }));
    t += (2 + ((i * 7) % 5)) * 10_000;
  }
  return out;
}

describe('Detector: scraping per account and device, titles in a streak', () => {
  it('forgets the first title at a pause, also while it is the only title the account has read', () => {
    // One title, a pause longer than streakPauseMs, then four titles of 20 minutes each without a pause.
    const walkStart = T0 + 21 * MIN;
    const records = [
      ...reading('t00001', T0, 10),
      ...['t00002', 't00003', 't00004', 't00005'].flatMap((title, n) =>
        reading(title, walkStart + n * 20 * MIN, 20),
      ),
    ];
    const detections = runDetectors(records).filter((d) => d.subject.accountId === 'walker');
    expect(detections).toHaveLength(1);
    const [walk] = detections;
    expect(walk!.evidence.reasons).toEqual(['low_and_slow_title_walk']);
    // The streak started after the pause: four titles, an hour long at the fourth title's first request, and
    // the address is reported on its next request (40 s later).
    expect(walk!.evidence.titlesInStreak).toBe(4);
    expect(Date.parse(walk!.detectedAt)).toBe(walkStart + 60 * MIN + 40_000);
    expect(walk!.evidence.streakMinutes).toBe(61);
  });
});
