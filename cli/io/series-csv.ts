import { readCsv } from '@boundless/common/csv';
import { parseTimestamp } from '@boundless/common/time';
import { AnomalyError } from '@boundless/copilot/anomaly';

/**
 * The `timestamp,value` series format of `boundless anomalies` (DESIGN §4.2).
 *
 * - The first line must be a header whose first two columns are `timestamp` and `value`; extra columns are
 *   ignored.
 * - Timestamps: ISO-8601 (`2014-02-14T14:30:00Z`), the same with a space and no zone (read as UTC, as NAB and
 *   CloudWatch exports write them), or epoch seconds / milliseconds (numbers below 1e11 are seconds).
 * - Blank lines are not rows. Any other row whose timestamp or value cannot be read is a malformed row:
 *   it is kept in `rows` with `value: NaN` and its line number is listed in `malformed`, so the output still
 *   has one row per input row (the scorer skips it and writes score 0, not an anomaly). A line that is not
 *   CSV at all (an unclosed or stray quote) is such a row too, with an empty timestamp: the reader starts again
 *   on the next line, so no later row is lost.
 */
interface SeriesRow {
  /** 1-based line number in the input. */
  line: number;
  /** The timestamp exactly as written, echoed in the output. */
  text: string;
  timestamp: number;
  value: number;
}

interface MalformedRow {
  line: number;
  reason: string;
}

export interface ParsedSeries {
  rows: SeriesRow[];
  malformed: MalformedRow[];
}

export function parseSeriesCsv(text: string): ParsedSeries {
  const { records, malformed: unreadable } = readCsv(text);
  const [header, ...body] = records;
  const columns = (header?.fields ?? []).map((column) => column.trim().toLowerCase());
  if (columns[0] !== 'timestamp' || columns[1] !== 'value') {
    const found = (header?.fields ?? []).join(',').slice(0, 80);
    throw new AnomalyError(
      `line ${header?.line ?? 1}: expected the header "timestamp,value", found "${found}"`,
    );
  }
  const rows: SeriesRow[] = [];
  const malformed: MalformedRow[] = [...unreadable];
  for (const { line, fields } of body) {
    const stamp = fields[0] ?? '';
    const valueText = (fields[1] ?? '').trim();
    const timestamp = parseTimestamp(stamp);
    const value = valueText === '' ? Number.NaN : Number(valueText);
    let reason: string | undefined;
    if (fields.length < 2) reason = 'expected two columns, timestamp,value';
    else if (!Number.isFinite(timestamp)) reason = `unreadable timestamp "${stamp.slice(0, 40)}"`;
    else if (!Number.isFinite(value)) reason = `value "${valueText.slice(0, 40)}" is not a finite number`;
    if (reason !== undefined) malformed.push({ line, reason });
    rows.push({ line, text: stamp.trim(), timestamp, value: reason === undefined ? value : Number.NaN });
  }
  for (const { line } of unreadable) rows.push({ line, text: '', timestamp: Number.NaN, value: Number.NaN });
  rows.sort((a, b) => a.line - b.line);
  malformed.sort((a, b) => a.line - b.line);
  return { rows, malformed };
}
