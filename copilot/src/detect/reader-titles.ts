/**
 * The titles a reader has open, each counted once however many grants open it. A grant lasts an hour or so,
 * and a reading app renews it as often as its reader keeps reading: a listener whose machine reads a novel
 * aloud for an evening holds a dozen grants of one title, and the app may fetch the chapters it already has
 * again on each (its cache, the first chapters ahead). A scraper takes a grant per title and each title once.
 * So the parts a new grant fetches up to where the reader's own reading of that title had already got are
 * content the reader already has: no time taken beyond a person's pace, and no title taken (or taken deep)
 * a second time.
 */
import type { TitleStats } from './titles.ts';

/** One title of the reader's: how far its furthest grant got, which grant that is, and what was counted. */
export interface ReaderTitle {
  readonly title: TitleStats;
  /** Distinct parts the furthest grant of this title has taken, and that grant's episode serial. */
  reach: number;
  leader: number;
  taken: boolean;
  deep: boolean;
}

/** Titles remembered per reader: one at a time with a few looked back at, and a series read in a row. */
const RECENT_TITLES = 6;

/**
 * The reader's entry for `title` (found, or made in place of the oldest), or undefined for no title (a token
 * without a scope, or the title book's shared overflow entry).
 */
export function readerTitle(
  holder: { titles: ReaderTitle[] },
  title: TitleStats | undefined,
): ReaderTitle | undefined {
  if (title === undefined || title.scope.length === 0) return undefined;
  const titles = holder.titles;
  for (let i = titles.length - 1; i >= 0; i--) {
    const t = titles[i]!;
    if (t.title !== title) continue;
    // Most recently opened last, so that the oldest is the one replaced.
    for (let j = i; j < titles.length - 1; j++) titles[j] = titles[j + 1]!;
    titles[titles.length - 1] = t;
    return t;
  }
  const t: ReaderTitle = { title, reach: 0, leader: -1, taken: false, deep: false };
  if (titles.length >= RECENT_TITLES) {
    for (let j = 0; j < titles.length - 1; j++) titles[j] = titles[j + 1]!;
    titles[titles.length - 1] = t;
  } else {
    // Exact size (concat, not push): a first push reserves 17 slots, and readers are many.
    holder.titles = titles.length === 0 ? [t] : titles.concat(t);
  }
  return t;
}

/**
 * Grant `serial` of the title is at `parts` distinct parts after a move: whether the move fetched again what
 * another grant of the reader's had already taken (a renewal catching up, an app's cache refilled). The
 * furthest grant leads; a grant overtaking it leads from then on.
 */
export function fetchedAgain(t: ReaderTitle, serial: number, parts: number): boolean {
  if (serial !== t.leader && parts <= t.reach) return true;
  if (parts > t.reach) {
    t.reach = parts;
    t.leader = serial;
  }
  return false;
}
