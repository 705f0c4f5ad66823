/**
 * Which component a dependency subsegment reaches, read from the document's own fields.
 *
 * X-Ray names a dependency subsegment after what it calls: the downstream host or service for an HTTP call,
 * `database@host` for a SQL call, the AWS service for an SDK call. Some tracers (and converters from other
 * tracing formats) name it after the operation instead: the SQL statement, or the request's method and path.
 * An operation is not a component: a diagnosis that named it would point at nothing anyone can act on. Then the
 * callee is what the document's other fields name (the database in `sql.url`, the host of `http.request.url`),
 * and when they name none the call reaches no named component (its time is still waiting, not the caller's
 * own work); the operation stays on the span as evidence.
 */
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/** `scheme://user@host:port/database?options`, JDBC's `jdbc:` prefix allowed. */
const URL_PARTS = /^(?:[a-z][\w+.-]*:)+\/\/(?:[^@/?#]*@)?(\[[^\]]+\]|[^/:?#;]+)(?::\d+)?(?:\/([^/?#;]*))?/i;

/** The database a SQL call's connection URL names, as X-Ray's SDKs name it (`database@host`, or the host). */
export function databaseOfUrl(url: string): string | undefined {
  const parts = URL_PARTS.exec(url);
  if (!parts) return undefined;
  const host = parts[1]!;
  const database = parts[2] ?? '';
  return database ? `${database}@${host}` : host;
}

const HTTP_METHOD = /^(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|TRACE|CONNECT)\s/i;

function sameStatement(name: string, statement: string): boolean {
  const squeeze = (value: string) => value.replace(/\s+/g, ' ').trim().toLowerCase();
  const a = squeeze(name);
  const b = squeeze(statement);
  return a === b || (a.length >= 6 && b.startsWith(a));
}

/**
 * The callee when the subsegment's name is an operation rather than a component: a name, or '' when the
 * document names no component. Undefined when the name itself is the callee.
 */
export function calleeOverride(document: Json, name: string): string | undefined {
  const sql = isObject(document.sql) ? document.sql : undefined;
  const http = isObject(document.http) ? document.http : undefined;
  const request = http && isObject(http.request) ? http.request : undefined;
  const url = text(request?.url);
  if (sql) {
    const statement = text(sql.sanitized_query);
    if (name !== '' && !(statement && sameStatement(name, statement))) return undefined;
    const location = text(sql.url) ?? text(sql.connection_string);
    return (location && databaseOfUrl(location)) || '';
  }
  const isRequest = name === '' || name.startsWith('/') || HTTP_METHOD.test(name) || (url && name === url);
  if (!isRequest) return undefined;
  if (!url) return '';
  return URL_PARTS.exec(url)?.[1] ?? '';
}

/** What the call performs, when the document says: the SDK operation, else the SQL statement. */
export function operationOf(document: Json): string | undefined {
  const aws = isObject(document.aws) ? document.aws : {};
  if (typeof aws.operation === 'string') return aws.operation;
  const sql = isObject(document.sql) ? document.sql : undefined;
  return sql ? text(sql.sanitized_query) : undefined;
}
