/**
 * Reading a log line's edge token (`bbt=v1.<kid>.<tokenId>.<accountId>.<deviceHash>...`) in place, as bytes:
 * the hot path of `boundless detect` finds the token's fields without making a string. What it finds goes into
 * a row of an Int32Array (TOKEN_ROW numbers), so the read-ahead can keep one row per previewed line and the
 * detectors read the same line's token once.
 */
import type { LogLineView } from '../logs/log-line-view.ts';

/** Positions in a token row. */
export const QUERY_LENGTH = 0;
/** Length of the `bbt` value; 0 when the query has none. */
export const BBT_LENGTH = 1;
/** Where the token's kid, token id, account and device fields end (the dot after each). */
export const KID_END = 2;
export const TOKEN_END = 3;
export const ACCOUNT_END = 4;
export const DEVICE_END = 5;
/** 1 when the token names a token id (8..40 bytes) and an account (1..64 bytes). */
export const HAS_TOKEN = 6;
export const TOKEN_ROW = 7;

const DOT = 46;
const AMPERSAND = 38;

/** buf[start, end) holds exactly the (ASCII) characters of s. */
export function sameAscii(buf: Buffer, start: number, end: number, s: string): boolean {
  if (end - start !== s.length) return false;
  for (let i = 0; i < s.length; i++) if (buf[start + i] !== s.charCodeAt(i)) return false;
  return true;
}

/**
 * The characters of s copied into buf from `at` when all are ASCII (always, in real tokens): returns where they
 * end, or -1 at the first other one (the caller then encodes the key with Buffer.write). buf must hold s.length.
 */
export function writeAscii(buf: Buffer, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return -1;
    buf[at + i] = c;
  }
  return at + s.length;
}

/** `%` in buf[start, end): the path needs decoding before it is compared. */
export function percentIn(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === 37) return true;
  return false;
}

function dotIn(buf: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i++) if (buf[i] === DOT) return i;
  return -1;
}

/** `&bbt=` in buf[from, end), or -1. */
function bbtParamIn(buf: Buffer, from: number, end: number): number {
  for (let i = from; i + 5 <= end; i++) {
    if (
      buf[i] === AMPERSAND &&
      buf[i + 1] === 98 &&
      buf[i + 2] === 98 &&
      buf[i + 3] === 116 &&
      buf[i + 4] === 61
    ) {
      return i;
    }
  }
  return -1;
}

/**
 * Finds the edge token in the line's query and writes what it found into row[at, at + TOKEN_ROW); returns
 * row[at + HAS_TOKEN] === 1. Field ends are only meaningful when the token was found.
 */
export function readEdgeToken(v: LogLineView, row: Int32Array, at: number): boolean {
  row[at + QUERY_LENGTH] = 0;
  row[at + BBT_LENGTH] = 0;
  row[at + HAS_TOKEN] = 0;
  const buf = v.buf;
  const q = v.layout.query;
  if (q < 0) return false;
  const qStart = v.start(q);
  const qEnd = v.end(q);
  const queryLength = qEnd - qStart;
  row[at + QUERY_LENGTH] = queryLength;
  let bbtStart = -1;
  if (
    queryLength >= 4 &&
    buf[qStart] === 98 &&
    buf[qStart + 1] === 98 &&
    buf[qStart + 2] === 116 &&
    buf[qStart + 3] === 61
  ) {
    bbtStart = qStart + 4;
  } else if (queryLength > 0) {
    const param = bbtParamIn(buf, qStart, qEnd);
    if (param >= 0) bbtStart = param + 5;
  }
  if (bbtStart < 0) return false;
  const ampersand = v.indexOfByte(AMPERSAND, bbtStart, qEnd);
  const bbtEnd = ampersand < 0 ? qEnd : ampersand;
  const bbtLength = bbtEnd - bbtStart;
  row[at + BBT_LENGTH] = bbtLength;
  if (
    bbtLength < 3 ||
    buf[bbtStart] !== 118 /* v */ ||
    buf[bbtStart + 1] !== 49 ||
    buf[bbtStart + 2] !== DOT
  ) {
    return false;
  }
  const kidEnd = dotIn(buf, bbtStart + 3, bbtEnd);
  const tokenEnd = kidEnd < 0 ? -1 : dotIn(buf, kidEnd + 1, bbtEnd);
  const accountEnd = tokenEnd < 0 ? -1 : dotIn(buf, tokenEnd + 1, bbtEnd);
  const deviceEnd = accountEnd < 0 ? -1 : dotIn(buf, accountEnd + 1, bbtEnd);
  row[at + KID_END] = kidEnd;
  row[at + TOKEN_END] = tokenEnd;
  row[at + ACCOUNT_END] = accountEnd;
  row[at + DEVICE_END] = deviceEnd;
  const tokenLength = tokenEnd - kidEnd - 1;
  const accountLength = accountEnd - tokenEnd - 1;
  const found =
    deviceEnd >= 0 && tokenLength >= 8 && tokenLength <= 40 && accountLength > 0 && accountLength <= 64;
  row[at + HAS_TOKEN] = found ? 1 : 0;
  return found;
}

/**
 * Where a found token's scope claim (still base64url-encoded) lies in the line, as tokenClaimsOf reads it from
 * the query: bounds[0] and bounds[1], an empty range when the token has none. Only for a row with HAS_TOKEN.
 */
export function scopeBounds(v: LogLineView, row: Int32Array, at: number, bounds: Int32Array): void {
  const buf = v.buf;
  const deviceEnd = row[at + DEVICE_END]!;
  // The token has no `&` before its device's end, so the first one after it ends the `bbt` value.
  const queryEnd = v.end(v.layout.query);
  const ampersand = v.indexOfByte(AMPERSAND, deviceEnd + 1, queryEnd);
  const bbtEnd = ampersand < 0 ? queryEnd : ampersand;
  const iatEnd = dotIn(buf, deviceEnd + 1, bbtEnd);
  const expEnd = iatEnd < 0 ? -1 : dotIn(buf, iatEnd + 1, bbtEnd);
  const scopeEnd = expEnd < 0 ? -1 : dotIn(buf, expEnd + 1, bbtEnd);
  bounds[0] = scopeEnd < 0 ? 0 : expEnd + 1;
  bounds[1] = Math.max(scopeEnd, 0);
}
