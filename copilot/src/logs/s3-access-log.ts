/**
 * Amazon S3 server access log lines (space-separated; the time in brackets, the request URI, referrer and user
 * agent in quotes; `-` for absent). The fields are positional and AWS appends new ones at the end, so a line is
 * read by position and whatever follows the fields used here is ignored.
 */
export interface S3AccessRecord {
  bucket: string;
  atMs: number;
  /** `REST.GET.OBJECT`, `REST.HEAD.OBJECT`, `REST.PUT.OBJECT`, ... */
  operation: string;
  /** The object key, decoded; undefined for bucket-level operations. */
  key: string | undefined;
  status: number;
  bytesSent: number;
  objectSize: number | undefined;
}

const TOKEN = /"(?:[^"\\]|\\.)*"|\[[^\]]*\]|\S+/g;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TIME = /^\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\]$/;

/** `[06/Feb/2019:00:00:38 +0000]` as epoch milliseconds, or NaN. */
function parseTime(field: string): number {
  const m = TIME.exec(field);
  if (!m) return Number.NaN;
  const month = MONTHS.indexOf(m[2] as string);
  if (month < 0) return Number.NaN;
  const offsetMs = (Number(m[8]) * 60 + Number(m[9])) * 60_000 * (m[7] === '-' ? -1 : 1);
  return Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - offsetMs;
}

const numberOrZero = (field: string | undefined) =>
  field === '-' || field === undefined ? 0 : Number(field);

/** One line as a record, or undefined when it is not an access log line (too few fields, bad time or status). */
export function parseS3AccessLine(line: string): S3AccessRecord | undefined {
  const fields = line.match(TOKEN);
  if (!fields || fields.length < 13) return undefined;
  const atMs = parseTime(fields[2] as string);
  const status = Number(fields[9]);
  const bytesSent = numberOrZero(fields[11]);
  const size = fields[12] === '-' ? undefined : Number(fields[12]);
  if (!Number.isFinite(atMs) || !Number.isInteger(status) || !Number.isFinite(bytesSent)) return undefined;
  if (size !== undefined && !Number.isFinite(size)) return undefined;
  let key: string | undefined;
  if (fields[7] !== '-') {
    try {
      key = decodeURIComponent(fields[7] as string);
    } catch (error) {
      if (!(error instanceof URIError)) throw error;
      return undefined;
    }
  }
  return {
    bucket: fields[1] as string,
    atMs,
    operation: fields[6] as string,
    key,
    status,
    bytesSent,
    objectSize: size,
  };
}
