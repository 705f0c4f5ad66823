/**
 * What a reader consumes, request by request: each token is one title session (one grant, one scope, one
 * device); a move to another asset closes the previous one, whose human time (what a typical member of the
 * cohort spends on that much text, those pages, that much audio) is added to the reader's consumption. When
 * the session is over, its pace teaches the cohort. Everything here is integers on the token, updated in
 * place on the hot path.
 */
import { fnv1aBytes } from './byte-subject-table.ts';
import { type CohortPace, sessionClass } from './cohort.ts';
import {
  CLASS_AUDIO,
  CLASS_IMAGE,
  CLASS_TEXT,
  CLASS_VIDEO,
  contentTypeClass,
  extensionClass,
} from './content.ts';
import { type TitleStats, typicalParts } from './titles.ts';
import type { AccessEvent } from './types.ts';

const ASSET_NEW = 1;
const TAKEN = 2;
const DEEP = 4;
const ENDED = 8;
const PLAYER = 16;

/**
 * Per-token consumption: the title session's progress. Times are whole seconds of event time. Its fields live
 * in the engine's token record (read-ahead.ts, `newTokenSubject`), made by one object literal: one hidden class
 * for every token, and an allocation site V8 can pretenure (tokens live for their session, so a token made in
 * the young generation was copied by every scavenge until promoted).
 */
export interface TokenSession {
  title: TitleStats | undefined;
  /** The title's size as others had shown it when this session began (0: nobody yet). */
  titleSizeBefore: number;
  /** The token's user agent class (automation.ts), read once per token. */
  agentClass: number;
  pathHash: number;
  /**
   * Distinct assets taken: moves to an asset the session has not had yet (a 72-bit set of asset hashes in
   * three 24-bit words, cleared when three quarters full), so a crowd sharing one token or a reader paging
   * back and forth is not counted as taking more.
   */
  parts: number;
  seen0: number;
  seen1: number;
  seen2: number;
  seenCount: number;
  /**
   * Bits of one field (tokens are many): ASSET_NEW, the open asset is new to the session (only new assets count
   * as consumption); TAKEN and DEEP, the session has been counted as taking its title, and as taking far more
   * than its cohort does; ENDED, the session has taught the cohort (once: a reader switching back to it
   * resumes it, uncounted); PLAYER, the session opened as a player does (bufferedOpening).
   */
  sessionFlags: number;
  assetClass: number;
  /** Bytes of the current asset so far (ranges add up), capped at 2^30. */
  assetBytes: number;
  firstSecond: number;
  /** When the session last moved to another asset, and its last request. */
  lastMoveSecond: number;
  lastSecond: number;
  /** Closed parts by class, and bytes of closed text, audio and video parts (capped at 2^30 each). */
  textParts: number;
  pages: number;
  audioParts: number;
  videoParts: number;
  textBytes: number;
  audioBytes: number;
  videoBytes: number;
}

function flag(s: TokenSession, bit: number): boolean {
  return (s.sessionFlags & bit) !== 0;
}

function setFlag(s: TokenSession, bit: number, value: boolean): void {
  s.sessionFlags = value ? s.sessionFlags | bit : s.sessionFlags & ~bit;
}

/** The first parts of a session (manifest, cover, a first chapter) are a look at the title, not consumption. */
const PEEK_PARTS = 3;
/**
 * A player's opening buffer (bufferedOpening): a few chapters ahead fetched within seconds, then a pause of at
 * least a minute (a chapter read aloud takes several) before the next.
 */
const OPENING_PARTS = 12;
const OPENING_SECONDS = 10;
const BUFFER_PAUSE = 60;
/** A session takes its title with half of its parts (at least three), or ten when nobody has shown its size. */
const TAKEN_SHARE = 0.5;
const TAKEN_UNKNOWN_SIZE = 10;
/**
 * A deep take: at least ten parts and twice what the title's typical session takes (a novel read in one
 * sitting by a reader who usually reads a few chapters), or fifteen parts of a title nobody else has read yet.
 */
