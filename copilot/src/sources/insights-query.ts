/**
 * A parser for the part of the CloudWatch Logs Insights query language that on-call queries use:
 *
 *   fields a, b as c            display a, b
 *   filter <condition>          (=, !=, <, <=, >, >=, like /re/ or "text", not like, in [..], ispresent(f),
 *                                and, or, not, parentheses)
 *   parse <field> "glob * with * stars" as x, y        parse <field> /(?<x>re)/
 *   stats count(*) as n, avg(f), pct(f, 95), count_distinct(f), sum, min, max, earliest, latest
 *         by field, bin(5m)
 *   sort f [asc|desc], ...      limit n      dedup f, ...
 *
 * Anything else is rejected with an UnsupportedQueryError naming the part, never half-answered.
 */
export class UnsupportedQueryError extends Error {
  override name = 'UnsupportedQueryError';
}

type Value = string | number;

export type Condition =
  | { op: 'and' | 'or'; left: Condition; right: Condition }
  | { op: 'not'; inner: Condition }
  | { op: 'cmp'; field: string; cmp: '=' | '!=' | '<' | '<=' | '>' | '>='; value: Value }
  | { op: 'like'; field: string; pattern: RegExp; negate: boolean }
  | { op: 'in'; field: string; values: Value[]; negate: boolean }
  | { op: 'present'; field: string };

export interface Aggregation {
  fn: 'count' | 'count_distinct' | 'avg' | 'sum' | 'min' | 'max' | 'pct' | 'earliest' | 'latest';
  field?: string;
  percentile?: number;
  name: string;
}

export interface GroupKey {
  field: string;
  /** bin(period): the key is the timestamp floored to this many ms. */
  binMs?: number;
  name: string;
}

export type Command =
  | { verb: 'fields'; fields: { field: string; name: string }[] }
  | { verb: 'filter'; condition: Condition }
  | { verb: 'parse'; field: string; regex: RegExp; names: string[] }
  | { verb: 'stats'; aggregations: Aggregation[]; by: GroupKey[] }
  | { verb: 'sort'; keys: { field: string; descending: boolean }[] }
  | { verb: 'limit'; count: number }
  | { verb: 'dedup'; fields: string[] };

type Token = { type: 'word' | 'string' | 'regex' | 'number' | 'op' | 'punct'; text: string };

const FIELD = /^[@A-Za-z_][\w.@-]*$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        value += text[j];
        j++;
      }
      if (j >= text.length) throw new UnsupportedQueryError(`unterminated string in: ${text}`);
      tokens.push({ type: 'string', text: value });
      i = j + 1;
    } else if (c === '/') {
      let j = i + 1;
      while (j < text.length && text[j] !== '/') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new UnsupportedQueryError(`unterminated regular expression in: ${text}`);
      tokens.push({ type: 'regex', text: text.slice(i + 1, j) });
      i = j + 1;
    } else if (c === '`') {
      const j = text.indexOf('`', i + 1);
      if (j < 0) throw new UnsupportedQueryError(`unterminated backquote in: ${text}`);
      tokens.push({ type: 'word', text: text.slice(i + 1, j) });
      i = j + 1;
    } else if (/[<>=!]/.test(c)) {
      const two = text.slice(i, i + 2);
      const op = ['<=', '>=', '!=', '=='].includes(two) ? two : c;
      tokens.push({ type: 'op', text: op === '==' ? '=' : op });
      i += op.length;
    } else if (/[(),[\]*]/.test(c)) {
      tokens.push({ type: 'punct', text: c });
      i++;
    } else {
      const match = /^-?\d+(\.\d+)?(?![\w@.-])/.exec(text.slice(i));
      if (match) {
        tokens.push({ type: 'number', text: match[0] });
        i += match[0].length;
        continue;
      }
      const word = /^[@\w.$-]+/.exec(text.slice(i));
      if (!word) throw new UnsupportedQueryError(`unexpected "${c}" in: ${text}`);
      tokens.push({ type: 'word', text: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
}

class Reader {
  private index = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}
  peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }
  next(): Token {
    const token = this.tokens[this.index++];
    if (!token) throw new UnsupportedQueryError(`unexpected end of: ${this.source}`);
    return token;
  }
  done(): boolean {
    return this.index >= this.tokens.length;
  }
  isWord(word: string): boolean {
    const token = this.peek();
    return token?.type === 'word' && token.text.toLowerCase() === word;
  }
  expect(text: string): void {
    const token = this.next();
    if (token.text !== text)
      throw new UnsupportedQueryError(`expected "${text}" near "${token.text}" in: ${this.source}`);
  }
  field(): string {
    const token = this.next();
    if (token.type !== 'word' || !FIELD.test(token.text))
      throw new UnsupportedQueryError(`expected a field name near "${token.text}" in: ${this.source}`);
    return token.text;
  }
  value(): Value {
    const token = this.next();
    if (token.type === 'number') return Number(token.text);
    if (token.type === 'string' || token.type === 'word') return token.text;
    throw new UnsupportedQueryError(`expected a value near "${token.text}" in: ${this.source}`);
  }
}

