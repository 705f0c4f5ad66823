import {
  type Aggregation,
  type Command,
  type Condition,
  type GroupKey,
  parseInsightsQuery,
  UnsupportedQueryError,
} from './insights-query.ts';
import type { InsightsRow, LogEvent } from './log-events.ts';
import { entryOf } from '../telemetry/collections.ts';

export { UnsupportedQueryError };

/**
 * Logs Insights over local log events (see insights-query.ts for the subset). Fields are discovered from JSON
 * messages as Insights does (nested keys by dotted path); `@timestamp`, `@message`, `@log`, `@logStream` and
 * `@ptr` (group and event id, what a citation needs) are always there.
 */
type Row = Record<string, unknown>;

function toRow(event: LogEvent): Row {
  let parsed: Row = {};
  const text = event.message.trimStart();
  if (text.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) parsed = value as Row;
    } catch (error) {
      // Not JSON after all: the line still has @message and @timestamp.
      if (!(error instanceof SyntaxError)) throw error;
    }
  }
  return {
    ...parsed,
    '@timestamp': event.timestampMs,
    '@message': event.message,
    '@log': event.logGroup,
    '@logStream': event.logStream ?? '',
    '@ptr': `${event.logGroup}#${event.eventId}`,
  };
}

function field(row: Row, path: string): unknown {
  if (path in row) return row[path];
  let value: unknown = row;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Row)[key];
  }
  return value;
}

function compare(actual: unknown, expected: string | number): number | undefined {
  if (actual === undefined || actual === null) return undefined;
  if (typeof expected === 'number') {
    const a = Number(actual);
    return Number.isFinite(a) ? a - expected : undefined;
  }
  const a = String(actual);
  return a < expected ? -1 : a > expected ? 1 : 0;
}

