import { type CsvError, type InfoRecord, parse } from 'csv-parse/sync';

/** One record of a CSV file and the line it ends on (1-based; a quoted field may span lines). */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/** A record that could not be read (an unclosed or stray quote), with the line csv-parse stopped at. */
export interface MalformedCsvRecord {
  readonly line: number;
  readonly reason: string;
}

export interface CsvRows {
  readonly records: CsvRecord[];
  readonly malformed: MalformedCsvRecord[];
}

const CARRIAGE_RETURN = 13;

/**
 * CSV text (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes; LF or CRLF; a leading BOM)
 * into records, each with its line number. Blank lines are skipped. Records may differ in length: what a
 * column means, and whether a short row is an error, is the caller's to say. A record csv-parse cannot read
 * is reported in `malformed` with its line number and reading goes on, so one bad row never loses a file.
 */
export function readCsv(text: string): CsvRows {
  const malformed: MalformedCsvRecord[] = [];
  // Asking csv-parse for each record's line doubles its cost (measured on NAB's result files); without quotes
  // a record is a non-blank line, so the lines are counted here instead.
  const quoted = text.includes('"');
  const lines: number[] = [];
  const fields = parse(text, {
    bom: true,
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      // csv-parse puts the line it stopped at on the error as `lines`.
      if (error) malformed.push({ line: Number(error.lines), reason: error.message });
    },
    ...(quoted
      ? {
          on_record: (record: string[], context: InfoRecord) => {
            lines.push(context.lines);
            return record;
          },
        }
      : {}),
  }) as string[][];
  const lineOf = quoted ? (index: number) => lines[index]! : nonBlankLines(text);
  return { records: fields.map((record, index) => ({ line: lineOf(index), fields: record })), malformed };
}

/** The 1-based numbers of the lines that hold something (not empty, not a lone CR), in order. */
function nonBlankLines(text: string): (index: number) => number {
  const lines: number[] = [];
  let line = 1;
  for (let start = 0; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const length = end - start - (end > start && text.charCodeAt(end - 1) === CARRIAGE_RETURN ? 1 : 0);
    if (length > 0) lines.push(line);
    start = end + 1;
    if (end === text.length) break;
  }
  return (index) => lines[index]!;
}
