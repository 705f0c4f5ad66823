import { describe, expect, it } from 'vitest';
import { detectorConfig } from './config.ts';
import { GeoSpikeDetector } from './geo-spike.ts';
import type { AccessEvent, Detection } from './types.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 8);
const COUNTRIES = [
  ['US', 7922],
  ['DE', 3320],
  ['FR', 3215],
  ['GB', 2856],
] as const;

/** The fields the geo detector reads of a request, the rest left out. */
function event(t: number, country: string, asn: number, ip: string): AccessEvent {
  return { timestampMs: t, country, asn, ip, accountId: '' } as unknown as AccessEvent;
}

/** 20 readers a minute in each country, FR 200 from minute 70; `lateEvery`-th request 45 s behind its time. */
function run(lateEvery: number): Detection[] {
  const detector = new GeoSpikeDetector(detectorConfig());
  const out: Detection[] = [];
  let n = 0;
  for (let m = 0; m < 75; m++) {
    for (const [country, asn] of COUNTRIES) {
      const readers = country === 'FR' && m >= 70 ? 200 : 20;
      for (let i = 0; i < readers; i++) {
        const t = T0 + m * MIN + Math.floor((i * MIN) / readers) - (++n % lateEvery === 0 ? 45_000 : 0);
        detector.observe(event(t, country, asn, `${country}-${m}-${i}`), 1, 0, out);
      }
    }
  }
  return out;
}

describe('Detector: geo spikes on event time out of order', () => {
  it('counts a late request in the minute under way and never reopens a closed minute', () => {
    const inOrder = run(Number.POSITIVE_INFINITY);
    const late = run(7);
    expect(late.map((d) => d.subject.country)).toEqual(['FR']);
    expect(late[0]!.evidence.expectedReaders).toBe(inOrder[0]!.evidence.expectedReaders);
  });
});