function test(condition: Condition, row: Row): boolean {
  switch (condition.op) {
    case 'and':
      return test(condition.left, row) && test(condition.right, row);
    case 'or':
      return test(condition.left, row) || test(condition.right, row);
    case 'not':
      return !test(condition.inner, row);
    case 'present': {
      const value = field(row, condition.field);
      return value !== undefined && value !== null && value !== '';
    }
    case 'like': {
      const value = field(row, condition.field);
      const hit =
        value !== undefined &&
        condition.pattern.test(typeof value === 'string' ? value : JSON.stringify(value));
      return hit !== condition.negate;
    }
    case 'in': {
      const value = field(row, condition.field);
      const hit = condition.values.some((v) => compare(value, v) === 0);
      return hit !== condition.negate;
    }
    case 'cmp': {
      const d = compare(field(row, condition.field), condition.value);
      if (d === undefined) return condition.cmp === '!=';
      switch (condition.cmp) {
        case '=':
          return d === 0;
        case '!=':
          return d !== 0;
        case '<':
          return d < 0;
        case '<=':
          return d <= 0;
        case '>':
          return d > 0;
        default:
          return d >= 0;
      }
    }
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

function aggregate(rows: Row[], spec: Aggregation): unknown {
  if (spec.fn === 'count') {
    return spec.field === undefined
      ? rows.length
      : rows.filter((r) => field(r, spec.field!) !== undefined).length;
  }
  if (spec.fn === 'count_distinct')
    return new Set(rows.map((r) => JSON.stringify(field(r, spec.field!)))).size;
  if (spec.fn === 'earliest' || spec.fn === 'latest') {
    const present = rows.filter((r) => field(r, spec.field!) !== undefined);
    const pickRow = spec.fn === 'earliest' ? present[0] : present.at(-1);
    return pickRow ? field(pickRow, spec.field!) : undefined;
  }
  const values = rows.map((r) => Number(field(r, spec.field!))).filter((v) => Number.isFinite(v));
  if (values.length === 0) return undefined;
  switch (spec.fn) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    default:
      return percentile(
        values.sort((a, b) => a - b),
        spec.percentile ?? 50,
      );
  }
}

function groupValue(row: Row, key: GroupKey): unknown {
  const value = field(row, key.field);
  if (key.binMs === undefined) return value;
  const ms = typeof value === 'number' ? value : Date.parse(String(value));
  return Number.isFinite(ms) ? Math.floor(ms / key.binMs) * key.binMs : undefined;
}

function stats(rows: Row[], command: Extract<Command, { verb: 'stats' }>): Row[] {
  const groups = new Map<string, { key: Row; rows: Row[] }>();
  for (const row of rows) {
    const key: Row = {};
    for (const by of command.by) key[by.name] = groupValue(row, by);
    const id = JSON.stringify(command.by.map((by) => key[by.name]));
    const group = entryOf(groups, id, () => ({ key, rows: [] as Row[] }));
    group.rows.push(row);
  }
  if (groups.size === 0 && command.by.length === 0) groups.set('', { key: {}, rows: [] });
  const out = [...groups.values()].map(({ key, rows: members }) => {
    const result: Row = { ...key };
    for (const spec of command.aggregations) result[spec.name] = aggregate(members, spec);
    return result;
  });
  // Binned results come out in time order, as Insights returns them.
  const bin = command.by.find((by) => by.binMs !== undefined);
  if (bin) out.sort((a, b) => Number(a[bin.name]) - Number(b[bin.name]));
  for (const by of command.by)
    if (by.binMs !== undefined) for (const row of out) row[by.name] = isoOrEmpty(row[by.name]);
  return out;
}

function isoOrEmpty(value: unknown): string {
  return typeof value === 'number' ? new Date(value).toISOString() : '';
}

function sortRows(rows: Row[], keys: { field: string; descending: boolean }[]): Row[] {
  return [...rows].sort((a, b) => {
    for (const key of keys) {
      const x = field(a, key.field);
      const y = field(b, key.field);
      let d: number;
      if (x === y) d = 0;
      else if (x === undefined) d = 1;
      else if (y === undefined) d = -1;
      else if (typeof x === 'number' && typeof y === 'number') d = x - y;
      else {
        const nx = Number(x);
        const ny = Number(y);
        d = Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : String(x) < String(y) ? -1 : 1;
      }
      if (d !== 0) return key.descending ? -d : d;
    }
    return 0;
  });
}

function show(value: unknown, name: string): string {
  if (value === undefined || value === null) return '';
  if (name === '@timestamp' && typeof value === 'number') return new Date(value).toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Runs a query over events (any order: a query without sort returns them newest first, as Insights does). */
export function runLocalInsights(events: LogEvent[], queryString: string): InsightsRow[] {
  const commands = parseInsightsQuery(queryString);
  let rows = events.map(toRow).sort((a, b) => Number(b['@timestamp']) - Number(a['@timestamp']));
  let projection: string[] | undefined;
  for (const command of commands) {
    switch (command.verb) {
      case 'fields':
        for (const { field: f, name } of command.fields)
          if (name !== f) for (const row of rows) row[name] = field(row, f);
        projection = command.fields.map((f) => f.name);
        break;
      case 'filter':
        rows = rows.filter((row) => test(command.condition, row));
        break;
      case 'parse':
        for (const row of rows) {
          const match = command.regex.exec(show(field(row, command.field), command.field));
          if (!match) continue;
          command.names.forEach((name, i) => {
            row[name] = match.groups?.[name] ?? match[i + 1];
          });
        }
        break;
      case 'stats':
        rows = stats(rows, command);
        projection = [...command.by.map((by) => by.name), ...command.aggregations.map((a) => a.name)];
        break;
      case 'sort':
        rows = sortRows(rows, command.keys);
        break;
      case 'limit':
        rows = rows.slice(0, command.count);
        break;
      case 'dedup': {
        const seen = new Set<string>();
        rows = rows.filter((row) => {
          const key = JSON.stringify(command.fields.map((f) => field(row, f)));
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        break;
      }
    }
  }
  return rows.map((row) => {
    const keys = projection ?? Object.keys(row);
    return Object.fromEntries(keys.map((k) => [k, show(field(row, k), k)]));
  });
}