const DEEP_PARTS = 10;
const DEEP_FACTOR = 2;
const DEEP_UNKNOWN = 15;
const CAP = 0x40000000;

/** FNV-1a over the asset path's bytes: a move is a different path from the token's last one. */
export function pathHashOf(e: AccessEvent): number {
  return fnv1aBytes(e.stemBytes, e.stemStart, e.stemEnd) | 1;
}

/** The asset's class from its extension, or from the logged content type when the path has none. */
function assetClassOf(e: AccessEvent): number {
  const cls = extensionClass(e.stemBytes, e.stemStart, e.stemEnd);
  return cls !== undefined ? cls : contentTypeClass(e.record.contentType);
}

/** What one move tells the reader: the human seconds the closed asset is worth, and whether the title was just taken. */
export interface MoveResult {
  humanSeconds: number;
  takenNow: boolean;
  deepNow: boolean;
}

const move: MoveResult = { humanSeconds: 0, takenNow: false, deepNow: false };

/**
 * A request of the token for another asset than its last one: closes the last asset (its amount and human
 * time) and opens this one. Returns a shared result object.
 */
export function moveTo(
  s: TokenSession,
  e: AccessEvent,
  hash: number,
  second: number,
  bytes: number,
  cohort: CohortPace,
  singlePlace: boolean,
): MoveResult {
  move.humanSeconds = 0;
  move.takenNow = false;
  move.deepNow = false;
  if (s.parts > 0) {
    const human = flag(s, ASSET_NEW) ? closeAsset(s, cohort) : 0;
    if (s.parts >= PEEK_PARTS) move.humanSeconds = human;
  } else {
    s.firstSecond = second;
  }
  s.pathHash = hash;
  s.lastMoveSecond = second;
  s.assetBytes = bytes;
  s.assetClass = assetClassOf(e);
  const assetNew = markSeen(s, hash);
  setFlag(s, ASSET_NEW, assetNew);
  if (!assetNew) return move;
  s.parts++;
  const title = s.title;
  if (title !== undefined) {
    // A crowd on one token takes parts in no single order: only one or two places teach the title's size.
    if (singlePlace && s.parts > title.size) title.size = s.parts;
    if (!flag(s, TAKEN)) {
      const known = s.titleSizeBefore >= PEEK_PARTS;
      if (
        known
          ? s.parts >= Math.max(PEEK_PARTS, TAKEN_SHARE * s.titleSizeBefore)
          : s.parts >= TAKEN_UNKNOWN_SIZE
      ) {
        setFlag(s, TAKEN, true);
        move.takenNow = true;
      }
    }
    if (!flag(s, DEEP) && s.parts >= DEEP_PARTS) {
      const typical = typicalParts(title);
      if (typical > 0 ? s.parts >= DEEP_FACTOR * typical : s.parts >= DEEP_UNKNOWN) {
        setFlag(s, DEEP, true);
        move.deepNow = true;
      }
    }
  }
  return move;
}

/** Marks the asset's hash in the session's set; false when it was there already. */
function markSeen(s: TokenSession, hash: number): boolean {
  const bit = (hash >>> 8) % 72;
  const mask = 1 << (bit % 24);
  const word = bit < 24 ? s.seen0 : bit < 48 ? s.seen1 : s.seen2;
  if ((word & mask) !== 0) return false;
  if (s.seenCount >= 54) {
    s.seen0 = 0;
    s.seen1 = 0;
    s.seen2 = 0;
    s.seenCount = 0;
  }
  if (bit < 24) s.seen0 |= mask;
  else if (bit < 48) s.seen1 |= mask;
  else s.seen2 |= mask;
  s.seenCount++;
  return true;
}

