/**
 * The engine's read-ahead (LogLineSink.preview and prefetch). Lines are memory-bound: each reaches a chain of
 * state (the token's index slot, record and subject, its sharing state, place, address record, scraping
 * record and account state), every link a cache miss waiting for the previous one, since lines come from
 * many thousand sessions at random. Before a batch of lines is observed, `preview` reads each line's edge
 * token (kept for observeLine) and `prefetch` walks the batch's chains level by level, so that the misses of
 * its lines overlap. It only reads; a wrong guess costs a load.
 */
import type { LogLineView } from '../logs/log-line-view.ts';
import { LINE_BATCH } from '../logs/cloudfront-bytes.ts';
import { type ByteSubjectTable, keyHash } from './byte-subject-table.ts';
import type { TokenSession } from './consumption.ts';
import { CLASS_OTHER } from './content.ts';
import type { ReaderState } from './reader-state.ts';
import { KID_END, readEdgeToken, TOKEN_END, TOKEN_ROW } from './line-token.ts';
import { N_THIS_MINUTE, type ScrapeSlabs, T_MINUTE_START } from './scrape-slabs.ts';
import type { TokenSharingState } from './token-places.ts';

/**
 * Everything known about one active token, behind a single lookup per request: its title session
 * (TokenSession), its sharing state (TokenSharingState, folded in: one object per token instead of two, and
 * one cache miss fewer per request), its claims and its address. Made by `newTokenSubject` only.
 */
export interface TokenSubject extends TokenSession, TokenSharingState {
  readonly tokenId: string;
  /** The token's episode in the token table (AccessEvent.tokenSerial). */
  readonly serial: number;
  /** The account's and device's claims as the token's last request named them (compared in place, made once). */
  accountId: string;
  claimedDevice: string;
  /** A hash of accountId (non-zero), for the address's count of accounts. */
  accountHash: number;
  /** The reader's (account and device) scraping state, resolved once when the token appears. */
  account: ReaderState | undefined;
  /**
   * The address of the token's last request (id and episode serial in the address table): a reader's next
   * request almost always comes from the same one, which is then found without hashing its key (-1: none).
   */
  ipId: number;
  ipSerial: number;
  /**
   * That address's facts, copied when it changes: a request from the same address reads them here, beside
   * the token, instead of in the address's own object elsewhere in memory.
   */
  ipText: string;
  network: string;
  networkHash: number;
  country: string;
  asn: number;
}

/**
 * A new token's record, from one object literal: every token shares its hidden class (fields always in this
 * order), and V8 tracks the literal's allocation site, so that once it sees nearly all of them survive it
 * allocates them in the old generation directly instead of copying each through the young one (an object made
 * by `new` of a class carries no allocation site).
 */
export function newTokenSubject(tokenId: string, serial: number, firstSeenMs: number): TokenSubject {
  return {
    // TokenSession (consumption.ts says what each is).
    title: undefined,
    titleSizeBefore: 0,
    agentClass: 0,
    pathHash: 0,
    parts: 0,
    seen0: 0,
    seen1: 0,
    seen2: 0,
    seenCount: 0,
    sessionFlags: 0,
    assetClass: CLASS_OTHER,
    assetBytes: 0,
    firstSecond: 0,
    lastMoveSecond: 0,
    lastSecond: 0,
    textParts: 0,
    pages: 0,
    audioParts: 0,
    videoParts: 0,
    textBytes: 0,
    audioBytes: 0,
    videoBytes: 0,
    tokenId,
    serial,
    accountId: '',
    claimedDevice: '',
    accountHash: 0,
    account: undefined,
    ipId: -1,
    ipSerial: 0,
    ipText: '',
    network: '',
    networkHash: 0,
    country: '',
    asn: 0,
    // TokenSharingState (token-places.ts says what each is).
    firstSeenMs,
    lastSeenMs: firstSeenMs,
    deviceHash: '',
    requests: 0,
    nextAccountCheck: 2,
    places: [],
    placeCount: 0,
    current: undefined,
    alternations: 0,
    lastAlternationMs: 0,
    forbidden: 0,
    forbiddenSinceMs: firstSeenMs,
    tokenFlags: 0,
  };
}

/**
 * One active client address: its geolocation (looked up once per episode); its scraping state lives in the
 * scraping detector's slabs at its id.
 */
