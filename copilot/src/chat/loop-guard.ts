/**
 * Bounds one answer's tool loop. Agents loop by asking the same question again, often not byte for byte: the
 * same query in other letter case, keys in another order, a time range shifted by a minute, or two calls taking
 * turns (A, B, A, B). Arguments are normalised and compared by similarity, so those count as repeats too.
 * The guard never throws: it refuses a call with a message the model can read, and once the loop must stop it
 * says so, and the answer ends with a summary of what was found.
 */
import { MINUTE_MS } from '@boundless/common/time';
export interface LoopLimits {
  /** Tool calls one answer may run. @default 12 */
  maxToolCalls: number;
  /** Model calls one answer may make (each tool round is one). @default 8 */
  maxModelCalls: number;
  /** Refused repeats before the loop is stopped. @default 3 */
  maxRepeats: number;
  /** Similarity (0..1) of two calls' arguments from which they count as the same question. @default 0.8 */
  nearDuplicate: number;
}

const DEFAULT_LOOP_LIMITS: LoopLimits = {
  maxToolCalls: 12,
  maxModelCalls: 8,
  maxRepeats: 3,
  nearDuplicate: 0.8,
};

export type StopReason = 'tool_limit' | 'model_limit' | 'repeats' | 'budget';

export type GuardVerdict =
  | { allow: true }
  | {
      allow: false;
      reason: 'repeat' | 'near_duplicate' | 'cycle' | 'tool_limit';
      /** Index (0-based) of the earlier call this one repeats. */
      earlier?: number;
      message: string;
    };

interface SeenCall {
  tool: string;
  args: Normalised;
  /** The first call of the family this call belongs to (itself when new). */
  family: number;
}

export class LoopGuard {
  private readonly calls: SeenCall[] = [];
  private readonly families: number[] = [];
  private refused = 0;
  private modelCalls = 0;
  private stop: StopReason | undefined;

  constructor(readonly limits: LoopLimits = DEFAULT_LOOP_LIMITS) {}

  /** Why the loop must end, once it must. */
  get stopReason(): StopReason | undefined {
    return this.stop;
  }

  get counts() {
    return { toolCalls: this.calls.length, refused: this.refused, modelCalls: this.modelCalls };
  }

  /** Call before each model call; false when no more model calls are allowed. */
  beginModelCall(): boolean {
    if (this.modelCalls >= this.limits.maxModelCalls) {
      this.stop ??= 'model_limit';
      return false;
    }
    this.modelCalls += 1;
    if (this.modelCalls === this.limits.maxModelCalls) this.stop ??= 'model_limit';
    return true;
  }

  /** Ends the loop from outside (the budget ran out). */
  halt(reason: StopReason): void {
    this.stop ??= reason;
  }

  check(tool: string, rawArgs: unknown): GuardVerdict {
    if (this.stop) return this.refuse('tool_limit', undefined, this.stopMessage());
    if (this.calls.length >= this.limits.maxToolCalls) {
      this.stop = 'tool_limit';
      return this.refuse('tool_limit', undefined, this.stopMessage());
    }
    const args = normaliseArgs(rawArgs);
    let best = -1;
    let bestScore = 0;
    this.calls.forEach((call, index) => {
      if (call.tool !== tool) return;
      const score = similarity(call.args, args);
      if (score > bestScore) {
        best = index;
        bestScore = score;
      }
    });
    const family =
      best >= 0 && bestScore >= this.limits.nearDuplicate ? (this.calls[best]?.family ?? best) : -1;
    if (family >= 0) {
      this.families.push(family);
      const reason = isCycle(this.families) ? 'cycle' : bestScore === 1 ? 'repeat' : 'near_duplicate';
      const verdict = this.refuse(
        reason,
        best,
        `Refused: this ${reason === 'near_duplicate' ? 'nearly repeats' : 'repeats'} tool call #${best + 1} ` +
          `(${tool}); its result is above. Use it, try a different question, or answer now.`,
      );
      if (this.refused >= this.limits.maxRepeats) this.stop = 'repeats';
      return verdict;
    }
    this.calls.push({ tool, args, family: this.calls.length });
    this.families.push(this.calls.length - 1);
    return { allow: true };
  }

  private refuse(
    reason: 'repeat' | 'near_duplicate' | 'cycle' | 'tool_limit',
    earlier: number | undefined,
    message: string,
  ): GuardVerdict {
    this.refused += 1;
    return { allow: false, reason, ...(earlier === undefined ? {} : { earlier }), message };
  }

