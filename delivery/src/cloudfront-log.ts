/**
 * CloudFront standard (access) log format, legacy W3C flavour: one tab-separated line per request, 33 fields,
 * files headed by `#Version` and `#Fields`. The local edge and the traffic simulator write it; the copilot's
 * parsers read any file by its `#Fields` header, so this list is the writer's order, not a reader's assumption.
 */
export const CLOUDFRONT_LOG_FIELDS = [
  'date',
  'time',
  'x-edge-location',
  'sc-bytes',
  'c-ip',
  'cs-method',
  'cs(Host)',
  'cs-uri-stem',
  'sc-status',
  'cs(Referer)',
  'cs(User-Agent)',
  'cs-uri-query',
  'cs(Cookie)',
  'x-edge-result-type',
  'x-edge-request-id',
  'x-host-header',
  'cs-protocol',
  'cs-bytes',
  'time-taken',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-response-result-type',
  'cs-protocol-version',
  'fle-status',
  'fle-encrypted-fields',
  'c-port',
  'time-to-first-byte',
  'x-edge-detailed-result-type',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
] as const;

export type CloudFrontLogField = (typeof CLOUDFRONT_LOG_FIELDS)[number];

/** One request as CloudFront records it; absent values are written as `-`. */
export type CloudFrontLogRecord = Partial<Record<CloudFrontLogField, string | number | undefined>>;

export function cloudFrontLogHeader(): string {
  return `#Version: 1.0\n#Fields: ${CLOUDFRONT_LOG_FIELDS.join(' ')}\n`;
}

// CloudFront percent-encodes spaces, tabs and other unsafe characters so a field never breaks the line.
// The `u` flag makes a character outside the Basic Multilingual Plane one match, not two surrogate halves.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be escaped.
const UNSAFE = /[\s"\\%<>^`{|}\u0000-\u001f\u007f-\u{10ffff}]/gu;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above.
const ANY_UNSAFE = /[\s"\\%<>^`{|}\u0000-\u001f\u007f-\u{10ffff}]/u;
const REPLACEMENT = '%EF%BF%BD';

/** One field's text as CloudFront writes it; most fields need no escaping, so they are returned as they are. */
export function encodeCloudFrontLogField(value: string): string {
  if (!ANY_UNSAFE.test(value)) return value;
  return value.replace(UNSAFE, (ch) => {
    // A lone surrogate cannot be encoded as UTF-8; write U+FFFD as a decoder would.
    const code = ch.charCodeAt(0);
    return ch.length === 1 && code >= 0xd800 && code <= 0xdfff ? REPLACEMENT : encodeURIComponent(ch);
  });
}

export function formatCloudFrontLogLine(record: CloudFrontLogRecord): string {
  const values = CLOUDFRONT_LOG_FIELDS.map((field) => {
    const value = record[field];
    if (value === undefined || value === '') return '-';
    return encodeCloudFrontLogField(String(value));
  });
  return `${values.join('\t')}\n`;
}

/** `date` and `time` fields (UTC) for an event time in milliseconds. */
export function cloudFrontLogTimestamp(epochMs: number): { date: string; time: string } {
  const iso = new Date(epochMs).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 19) };
}
