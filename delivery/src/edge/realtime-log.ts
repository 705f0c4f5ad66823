/**
 * CloudFront real-time log fields, in the order CloudFront writes them to Kinesis Data Streams (tab-separated,
 * one record per request). The copilot's §6 consumer reads the same records in AWS.
 */
export const REALTIME_LOG_FIELDS = [
  'timestamp',
  'c-ip',
  'time-to-first-byte',
  'sc-status',
  'sc-bytes',
  'cs-method',
  'cs-protocol',
  'cs-host',
  'cs-uri-stem',
  'cs-bytes',
  'x-edge-location',
  'x-edge-request-id',
  'x-host-header',
  'time-taken',
  'cs-protocol-version',
  'c-ip-version',
  'cs-user-agent',
  'cs-referer',
  'cs-cookie',
  'cs-uri-query',
  'x-edge-response-result-type',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-result-type',
  'fle-encrypted-fields',
  'fle-status',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
  'c-port',
  'x-edge-detailed-result-type',
  'c-country',
  'cs-accept-encoding',
  'cs-accept',
  'cache-behavior-path-pattern',
  'cs-headers',
  'cs-header-names',
  'cs-headers-count',
  'asn',
] as const;

export type RealtimeLogField = (typeof REALTIME_LOG_FIELDS)[number];

/** One real-time log record; every field is a string, `-` when absent, as CloudFront sends them. */
export type RealtimeLogRecord = Record<RealtimeLogField, string>;

// CloudFront truncates the cookie and header fields to 800 bytes.
const TRUNCATED_FIELDS = new Set<RealtimeLogField>(['cs-cookie', 'cs-headers', 'cs-header-names']);
const MAX_TRUNCATED_BYTES = 800;

/** Epoch seconds with milliseconds, e.g. `1700000000.123`: the real-time log timestamp. */
export function realtimeTimestamp(epochMs: number): string {
  return (epochMs / 1000).toFixed(3);
}

// Whitespace would break the tab-separated record; CloudFront percent-encodes it.
function encodeWhitespace(value: string): string {
  return value.replace(/\s/g, (ch) => encodeURIComponent(ch));
}

export function buildRealtimeLogRecord(
  values: Partial<Record<RealtimeLogField, string | number>>,
): RealtimeLogRecord {
  const record = {} as RealtimeLogRecord;
  for (const field of REALTIME_LOG_FIELDS) {
    const raw = values[field];
    let text = raw === undefined || raw === '' ? '-' : String(raw);
    if (TRUNCATED_FIELDS.has(field) && Buffer.byteLength(text) > MAX_TRUNCATED_BYTES) {
      text = Buffer.from(text).subarray(0, MAX_TRUNCATED_BYTES).toString('utf8');
    }
    record[field] = text;
  }
  return record;
}

/** The tab-separated line CloudFront puts in a Kinesis record. */
export function formatRealtimeLogRecord(record: RealtimeLogRecord): string {
  return `${REALTIME_LOG_FIELDS.map((field) => encodeWhitespace(record[field])).join('\t')}\n`;
}
