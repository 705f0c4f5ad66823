import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../telemetry/types.ts';
import { clientConcentration } from './clients.ts';

const line = (ip: string, i: number): LogRecord => ({
  group: '/aws/cloudfront/E1',
  stream: 'E1',
  id: String(i),
  timestampMs: i,
  message: JSON.stringify({ 'c-ip': ip, 'sc-status': 200 }),
  kind: 'structured',
  text: `c-ip=${ip}`,
});

describe('Function: clientConcentration', () => {
  it('tells a surge from a few clients apart from many new readers', () => {
    const before = Array.from({ length: 60 }, (_, i) => line(`10.0.0.${i % 40}`, i));
    const scrapers = Array.from({ length: 90 }, (_, i) => line(`203.0.113.${10 + (i % 3)}`, 100 + i));
    const readers = Array.from({ length: 40 }, (_, i) => line(`10.0.1.${i}`, 300 + i));
    const crowd = clientConcentration([...scrapers, ...readers], before);
    expect(crowd?.topShare).toBeCloseTo(90 / 130, 9);
    expect(crowd?.topShareBefore).toBe(0);
    expect(crowd?.clients.every((c) => c.startsWith('203.0.113.'))).toBe(true);
    const wave = Array.from({ length: 130 }, (_, i) => line(`10.2.${i % 100}.${i % 7}`, 500 + i));
    expect(clientConcentration(wave, before)?.topShare).toBeLessThan(0.1);
    // Too few lines naming a client to judge.
    expect(clientConcentration(scrapers.slice(0, 10), before)).toBeUndefined();
  });
});
