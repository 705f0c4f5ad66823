import { CsvError, type InfoRecord, parse } from 'csv-parse/sync';

/** One record of a CSV file and the line it ends on (1-based; a quoted field may span lines). */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/** A record that could not be read (an unclosed or stray quote), with the line it starts on. */
export interface MalformedCsvRecord {
  readonly line: number;
  readonly reason: string;
}

export interface CsvRows {
  readonly records: CsvRecord[];
  readonly malformed: MalformedCsvRecord[];
}

const CARRIAGE_RETURN = 13;
const NEWLINE = 10;

/**
 * The most characters one record may hold. A quoted field may span lines, so an unclosed quote would otherwise
 * swallow the rest of the file as one field; with this bound it is reported within this many characters, and
 * the rest is read from the line after the one it starts on.
 */
export const MAX_CSV_RECORD_CHARS = 64 * 1024;

const OPTIONS = {
  record_delimiter: ['\r\n', '\n'],
  relax_column_count: true,
  skip_empty_lines: true,
  max_record_size: MAX_CSV_RECORD_CHARS,
};

/**
 * CSV text (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes; LF or CRLF; a leading BOM)
 * into records, each with its line number. Blank lines are skipped. Records may differ in length: what a
 * column means, and whether a short row is an error, is the caller's to say. A record that cannot be read (an
 * unclosed quote, a stray one, a field longer than {@link MAX_CSV_RECORD_CHARS}) is reported in `malformed`
 * with the line it starts on, and reading starts again on the next line: one bad row never loses another.
 */
export function readCsv(text: string): CsvRows {
  // Without quotes no record can fail or span lines: one pass, and a record is a non-blank line. (Asking
  // csv-parse for each record's line doubles its cost, measured on NAB's result files.)
  if (!text.includes('"')) {
    const fields = parse(text, { ...OPTIONS, bom: true }) as string[][];
    const lineOf = nonBlankLines(text);
    return {
      records: fields.map((record, index) => ({ line: lineOf(index), fields: record })),
      malformed: [],
    };
  }
  const records: CsvRecord[] = [];
  const malformed: MalformedCsvRecord[] = [];
  // Bytes, so that reading again from a line is a view, not a copy of the rest.
  const bytes = Buffer.from(text);
  let offset = 0;
  /** Lines before `offset`. */
  let linesBefore = 0;
  while (offset < bytes.length) {
    let lastEnd = linesBefore;
    try {
      parse(bytes.subarray(offset), {
        ...OPTIONS,
        bom: offset === 0,
        on_record: (record: string[], context: InfoRecord) => {
          lastEnd = linesBefore + context.lines;
          records.push({ line: lastEnd, fields: record });
          return null;
        },
      });
      break;
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      // The bad record starts on the first line that holds something after the last record read.
      const bad = nonBlankLineAfter(bytes, offset, linesBefore, lastEnd);
      if (bad === undefined) break;
      malformed.push({ line: bad.line, reason: reasonOf(error, bad.line) });
      offset = bad.next;
      linesBefore = bad.line;
    }
  }
  return { records, malformed };
}

/** Why a record could not be read, in the reader's words (csv-parse counts lines from where its pass began). */
function reasonOf(error: CsvError, line: number): string {
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') return 'a quoted field is not closed';
  if (error.code === 'CSV_MAX_RECORD_SIZE')
    return `a record longer than ${MAX_CSV_RECORD_CHARS} characters (a quoted field not closed?)`;
  return error.message.replace(/\bat line \d+/g, `at line ${line}`);
}

/**
 * The first line after line `after` that holds something (not empty, not a lone CR), and the byte offset of the
 * line following it; `offset` is where line `linesBefore + 1` starts.
 */
function nonBlankLineAfter(
  bytes: Buffer,
  offset: number,
  linesBefore: number,
  after: number,
): { line: number; next: number } | undefined {
  let start = offset;
  for (let line = linesBefore + 1; start < bytes.length; line++) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    const length = end - start - (end > start && bytes[end - 1] === CARRIAGE_RETURN ? 1 : 0);
    if (line > after && length > 0) return { line, next: end + 1 };
    start = end + 1;
  }
  return undefined;
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
