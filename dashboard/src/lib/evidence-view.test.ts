import { describe, expect, it } from 'vitest';
import { metricRows, traceRows } from './evidence-view.ts';

describe('an opened trace', () => {
  it('lists spans in start order with their depth, status and the cited span marked', () => {
    const rows = traceRows(
      {
        segments: [
          { id: 'b', name: 'db', start_time: 2, end_time: 2.5, fault: true },
          {
            id: 'a',
            name: 'api',
            start_time: 1,
            end_time: 3,
            error: true,
            http: { response: { status: 502 } },
            subsegments: [{ id: 'a1', name: 'DynamoDB', start_time: 1.5, end_time: 2.9, throttle: true }],
          },
        ],
      },
      'b',
    );
    expect(rows.map((r) => [r.name, r.depth, r.status, r.cited])).toEqual([
      ['api', 0, 'error', false],
      ['DynamoDB', 1, 'throttle', false],
      ['db', 0, 'fault', true],
    ]);
    expect(rows[0]).toMatchObject({ durationMs: 2000, httpStatus: 502 });
  });

  it('shows nothing for an observation that is not a trace', () => {
    expect(traceRows({ segments: 'x' })).toEqual([]);
    expect(traceRows(null)).toEqual([]);
  });
});

describe('opened metric points', () => {
  it('keeps numeric points and marks the cited one', () => {
    const rows = metricRows(
      {
        points: [
          { timestamp: '2026-12-05T10:00:00.000Z', value: 1 },
          { timestamp: '2026-12-05T10:01:00.000Z', value: 9 },
          { timestamp: '2026-12-05T10:02:00.000Z', value: 'x' },
        ],
      },
      Date.parse('2026-12-05T10:01:00Z'),
    );
    expect(rows).toEqual([
      { timestamp: '2026-12-05T10:00:00.000Z', value: 1, cited: false },
      { timestamp: '2026-12-05T10:01:00.000Z', value: 9, cited: true },
    ]);
  });
});
