/**
 * Path arithmetic for enumeration: is this asset the "next" one after the previous request's asset? Scrapers
 * walk numbered paths (chapter 7, 8, 9...; title t00041, t00042...). Character scans only: hot path.
 */
export type AssetStep = 'none' | 'next' | 'next_container';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function numberAt(s: string, start: number): { value: number; end: number } {
  let value = 0;
  let i = start;
  while (i < s.length && isDigit(s.charCodeAt(i))) {
    value = value * 10 + s.charCodeAt(i) - 48;
    i++;
  }
  return { value, end: i };
}

/** previous.slice(a) === current.slice(b), without allocating either slice. */
function sameTail(previous: string, a: number, current: string, b: number): boolean {
  if (previous.length - a !== current.length - b) return false;
  for (let i = 0; a + i < previous.length; i++) {
    if (previous.charCodeAt(a + i) !== current.charCodeAt(b + i)) return false;
  }
  return true;
}

/**
 * `next`: only one number changed, by +1 (ch007 -> ch008). `next_container`: the first changed number grew by
 * one and what follows it changed too (t00041/epub/ch060 -> t00042/manifest.json), i.e. a walk across titles.
 */
export function assetStep(previous: string, current: string): AssetStep {
  const n = Math.min(previous.length, current.length);
  let i = 0;
  while (i < n && previous.charCodeAt(i) === current.charCodeAt(i)) i++;
  if (i === n && previous.length === current.length) return 'none';
  let start = i;
  while (start > 0 && isDigit(previous.charCodeAt(start - 1))) start--;
  const before = numberAt(previous, start);
  const after = numberAt(current, start);
  if (before.end === start || after.end === start || after.value !== before.value + 1) return 'none';
  return sameTail(previous, before.end, current, after.end) ? 'next' : 'next_container';
}

/** Digits from `start` in bytes[start, end): their value, and where they end in `numberEnd`. */
let numberEnd = 0;
function numberInBytes(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  let i = start;
  while (i < end && isDigit(bytes[i]!)) {
    value = value * 10 + bytes[i]! - 48;
    i++;
  }
  numberEnd = i;
  return value;
}

export const STEP_NONE = 0;
const STEP_NEXT = 1;
export const STEP_NEXT_CONTAINER = 2;

/**
 * assetStep over the UTF-8 bytes of both paths (previous[0, previousLength), current[start, end)), allocating
 * nothing: STEP_NONE, STEP_NEXT or STEP_NEXT_CONTAINER. The same answer as on the strings: digits are ASCII
 * and every byte of a non-ASCII character is at least 0x80, so the first difference, the numbers around it and
 * the tails after them compare alike.
 */
export function assetStepBytes(
  previous: Uint8Array,
  previousLength: number,
  current: Uint8Array,
  start: number,
  end: number,
): number {
  return assetStepAfter(
    previous,
    0,
    previousLength,
    current,
    start,
    end,
    commonPrefixIn(previous, 0, previousLength, current, start, end),
  );
}

/** How many leading bytes previous[previousStart, +previousLength) and current[start, end) share. */
export function commonPrefixIn(
  previous: Uint8Array,
  previousStart: number,
  previousLength: number,
  current: Uint8Array,
  start: number,
  end: number,
): number {
  const n = Math.min(previousLength, end - start);
  let i = 0;
  while (i < n && previous[previousStart + i] === current[start + i]) i++;
  return i;
}

/**
 * assetStepBytes with the previous path at previous[previousStart, previousStart + previousLength), when the
 * paths' common prefix (commonPrefixIn) is known: `i` bytes.
 */
export function assetStepAfter(
  previous: Uint8Array,
  previousStart: number,
  previousLength: number,
  current: Uint8Array,
  start: number,
  end: number,
  i: number,
): number {
  const p = previousStart;
  const currentLength = end - start;
  if (i === Math.min(previousLength, currentLength) && previousLength === currentLength) return STEP_NONE;
  let from = i;
  while (from > 0 && isDigit(previous[p + from - 1]!)) from--;
  const before = numberInBytes(previous, p + from, p + previousLength);
  const beforeEnd = numberEnd - p;
  const after = numberInBytes(current, start + from, end);
  const afterEnd = numberEnd - start;
  if (beforeEnd === from || afterEnd === from || after !== before + 1) return STEP_NONE;
  // Same tails after the numbers: only one number changed.
  if (previousLength - beforeEnd !== currentLength - afterEnd) return STEP_NEXT_CONTAINER;
  for (let k = 0; beforeEnd + k < previousLength; k++) {
    if (previous[p + beforeEnd + k] !== current[start + afterEnd + k]) return STEP_NEXT_CONTAINER;
  }
  return STEP_NEXT;
}

/** FNV-1a, enough to count distinct assets without keeping their paths. */
export function hashPath(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) {
    h ^= path.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Distinct-asset counter in 128 bytes (linear counting over a 1024-bit bitmap): accurate to a few percent up
 * to about a thousand distinct assets, which covers every threshold here, with no per-asset allocation.
 */
export class DistinctCounter {
  private readonly bits = new Uint32Array(32);
  private zeros = 1024;

  /** Adds one hash; true when it set a new bit (most likely a value not seen before). */
  add(hash: number): boolean {
    const bit = hash & 1023;
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    if ((this.bits[word]! & mask) !== 0) return false;
    this.bits[word]! |= mask;
    this.zeros--;
    return true;
  }

  estimate(): number {
    if (this.zeros === 0) return 1024 * Math.log(1024);
    return Math.round(-1024 * Math.log(this.zeros / 1024));
  }

  clear(): void {
    this.bits.fill(0);
    this.zeros = 1024;
  }
}