function parseCondition(r: Reader): Condition {
  let left = parseConjunction(r);
  while (r.isWord('or')) {
    r.next();
    left = { op: 'or', left, right: parseConjunction(r) };
  }
  return left;
}

function parseConjunction(r: Reader): Condition {
  let left = parseUnary(r);
  while (r.isWord('and')) {
    r.next();
    left = { op: 'and', left, right: parseUnary(r) };
  }
  return left;
}

function parseUnary(r: Reader): Condition {
  if (r.isWord('not')) {
    r.next();
    return { op: 'not', inner: parseUnary(r) };
  }
  if (r.peek()?.text === '(') {
    r.next();
    const inner = parseCondition(r);
    r.expect(')');
    return inner;
  }
  if (r.isWord('ispresent')) {
    r.next();
    r.expect('(');
    const field = r.field();
    r.expect(')');
    return { op: 'present', field };
  }
  const field = r.field();
  let negate = false;
  if (r.isWord('not')) {
    r.next();
    negate = true;
  }
  if (r.isWord('like') || r.peek()?.text === '=~') {
    r.next();
    const token = r.next();
    if (token.type === 'regex') return { op: 'like', field, pattern: new RegExp(token.text), negate };
    if (token.type === 'string')
      return { op: 'like', field, pattern: new RegExp(escapeRegex(token.text)), negate };
    throw new UnsupportedQueryError(`like needs /regex/ or "text", got "${token.text}"`);
  }
  if (r.isWord('in')) {
    r.next();
    r.expect('[');
    const values: Value[] = [];
    while (r.peek()?.text !== ']') {
      values.push(r.value());
      if (r.peek()?.text === ',') r.next();
    }
    r.expect(']');
    return { op: 'in', field, values, negate };
  }
  if (negate) throw new UnsupportedQueryError(`"not" after ${field} must be followed by like or in`);
  const op = r.next();
  if (op.type !== 'op')
    throw new UnsupportedQueryError(`expected a comparison after ${field}, got "${op.text}"`);
  return { op: 'cmp', field, cmp: op.text as '=', value: r.value() };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const AGGREGATIONS = new Set([
  'count',
  'count_distinct',
  'avg',
  'sum',
  'min',
  'max',
  'pct',
  'earliest',
  'latest',
]);
const BIN_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

function parseStats(r: Reader): Command {
  const aggregations: Aggregation[] = [];
  const by: GroupKey[] = [];
  do {
    if (r.peek()?.text === ',') r.next();
    const fn = r.next().text.toLowerCase();
    if (!AGGREGATIONS.has(fn)) throw new UnsupportedQueryError(`unsupported stats function: ${fn}`);
    r.expect('(');
    let field: string | undefined;
    let percentile: number | undefined;
    if (r.peek()?.text === '*') r.next();
    else if (r.peek()?.text !== ')') field = r.field();
    if (r.peek()?.text === ',') {
      r.next();
      percentile = Number(r.next().text);
    }
    r.expect(')');
    if (fn === 'pct' && !(percentile !== undefined && percentile >= 0 && percentile <= 100))
      throw new UnsupportedQueryError('pct needs a percentile between 0 and 100: pct(field, 95)');
    if (fn !== 'count' && field === undefined) throw new UnsupportedQueryError(`${fn} needs a field`);
    let name = fn === 'pct' ? `pct(${field}, ${percentile})` : `${fn}(${field ?? '*'})`;
    if (r.isWord('as')) {
      r.next();
      name = r.field();
    }
    aggregations.push({ fn: fn as Aggregation['fn'], field, percentile, name });
  } while (r.peek()?.text === ',');
  if (r.isWord('by')) {
    r.next();
    do {
      if (r.peek()?.text === ',') r.next();
      if (r.isWord('bin')) {
        r.next();
        r.expect('(');
        const period = r.next().text;
        r.expect(')');
        const match = /^(\d+)(ms|s|m|min|h|d)$/.exec(period);
        if (!match) throw new UnsupportedQueryError(`bin period "${period}" is not like 5m, 1h, 30s`);
        let name = `bin(${period})`;
        if (r.isWord('as')) {
          r.next();
          name = r.field();
        }
        by.push({ field: '@timestamp', binMs: Number(match[1]) * BIN_UNITS[match[2]!]!, name });
      } else {
        const field = r.field();
        let name = field;
        if (r.isWord('as')) {
          r.next();
          name = r.field();
        }
        by.push({ field, name });
      }
    } while (r.peek()?.text === ',');
  }
  return { verb: 'stats', aggregations, by };
}

function parseParse(r: Reader): Command {
  const field = r.field();
  const pattern = r.next();
  if (pattern.type === 'regex') {
    const regex = new RegExp(pattern.text);
    const names = [...pattern.text.matchAll(/\(\?<(\w+)>/g)].map((m) => m[1]!);
    if (names.length === 0) throw new UnsupportedQueryError('parse /regex/ needs named groups: (?<name>...)');
    return { verb: 'parse', field, regex, names };
  }
  if (pattern.type !== 'string') throw new UnsupportedQueryError('parse needs "glob * pattern" or /regex/');
  const pieces = pattern.text.split('*');
  if (pieces.length < 2) throw new UnsupportedQueryError('a parse glob needs at least one *');
  if (!r.isWord('as')) throw new UnsupportedQueryError('parse "glob" needs "as name, ..."');
  r.next();
  const names: string[] = [];
  do {
    if (r.peek()?.text === ',') r.next();
    names.push(r.field());
  } while (r.peek()?.text === ',');
  if (names.length !== pieces.length - 1)
    throw new UnsupportedQueryError(`parse glob has ${pieces.length - 1} * but ${names.length} names`);
  const regex = new RegExp(pieces.map(escapeRegex).join('(.*?)') + (pieces.at(-1) === '' ? '' : ''));
  return { verb: 'parse', field, regex, names };
}

function parseCommand(text: string): Command {
  const r = new Reader(tokenize(text), text);
  const verb = r.next().text.toLowerCase();
  let command: Command;
  switch (verb) {
    case 'fields':
    case 'display': {
      const fields: { field: string; name: string }[] = [];
      do {
        if (r.peek()?.text === ',') r.next();
        const field = r.field();
        let name = field;
        if (r.isWord('as')) {
          r.next();
          name = r.field();
        }
        fields.push({ field, name });
      } while (r.peek()?.text === ',');
      command = { verb: 'fields', fields };
      break;
    }
    case 'filter':
      command = { verb: 'filter', condition: parseCondition(r) };
      break;
    case 'parse':
      command = parseParse(r);
      break;
    case 'stats':
      command = parseStats(r);
      break;
    case 'sort': {
      const keys: { field: string; descending: boolean }[] = [];
      do {
        if (r.peek()?.text === ',') r.next();
        const field = r.field();
        let descending = false;
        if (r.isWord('desc') || r.isWord('asc')) descending = r.next().text.toLowerCase() === 'desc';
        keys.push({ field, descending });
      } while (r.peek()?.text === ',');
      command = { verb: 'sort', keys };
      break;
    }
    case 'limit': {
      const count = Number(r.next().text);
      if (!Number.isInteger(count) || count < 0)
        throw new UnsupportedQueryError('limit needs a whole number');
      command = { verb: 'limit', count };
      break;
    }
    case 'dedup': {
      const fields: string[] = [];
      do {
        if (r.peek()?.text === ',') r.next();
        fields.push(r.field());
      } while (r.peek()?.text === ',');
      command = { verb: 'dedup', fields };
      break;
    }
    default:
      throw new UnsupportedQueryError(`unsupported command: ${verb}`);
  }
  if (!r.done()) throw new UnsupportedQueryError(`unexpected "${r.peek()?.text}" in: ${text}`);
  return command;
}

/** Splits on pipes outside strings and regular expressions, then parses each command. */
export function parseInsightsQuery(query: string): Command[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < query.length; i++) {
    const c = query[i]!;
    if (quote) {
      if (c === '\\') {
        current += c + (query[++i] ?? '');
        continue;
      }
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '/' || c === '`') {
      quote = c;
    } else if (c === '|') {
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current);
  const commands = parts.map((p) => p.trim()).filter(Boolean);
  if (commands.length === 0) throw new UnsupportedQueryError('the query is empty');
  return commands.map(parseCommand);
}
