import type { LogLevel, LogRecord, MessageKind } from './types.ts';

/**
 * Reads one printed log line the way CloudWatch stores it: a structured JSON line (Powertools, pino, bunyan,
 * logback's JSON encoders, ...), a Lambda platform record (JSON or the classic START/END/REPORT text), an EMF
 * document, or plain text. Field names follow the common logging conventions, never a particular service.
 */
export interface ParsedMessage {
  kind: MessageKind;
  level?: LogLevel;
  text: string;
  service?: string;
  traceId?: string;
  errorType?: string;
  /** What a structured line's error or exception says (`error.message`, `exception.message`, ...). */
  errorMessage?: string;
  platformType?: string;
  platform?: Record<string, number | string>;
  version?: string;
  labels?: string;
  /** The HTTP status a request line reports, when it does. */
  status?: number;
  /** The parsed JSON object of a structured, EMF or platform line. */
  json?: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function pick(object: Json, paths: readonly string[]): unknown {
  for (const path of paths) {
    if (path in object && object[path] !== undefined && object[path] !== null) return object[path];
    if (!path.includes('.')) continue;
    let value: unknown = object;
    for (const key of path.split('.')) value = isObject(value) ? value[key] : undefined;
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

const asText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

const LEVEL_KEYS = ['level', 'severity', 'levelname', 'log.level', 'lvl', 'loglevel', 'severityText'];
const TEXT_KEYS = ['message', 'msg', 'event', 'log'];
const SERVICE_KEYS = ['service', 'service.name', 'serviceName', 'service_name', 'app', 'application'];
const TRACE_KEYS = ['xray_trace_id', 'traceId', 'trace_id', 'trace.id', 'AWS-XRAY-TRACE-ID', 'dd.trace_id'];
const ERROR_TYPE_KEYS = [
  'error.name',
  'error.type',
  'errorType',
  'error_type',
  'exception.type',
  'exception.class',
  'err.type',
  'err.name',
];
/** Fields holding what an error or exception says: often where a caller names the callee it failed to reach. */
const ERROR_MESSAGE_KEYS = [
  'error.message',
  'exception.message',
  'err.message',
  'error_message',
  'errorMessage',
  'exception.msg',
  'error',
  'exception',
  'err',
];
/** Log fields that carry an HTTP status (structured logs, access logs in JSON). */
const STATUS_FIELDS = [
  'statusCode',
  'status',
  'status_code',
  'http.status',
  'http.status_code',
  'http.response.status_code',
  'httpStatus',
  'response.status',
  'responseCode',
  'sc-status',
  'sc_status',
];

const VERSION_KEYS = ['function_version', 'version', 'service.version', 'serviceVersion', 'image_tag'];

/** Maps the spellings of levels (words, syslog-ish names and pino/bunyan numbers) onto four levels. */
function normaliseLevel(value: unknown): LogLevel | undefined {
  if (typeof value === 'number') {
    if (value >= 50) return 'error';
    if (value >= 40) return 'warn';
    if (value >= 30) return 'info';
    return 'debug';
  }
  if (typeof value !== 'string') return undefined;
  const word = value.trim().toUpperCase();
  if (/^(ERROR|ERR|FATAL|CRITICAL|CRIT|SEVERE|EMERG|EMERGENCY|ALERT|PANIC)$/.test(word)) return 'error';
  if (/^(WARN|WARNING)$/.test(word)) return 'warn';
  if (/^(INFO|INFORMATION|NOTICE)$/.test(word)) return 'info';
  if (/^(DEBUG|TRACE|VERBOSE|FINE|FINER|FINEST)$/.test(word)) return 'debug';
  return undefined;
}

const TEXT_LEVEL =
  /(?:^|[\s[|:])(ERROR|ERR|FATAL|CRITICAL|SEVERE|PANIC|WARN|WARNING|INFO|NOTICE|DEBUG|TRACE)(?=[\s\]|:]|$)/;
const TEXT_ERROR_TYPE = /\b([A-Z][A-Za-z0-9]*(?:Exception|Error|Fault))\b/;
const TEXT_TRACE = /\b(1-[0-9a-f]{8}-[0-9a-f]{24})\b/;
/** Words that say a line reports a failure, for lines that carry no level of their own. */
const FAILURE_WORDS =
  /\b(errors?|exceptions?|fail(s|ed|ures?|ing)?|fatal|panic(ked)?|refused|denied|unavailable|unreachable|timed out|timeouts?|threw|thrown|traceback|crash(ed)?|abort(ed)?)\b/i;
const WARNING_WORDS = /\b(warn(ing)?|retry(ing)?|retried|degraded|deprecated)\b/i;
/** The failure and warning words a count or a negation can go with (`0 errors`, `retries: 0`). */
const TROUBLE =
  '(?:errors?|exceptions?|fail(?:s|ed|ures?|ing)?|faults?|timeouts?|warn(?:ings?)?|retr(?:y|ies|ying|ied))';
/** Words that may stand between a negation and the trouble it denies (`no new errors`, `without any failures`). */
const DENIAL_FILLER = '(?:a|an|any|more|new|further|other|such)';
/**
 * Where a zero ends a count rather than begins a value: the line's end, punctuation, or the next `key=value`
 * (`errors: 0`, `errors=0, warnings=1`, `error_count=0 retries=0`; not `error: 0 bytes read`, not `Error: 0x80`).
 */
const ZERO_END = '0(?![.\\w])(?=\\s*(?:$|[^\\w\\s]|[\\w.-]+\\s*[:=]))';
/**
 * Mentions of trouble that say there was none: `0 errors`, `no error`, `without failures`, `not failed`,
 * `errors: 0`, `error_count=0`. They are blanked before the words are read, so a summary line that counts no
 * errors does not read as one (a line that also reports real trouble, `0 errors, 2 timeouts`, still does).
 */
const NO_TROUBLE = new RegExp(
  `\\b(?:no|zero|0|without|not|never|none)\\s+(?:${DENIAL_FILLER}\\s+)?${TROUBLE}\\b|\\b${TROUBLE}(?:[ _-]?counts?)?["']?\\s*[:=]\\s*${ZERO_END}`,
  'gi',
);

/** The text with every mention of trouble it says did not happen (`0 timeouts`, `no retries`) blanked. */
export function withoutDeniedTrouble(text: string): string {
  return text.replace(NO_TROUBLE, ' ');
}

/**
 * The level of a line that states none (plain stdout, JSON without a level field): error when its words report
 * a failure or name an exception type, warn when they warn or retry, unknown otherwise; trouble the line says
 * did not happen (`0 errors`, `no error`, `errors: 0`) does not count. Many teams log that way;
 * without it their failures would not count as errors at all.
 */
function inferLevel(text: string): LogLevel | undefined {
  const head = withoutDeniedTrouble(text.slice(0, 300));
  if (FAILURE_WORDS.test(head) || TEXT_ERROR_TYPE.test(head)) return 'error';
  if (WARNING_WORDS.test(head)) return 'warn';
  return undefined;
}

function parseEmf(json: Json): boolean {
  const aws = json._aws;
  return isObject(aws) && Array.isArray(aws.CloudWatchMetrics);
}

function parsePlatform(json: Json): ParsedMessage | undefined {
  const type = json.type;
  if (typeof type !== 'string' || !type.startsWith('platform.') || !isObject(json.record)) return undefined;
  const record = json.record;
  const facts: Record<string, number | string> = {};
  const metrics = isObject(record.metrics) ? record.metrics : {};
  for (const [key, value] of Object.entries(metrics)) if (typeof value === 'number') facts[key] = value;
  for (const key of ['status', 'errorType', 'initializationType', 'requestId', 'phase']) {
    const value = asText(record[key]);
    if (value !== undefined) facts[key] = value;
  }
  const status = asText(record.status);
  const failed = status !== undefined && status !== 'success';
  const version = asText(record.functionVersion) ?? asText(record.version);
  return {
    kind: 'platform',
    text: `${type}${status ? ` ${status}` : ''}`,
    level: failed ? 'error' : 'info',
    platformType: type,
    platform: facts,
    errorType: asText(record.errorType),
    version,
    json,
  };
}

/** Lambda's text-format platform lines: `REPORT RequestId: ... Duration: 12.3 ms ... Init Duration: ...`. */
function parsePlatformText(line: string): ParsedMessage | undefined {
  const head = /^(START|END|REPORT|INIT_START) /.exec(line);
  if (!head) return undefined;
  const facts: Record<string, number | string> = {};
  const numbers: [string, RegExp][] = [
    ['durationMs', /\bDuration: ([\d.]+) ms/],
    ['billedDurationMs', /Billed Duration: ([\d.]+) ms/],
    ['memorySizeMB', /Memory Size: (\d+) MB/],
    ['maxMemoryUsedMB', /Max Memory Used: (\d+) MB/],
    ['initDurationMs', /Init Duration: ([\d.]+) ms/],
  ];
  for (const [key, re] of numbers) {
    const match = re.exec(line);
    if (match) facts[key] = Number(match[1]);
  }
  const status = /Status: (\w+)/.exec(line)?.[1];
  if (status) facts.status = status;
  const version = /Version: (\S+)/.exec(line)?.[1];
  const type = {
    START: 'platform.start',
    END: 'platform.runtimeDone',
    REPORT: 'platform.report',
    INIT_START: 'platform.initStart',
  }[head[1] as 'START'];
  return {
    kind: 'platform',
    text: line,
    level: status && status !== 'success' ? 'error' : 'info',
    platformType: type,
    platform: facts,
    version,
  };
}

export function parseLogMessage(message: string): ParsedMessage {
  const trimmed = message.trimStart();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      json = undefined;
    }
    if (isObject(json)) return parseJsonLine(json, message);
  }
  const platform = parsePlatformText(trimmed);
  if (platform) return platform;
  // Lambda's Node text format: `<time>\t<request id>\t<LEVEL>\t<text>`; tabs are word boundaries here.
  const level = normaliseLevel(TEXT_LEVEL.exec(message.slice(0, 200))?.[1]) ?? inferLevel(message);
  return {
    kind: 'text',
    text: message,
    level,
    traceId: TEXT_TRACE.exec(message)?.[1],
    errorType: level === 'error' || level === 'warn' ? TEXT_ERROR_TYPE.exec(message)?.[1] : undefined,
  };
}

const UNLABELLED =
  /^(@?timestamp|time|ts|@?message|msg|level|severity|levelname|log|event|service|version|id)$|trace|span|request|correlation|session|[_-]id$/i;
const ID_KEY = /[a-z]Id$|ID$/;

/** `key=value` for the short string fields of a line, sorted, ids and free text left out. */
function labelsOf(json: Json): string | undefined {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(json)) {
    if (
      typeof value !== 'string' ||
      value.length > 40 ||
      value.includes(' ') ||
      UNLABELLED.test(key) ||
      ID_KEY.test(key)
    )
      continue;
    parts.push(`${key}=${value}`);
    if (parts.length >= 8) break;
  }
  return parts.length ? parts.sort().join(' ') : undefined;
}