export interface IpSubject {
  ip: string;
  network: string;
  networkHash: number;
  country: string;
  asn: number;
  id: number;
}

export class ReadAhead {
  /** Token-id hashes of the batch the scanner is about to hand over (0: no token). */
  readonly hashes = new Int32Array(LINE_BATCH);
  /** What readEdgeToken found for each previewed line (a TOKEN_ROW each). */
  readonly found = new Int32Array(LINE_BATCH * TOKEN_ROW);
  private readonly hasToken = new Uint8Array(LINE_BATCH);
  private readonly ids = new Int32Array(LINE_BATCH);
  private readonly subjects: (TokenSubject | undefined)[] = new Array(LINE_BATCH).fill(undefined);

  constructor(
    private readonly tokens: ByteSubjectTable<TokenSubject>,
    private readonly ips: ByteSubjectTable<IpSubject>,
    private readonly slabs: ScrapeSlabs,
  ) {}

  /** Reads line `index`'s edge token (kept for observeLine: the token is read once) and hashes its id. */
  preview(v: LogLineView, index: number): void {
    const found = this.found;
    const at = index * TOKEN_ROW;
    const hasToken = readEdgeToken(v, found, at);
    this.hashes[index] = hasToken ? keyHash(v.buf, found[at + KID_END]! + 1, found[at + TOKEN_END]!) : 0;
    this.hasToken[index] = hasToken ? 1 : 0;
  }

  /**
   * Touches, level by level, what the previewed batch's lines will read (the token's slot, record and
   * subject, then its sharing, address and account state, then what those point to). A slot that holds
   * another key just touches the wrong subject.
   */
  prefetch(count: number): void {
    const hashes = this.hashes;
    const subjects = this.subjects;
    const ids = this.ids;
    const tokens = this.tokens;
    let touched = 0;
    // The token's index slot, its record, the subject: each a level of its own, so that the batch's misses
    // at each level overlap instead of following one another line by line.
    for (let k = 0; k < count; k++) {
      ids[k] = this.hasToken[k] === 0 ? -1 : tokens.peekId(hashes[k]!);
      this.hasToken[k] = 0;
    }
    for (let k = 0; k < count; k++) if (ids[k]! >= 0) touched += tokens.touch(ids[k]!);
    for (let k = 0; k < count; k++) subjects[k] = ids[k]! >= 0 ? tokens.peekValue(ids[k]!) : undefined;
    const slabs = this.slabs;
    const counts = slabs.counts;
    // The token subject itself, at its start, middle and end: without pointer compression (Node's builds) each
    // field takes 8 bytes, and its 13 span two or three cache lines.
    for (let k = 0; k < count; k++) {
      const token = subjects[k];
      if (token !== undefined) touched += token.serial + token.ipId + token.asn;
    }
    // What it points to: its claims' strings, sharing state, address and account states, address record.
    for (let k = 0; k < count; k++) {
      const token = subjects[k];
      if (token === undefined) continue;
      touched += token.accountId.length + token.claimedDevice.length + token.requests + token.placeCount;
      touched += token.tokenFlags;
      touched += this.ips.touch(token.ipId);
      const ipId = token.ipId;
      if (ipId >= 0 && ipId < slabs.capacity) {
        // The record's minute (its times) and counters: all a request with a token changes there.
        touched += counts[slabs.countsAt(ipId) + N_THIS_MINUTE]!;
        touched += slabs.times[slabs.timesAt(ipId) + T_MINUTE_START]! > 0 ? 1 : 0;
      }
      const account = token.account;
      if (account !== undefined) touched += account.requests;
      touched += token.pathHash + token.parts;
    }
    // One level further: the current place, the reader's state.
    for (let k = 0; k < count; k++) {
      const token = subjects[k];
      if (token === undefined) continue;
      const current = token.current;
      if (current !== undefined) touched += current.requests + (current.lastMs + current.firstMs > 0 ? 1 : 0);
      touched += token.lastSeenMs > 0 ? 1 : 0;
      const account = token.account;
      if (account !== undefined) {
        touched += account.lastSerial + account.lastAsn + account.lastSlot;
        touched += account.lastSeenMs > 0 ? 1 : 0;
      }
      subjects[k] = undefined;
    }
    this.tokens.touched ^= touched;
  }
}
