import { readCsv } from '@boundless/common/csv';
import { describe, expect, it } from 'vitest';
import { planRows } from '../commands/prewarm.ts';
import { scoreParsedSeries } from './score-csv.ts';
import { parseSeriesCsv } from './series-csv.ts';

// The readers take RFC 2822 times, whose weekday is followed by a comma: the outputs echo each time as written,
// so each must come back as one CSV field, on the rows that were used as on those that were not.
const RFC = (minute: number) => `Sun, 08 Mar 2026 02:${String(minute).padStart(2, '0')}:00 GMT`;

describe('timestamps echoed into output CSV', () => {
  it('anomalies: every row reads back as three fields holding the time as written', () => {
    const input = ['timestamp,value', ...[0, 1, 2].map((m) => `"${RFC(m)}",${m + 1}`), `"${RFC(3)}",oops`];
    const { csv } = scoreParsedSeries(parseSeriesCsv(`${input.join('\n')}\n`));
    const { records, malformed } = readCsv(csv);
    expect(malformed).toEqual([]);
    expect(records.slice(1).map((r) => r.fields.length)).toEqual([3, 3, 3, 3]);
    expect(records.slice(1).map((r) => r.fields[0])).toEqual([0, 1, 2, 3].map(RFC));
  });

  it('prewarm plan: used and skipped rows read back as two fields holding the time as written', () => {
    const rows = planRows(
      [
        { timestamp: RFC(0), minute: 0 },
        { timestamp: RFC(1), minute: -1 },
        { timestamp: RFC(2), minute: 1 },
      ],
      [4, 7],
    );
    const { records, malformed } = readCsv(`timestamp,provisioned_concurrency\n${rows.join('\n')}\n`);
    expect(malformed).toEqual([]);
    expect(records.slice(1).map((r) => r.fields)).toEqual([
      [RFC(0), '4'],
      [RFC(1), '4'],
      [RFC(2), '7'],
    ]);
  });
});
