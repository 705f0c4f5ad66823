import { describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { MIN, request, runDetectors, T0 } from './test-support.ts';

/** Public page views per minute by country (`10.<n>`), each from its own address, spread over the minute. */
function traffic(minutes: number, perMinute: (minute: number, net: number) => number): EdgeLogRecord[] {
  const out: EdgeLogRecord[] = [];
  for (let m = 0; m < minutes; m++) {
    for (const net of [1, 5, 6, 9]) {
      const n = perMinute(m, net);
      for (let i = 0; i < n; i++) {
        const ip = `10.${net}.${(m * 7 + i) % 250}.${(i * 13) % 250}`;
        out.push(request(T0 + m * MIN + Math.floor((i * 60_000) / n), ip, `/public/titles/t${i % 50}.html`));
      }
    }
  }
  return out;
}

describe('Detector: geo spikes', () => {
  it('flags one country surging far above its own baseline', () => {
    const detections = runDetectors(traffic(100, (m, net) => (net === 6 && m >= 80 ? 200 : 20)));
    expect(detections.map((d) => [d.kind, d.subject])).toEqual([['geo_spike', { country: 'FR' }]]);
    expect(Date.parse(detections[0]!.detectedAt)).toBeLessThan(T0 + 81 * MIN);
  });

  it('stays quiet on a release-day burst that lifts every country together', () => {
    expect(runDetectors(traffic(100, (m) => (m >= 80 ? 200 : 20)))).toEqual([]);
  });

  it('stays quiet when a single busy client is all of the surge', () => {
    const records = traffic(100, () => 20);
    for (let i = 0; i < 600; i++)
      records.push(request(T0 + 80 * MIN + i * 100, '10.6.1.1', `/public/t${i}.html`));
    expect(runDetectors(records).filter((d) => d.kind === 'geo_spike')).toEqual([]);
  });
});
