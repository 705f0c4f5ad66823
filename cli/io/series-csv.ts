import { AnomalyError } from '@boundless/copilot/anomaly';

/**
 * The `timestamp,value` series format of `boundless anomalies` (DESIGN §4.2).
 *
 * - The first line must be a header whose first two columns are `timestamp` and `value`; extra columns are
 *   ignored.
 * - Timestamps: ISO-8601 (`2014-02-14T14:30:00Z`), the same with a space and no zone (read as UTC, as NAB and
 *   CloudWatch exports write them), or epoch seconds / milliseconds (numbers below 1e11 are seconds).
 * - Blank lines are not rows. Any other line whose timestamp or value cannot be read is a malformed row:
 *   it is kept in `rows` with `value: NaN` and its line number is listed in `malformed`, so the output still
 *   has one row per input row (the scorer skips it and writes score 0, not an anomaly).
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

const ZONE = /(?:[zZ]|[+-]\d\d:?\d\d)$/;

function parseSeriesTimestamp(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') return Number.NaN;
  if (/^-?\d+(?:\.\d+)?$/.test(trimmed)) {
    const number = Number(trimmed);
    return Math.abs(number) < 1e11 ? number * 1000 : number;
  }
  const iso = trimmed.includes('T') ? trimmed : trimmed.replace(' ', 'T');
  if (!/^\d{4}-\d\d-\d\d/.test(iso)) return Number.NaN;
  return Date.parse(ZONE.test(iso) || !iso.includes('T') ? iso : `${iso}Z`);
}

export function parseSeriesCsv(text: string): ParsedSeries {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').replace(/\r$/, '');
  const columns = header.split(',').map((column) => column.trim().toLowerCase());
  if (columns[0] !== 'timestamp' || columns[1] !== 'value') {
    throw new AnomalyError(`line 1: expected the header "timestamp,value", found "${header.slice(0, 80)}"`);
  }
  const rows: SeriesRow[] = [];
  const malformed: MalformedRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    const comma = line.indexOf(',');
    const stamp = comma < 0 ? line : line.slice(0, comma);
    const rest = comma < 0 ? '' : line.slice(comma + 1);
    const next = rest.indexOf(',');
    const valueText = (next < 0 ? rest : rest.slice(0, next)).trim();
    const timestamp = parseSeriesTimestamp(stamp);
    const value = valueText === '' ? Number.NaN : Number(valueText);
    let reason: string | undefined;
    if (comma < 0) reason = 'expected two columns, timestamp,value';
    else if (!Number.isFinite(timestamp)) reason = `unreadable timestamp "${stamp.slice(0, 40)}"`;
    else if (!Number.isFinite(value)) reason = `value "${valueText.slice(0, 40)}" is not a finite number`;
    if (reason !== undefined) malformed.push({ line: i + 1, reason });
    rows.push({
      line: i + 1,
      text: stamp.trim(),
      timestamp,
      value: reason === undefined ? value : Number.NaN,
    });
  }
  return { rows, malformed };
}