function parseJsonLine(json: Json, message: string): ParsedMessage {
  if (parseEmf(json)) return { kind: 'emf', text: 'EMF metrics', json, service: asText(json.service) };
  const platform = parsePlatform(json);
  if (platform) return platform;
  // A record without a message field (an access log record) reads as its categorical fields.
  const labels = labelsOf(json);
  const said = asText(pick(json, TEXT_KEYS));
  const text = said ?? labels ?? message;
  const errorType =
    asText(pick(json, ERROR_TYPE_KEYS)) ??
    (isObject(json.error) || isObject(json.err) || isObject(json.exception) ? 'Error' : undefined);
  const stated = pick(json, LEVEL_KEYS);
  let level = normaliseLevel(stated);
  if (!level && errorType) level = 'error';
  // A line with a message but no level field says how bad it is only in words; access records (no message)
  // say it in their status.
  if (!level && stated === undefined && said) level = inferLevel(said);
  const traceId = asText(pick(json, TRACE_KEYS));
  return {
    kind: 'structured',
    level,
    text,
    service: asText(pick(json, SERVICE_KEYS)),
    traceId: traceId ? (TEXT_TRACE.exec(traceId)?.[1] ?? traceId) : undefined,
    errorType,
    errorMessage: asText(pick(json, ERROR_MESSAGE_KEYS))?.slice(0, 500),
    version: asText(pick(json, VERSION_KEYS)),
    labels,
    status: statusOf(json),
    json,
  };
}

function statusOf(json: Json): number | undefined {
  const status = Number(pick(json, STATUS_FIELDS));
  return Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}

/** `2026/12/05/[$LATEST]abc...` or `.../[12]abc...`: Lambda names the function version in the stream. */
function streamVersion(stream: string): string | undefined {
  return /\[([^\]]+)\]/.exec(stream)?.[1];
}

export function toLogRecord(
  group: string,
  event: { id: string; timestampMs: number; logStream?: string; message: string },
  parsed: ParsedMessage = parseLogMessage(event.message),
): LogRecord {
  const stream = event.logStream ?? '';
  return {
    group,
    stream,
    id: event.id,
    timestampMs: event.timestampMs,
    message: event.message,
    kind: parsed.kind,
    level: parsed.level,
    text: parsed.text,
    service: parsed.service,
    traceId: parsed.traceId,
    errorType: parsed.errorType,
    errorMessage: parsed.errorMessage,
    platformType: parsed.platformType,
    platform: parsed.platform,
    version: parsed.version ?? streamVersion(stream),
    labels: parsed.labels,
    status: parsed.status,
  };
}