  private stopMessage(): string {
    return 'Refused: the tool budget for this answer is spent. Answer now from the results above.';
  }
}

/** The last k call families equal the k before them (A B A B, A B C A B C). */
function isCycle(families: number[]): boolean {
  for (let k = 2; k * 2 <= families.length; k += 1) {
    const tail = families.slice(-k);
    const before = families.slice(-2 * k, -k);
    if (tail.every((f, i) => f === before[i]) && new Set(tail).size > 1) return true;
  }
  return false;
}

type Scalar = string | number | boolean;
/** Flattened arguments: dotted path -> canonical value. */
export type Normalised = Map<string, Scalar | Scalar[]>;

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
function canonicalKey(key: string): string {
  return key.toLowerCase().replace(/[_\-\s]/g, '');
}

function canonicalScalar(value: Scalar): Scalar {
  if (typeof value !== 'string') return value;
  const text = value.trim().replace(/\s+/g, ' ');
  if (ISO.test(text)) {
    const ms = Date.parse(text);
    // Time values compare at minute precision: a range moved by seconds asks the same question.
    if (Number.isFinite(ms)) return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
  }
  if (/^-?\d+(?:\.\d+)?$/.test(text)) return Number(text);
  return text.toLowerCase();
}

/**
 * Canonical form of a tool call's arguments: keys in one spelling (case, `_`, `-` ignored) and order, strings
 * trimmed and lower-cased, numbers from numeric strings, timestamps to the minute, empty values dropped, and
 * lists of scalars treated as sets.
 */
export function normaliseArgs(args: unknown): Normalised {
  const out: Normalised = new Map();
  const walk = (value: unknown, path: string) => {
    if (value === null || value === undefined || value === '') return;
    if (Array.isArray(value)) {
      if (value.length === 0) return;
      if (value.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
        const items = [...new Set((value as Scalar[]).map(canonicalScalar))].sort();
        out.set(path, items);
        return;
      }
      value.forEach((item, i) => {
        walk(item, `${path}[${i}]`);
      });
      return;
    }
    if (typeof value === 'object') {
      for (const [key, item] of Object.entries(value as Record<string, unknown>))
        walk(item, path ? `${path}.${canonicalKey(key)}` : canonicalKey(key));
      return;
    }
    if (['string', 'number', 'boolean'].includes(typeof value))
      out.set(path, canonicalScalar(value as Scalar));
  };
  walk(args, '');
  return out;
}

function words(text: string): Set<string> {
  return new Set(text.split(/[^a-z0-9@.:/*]+/).filter(Boolean));
}

function jaccard<T>(a: Set<T>, b: Set<T>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let both = 0;
  for (const item of a) if (b.has(item)) both += 1;
  return both / (a.size + b.size - both);
}

function valueSimilarity(a: Scalar | Scalar[], b: Scalar | Scalar[]): number {
  if (Array.isArray(a) || Array.isArray(b)) {
    const setA = new Set((Array.isArray(a) ? a : [a]).map(String));
    const setB = new Set((Array.isArray(b) ? b : [b]).map(String));
    return jaccard(setA, setB);
  }
  if (a === b) return 1;
  if (typeof a === 'number' && typeof b === 'number') {
    // Epoch times: within five minutes is the same window; an hour apart is another question.
    if (Math.abs(a) > 1e11 && Math.abs(b) > 1e11)
      return Math.max(0, 1 - Math.max(0, Math.abs(a - b) - 5 * MINUTE_MS) / (55 * MINUTE_MS));
    const scale = Math.max(Math.abs(a), Math.abs(b));
    return scale === 0 ? 1 : Math.max(0, 1 - Math.abs(a - b) / scale);
  }
  if (typeof a === 'string' && typeof b === 'string') return jaccard(words(a), words(b));
  return 0;
}

/**
 * The least similar key decides (a key only one call has counts as different): two calls ask the same question
 * only when every part of it is the same, so a shared time window cannot make different queries look alike.
 */
export function similarity(a: Normalised, b: Normalised): number {
  let least = 1;
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const left = a.get(key);
    const right = b.get(key);
    least = Math.min(least, left === undefined || right === undefined ? 0 : valueSimilarity(left, right));
  }
  return least;
}