/** Adds the current asset to the session's amounts; returns its human seconds by the cohort's pace. */
function closeAsset(s: TokenSession, cohort: CohortPace): number {
  const bytes = s.assetBytes;
  switch (s.assetClass) {
    case CLASS_TEXT:
      s.textParts++;
      s.textBytes = Math.min(CAP, s.textBytes + bytes);
      return cohort.humanSeconds(CLASS_TEXT, bytes);
    case CLASS_IMAGE:
      s.pages++;
      return cohort.humanSeconds(CLASS_IMAGE, 1);
    case CLASS_AUDIO:
      s.audioParts++;
      s.audioBytes = Math.min(CAP, s.audioBytes + bytes);
      return cohort.humanSeconds(CLASS_AUDIO, bytes);
    case CLASS_VIDEO:
      s.videoParts++;
      s.videoBytes = Math.min(CAP, s.videoBytes + bytes);
      return cohort.humanSeconds(CLASS_VIDEO, bytes);
    default:
      return 0;
  }
}

/** The human seconds of the session's closed parts by the cohort's pace: what a person spends on them. */
export function sessionHumanSeconds(s: TokenSession, cohort: CohortPace): number {
  return (
    cohort.humanSeconds(CLASS_TEXT, s.textBytes) +
    cohort.humanSeconds(CLASS_IMAGE, s.pages) +
    cohort.humanSeconds(CLASS_AUDIO, s.audioBytes) +
    cohort.humanSeconds(CLASS_VIDEO, s.videoBytes)
  );
}

/**
 * A player's opening buffer: the parts a session fetched at once when it opened (at most OPENING_PARTS, within
 * OPENING_SECONDS of its first), followed by a pause of at least BUFFER_PAUSE before its next part, as a speech
 * app fetches the first chapters of a book and then one as each is read aloud. Asked at the move after the pause
 * (`gap` since the session's last move, before the move), when the session's closed parts are its buffer; true
 * once a session at most, and the session is marked as a player's from then on (openedAsPlayer).
 */
export function bufferedOpening(s: TokenSession, gap: number): boolean {
  const buffered =
    s.parts > PEEK_PARTS &&
    s.parts <= OPENING_PARTS &&
    s.lastMoveSecond - s.firstSecond <= OPENING_SECONDS &&
    gap >= BUFFER_PAUSE;
  if (buffered) setFlag(s, PLAYER, true);
  return buffered;
}

/** Whether the session opened as a player does: a buffer, then a pause (bufferedOpening). */
export function openedAsPlayer(s: TokenSession): boolean {
  return flag(s, PLAYER);
}

/** Bytes of another request for the same asset (a range, a retry). */
export function sameAsset(s: TokenSession, bytes: number): void {
  s.assetBytes = Math.min(CAP, s.assetBytes + bytes);
}

/**
 * A session is over (its reader moved on to another token): its pace, the amount of its main class (the
 * asset still open included) over the span from its first to its last request, teaches the cohort.
 */
export function endSession(s: TokenSession, cohort: CohortPace): void {
  if (s.parts === 0 || flag(s, ENDED)) return;
  setFlag(s, ENDED, true);
  if (!flag(s, ASSET_NEW)) return;
  const title = s.title;
  if (title !== undefined) {
    title.closed++;
    title.closedParts += s.parts;
  }
  closeAsset(s, cohort);
  const cls = sessionClass(s.textParts, s.pages, s.audioParts, s.videoParts);
  const parts =
    cls === CLASS_TEXT
      ? s.textParts
      : cls === CLASS_IMAGE
        ? s.pages
        : cls === CLASS_AUDIO
          ? s.audioParts
          : s.videoParts;
  const amount =
    cls === CLASS_TEXT
      ? s.textBytes
      : cls === CLASS_IMAGE
        ? s.pages
        : cls === CLASS_AUDIO
          ? s.audioBytes
          : s.videoBytes;
  // The log shows when the last part was fetched, not when it was finished: n parts span n - 1 of them.
  // Streamed media are fetched as they play, so their span is their time.
  const span = s.lastSecond - s.firstSecond;
  if (cls === CLASS_AUDIO || cls === CLASS_VIDEO) cohort.observeSession(cls, amount, span);
  else if (parts >= MIN_SAMPLE_PARTS) cohort.observeSession(cls, amount, (span * parts) / (parts - 1));
}

/** Sessions with fewer parts of their class than this say little about pace (a look, a check). */
const MIN_SAMPLE_PARTS = 5;
