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

/**
 * A reader's recent titles, most recently opened last, kept flat (one array per reader, no object per title:
 * readers are many): per title its stats, the episode serial of its furthest grant (the leader), and its marks,
 * the distinct parts that grant has taken times four, plus two if the title was counted as taken and one if as
 * taken deep.
 */
export type ReaderTitles = (TitleStats | number)[];

const STRIDE = 3;
const TAKEN = 2;
const DEEP = 1;

/** Titles remembered per reader: one at a time with a few looked back at, and a series read in a row. */
const RECENT_TITLES = 6;

/**
 * The reader's entry for `title` (found, or made in place of the oldest), as its index in `holder.titles`, or
 * -1 for no title (a token without a scope, or the title book's shared overflow entry). The entry is the last
 * one until the next call (openTitle). The call may replace `holder.titles`: read it after the call.
 */
export function readerTitle(holder: { titles: ReaderTitles }, title: TitleStats | undefined): number {
  if (title === undefined || title.scope.length === 0) return -1;
  const titles = holder.titles;
  for (let i = titles.length - STRIDE; i >= 0; i -= STRIDE) {
    if (titles[i] !== title) continue;
    const leader = titles[i + 1]!;
    const marks = titles[i + 2]!;
    titles.copyWithin(i, i + STRIDE);
    titles[titles.length - 3] = title;
    titles[titles.length - 2] = leader;
    titles[titles.length - 1] = marks;
    return titles.length - STRIDE;
  }
  if (titles.length >= RECENT_TITLES * STRIDE) {
    titles.copyWithin(0, STRIDE);
    titles[titles.length - 3] = title;
    titles[titles.length - 2] = -1;
    titles[titles.length - 1] = 0;
  } else {
    // Exact size (concat, not push): a first push reserves 17 slots, and readers are many.
    holder.titles = titles.length === 0 ? [title, -1, 0] : titles.concat(title, -1, 0);
  }
  return holder.titles.length - STRIDE;
}

/** The index of `title` when it is the reader's title now open (the last one readerTitle found), or -1. */
export function openTitle(titles: ReaderTitles, title: TitleStats | undefined): number {
  const at = titles.length - STRIDE;
  return at >= 0 && title !== undefined && titles[at] === title ? at : -1;
}

function marksOf(titles: ReaderTitles, at: number): number {
  return titles[at + 2] as number;
}

/**
 * Grant `serial` of the title at `at` is at `parts` distinct parts after a move: whether the move fetched again
 * what another grant of the reader's had already taken (a renewal catching up, an app's cache refilled). The
 * furthest grant leads; a grant overtaking it leads from then on.
 */
export function fetchedAgain(titles: ReaderTitles, at: number, serial: number, parts: number): boolean {
  const marks = marksOf(titles, at);
  const reach = marks >> 2;
  if (serial !== titles[at + 1] && parts <= reach) return true;
  if (parts > reach) {
    titles[at + 1] = serial;
    titles[at + 2] = (parts << 2) | (marks & 3);
  }
  return false;
}

/** Marks the title at `at` as taken (whole enough to count): whether it was not yet. */
export function takenFirst(titles: ReaderTitles, at: number): boolean {
  return markFirst(titles, at, TAKEN);
}

/** Marks the title at `at` as taken deep: whether it was not yet. */
export function deepFirst(titles: ReaderTitles, at: number): boolean {
  return markFirst(titles, at, DEEP);
}

function markFirst(titles: ReaderTitles, at: number, mark: number): boolean {
  const marks = marksOf(titles, at);
  if ((marks & mark) !== 0) return false;
  titles[at + 2] = marks | mark;
  return true;
}
