import type { InsightsRow, LogEvent } from './log-events.ts';

/**
 * A small Logs Insights interpreter for local log groups: `fields`, `filter` (comparisons joined by `and`,
 * `like /re/`), `sort`, `limit`, and `stats count(*)|avg(f)|max(f)|min(f)|sum(f) [as name] [by field]`. Queries
 * outside this subset are rejected with a message naming the unsupported part, never half-answered.
 */
export class UnsupportedQueryError extends Error {
  override name = 'UnsupportedQueryError';
}

type Row = Record<string, unknown>;

function toRow(event: LogEvent): Row {
  let parsed: Row = {};
  try {
    const value: unknown = JSON.parse(event.message);
    if (typeof value === 'object' && value !== null) parsed = value as Row;
  } catch (error) {
    // Plain-text lines still have @message and @timestamp.
    if (!(error instanceof SyntaxError)) throw error;
  }
  return {
    ...parsed,
    '@timestamp': new Date(event.timestampMs).toISOString(),
    '@message': event.message,
    '@logStream': event.logStream ?? '',
  };
}

function field(row: Row, path: string): unknown {
  if (path in row) return row[path];
  let value: unknown = row;
  for (const key of path.split('.')) value = (value as Row | undefined)?.[key];
  return value;
}

function literal(text: string): string | number {
  const unquoted = /^(['"])(.*)\1$/.exec(text);
  if (unquoted) return unquoted[2] ?? '';
  const number = Number(text);
  return Number.isFinite(number) ? number : text;
}

function compileCondition(expression: string): (row: Row) => boolean {
  const parts = expression.split(/\s+and\s+/i).map((part) => {
    const like = /^([@\w.]+)\s+like\s+\/(.*)\/$/.exec(part.trim());
    if (like) {
      const re = new RegExp(like[2] ?? '');
      return (row: Row) => re.test(String(field(row, like[1] ?? '') ?? ''));
    }
    const cmp = /^([@\w.]+)\s*(=|!=|>=|<=|>|<)\s*(.+)$/.exec(part.trim());
    if (!cmp) throw new UnsupportedQueryError(`unsupported filter: ${part.trim()}`);
    const [, name = '', op, raw = ''] = cmp;
    const expected = literal(raw.trim());
    return (row: Row) => {
      const actual = field(row, name);
      if (actual === undefined) return op === '!=';
      const a = typeof expected === 'number' ? Number(actual) : String(actual);
      switch (op) {
        case '=':
          return a === expected;
        case '!=':
          return a !== expected;
        case '>':
          return a > expected;
        case '>=':
          return a >= expected;
        case '<':
          return a < expected;
        default:
          return a <= expected;
      }
    };
  });
  return (row) => parts.every((test) => test(row));
}

function aggregate(rows: Row[], spec: string): Row[] {
  const match = /^(count|avg|max|min|sum)\(([^)]*)\)(?:\s+as\s+(\w+))?(?:\s+by\s+([@\w.]+))?$/i.exec(
    spec.trim(),
  );
  if (!match) throw new UnsupportedQueryError(`unsupported stats: ${spec.trim()}`);
  const [, fn = '', arg = '', alias, by] = match;
  const name = alias ?? `${fn}(${arg})`;
  const groups = new Map<string, number[]>();
  for (const row of rows) {
    const key = by ? String(field(row, by) ?? '') : '';
    const value = fn.toLowerCase() === 'count' ? 1 : Number(field(row, arg));
    if (!Number.isFinite(value)) continue;
    const list = groups.get(key) ?? [];
    list.push(value);
    groups.set(key, list);
  }
  return [...groups].map(([key, values]) => {
    const total = values.reduce((a, b) => a + b, 0);
    const result = {
      count: values.length,
      sum: total,
      avg: total / values.length,
      max: Math.max(...values),
      min: Math.min(...values),
    }[fn.toLowerCase() as 'count'];
    return by ? { [by]: key, [name]: result } : { [name]: result };
  });
}

export function runLocalInsights(events: LogEvent[], queryString: string): InsightsRow[] {
  let rows = events.map(toRow);
  let projection: string[] | undefined;
  for (const command of queryString
    .split('|')
    .map((c) => c.trim())
    .filter(Boolean)) {
    const [verb = '', ...rest] = command.split(/\s+/);
    const argument = rest.join(' ');
    switch (verb.toLowerCase()) {
      case 'fields':
        projection = argument.split(',').map((f) => f.trim());
        break;
      case 'filter':
        rows = rows.filter(compileCondition(argument));
        break;
      case 'sort': {
        const [name = '@timestamp', direction = 'asc'] = argument.split(/\s+/);
        const sign = direction.toLowerCase() === 'desc' ? -1 : 1;
        rows = [...rows].sort((a, b) => (String(field(a, name)) < String(field(b, name)) ? -sign : sign));
        break;
      }
      case 'limit':
        rows = rows.slice(0, Number(argument));
        break;
      case 'stats':
        rows = aggregate(rows, argument);
        projection = undefined;
        break;
      default:
        throw new UnsupportedQueryError(`unsupported command: ${verb}`);
    }
  }
  return rows.map((row) => {
    const keys = projection ?? Object.keys(row);
    return Object.fromEntries(keys.map((k) => [k, String(field(row, k) ?? '')]));
  });
}
