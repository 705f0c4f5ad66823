/**
 * Titles as the traffic shows them. A token opens one path prefix (its scope, DESIGN §4.1): that prefix is
 * the natural unit of content, a title, whatever the catalog's naming. A title's size is learned as the most
 * distinct parts any one reader has taken of it, and the catalog's size as the number of titles seen, so
 * coverage ("the whole title", "a tenth of the catalog") needs no catalog listing.
 */
import { hashPath } from './asset-path.ts';

export interface TitleStats {
  readonly scope: string;
  /** The scope as a nonzero 32-bit key (geo spikes tally titles by it); 0 for the overflow entry. */
  readonly key: number;
  /** Most parts one token session has taken of this title (sessions from one or two places only). */
  size: number;
  /** Token sessions seen, and the parts of those that are over (what a typical session takes of it). */
  sessions: number;
  closed: number;
  closedParts: number;
}

/** Beyond this many titles, new scopes share one entry: forged tokens must not grow memory without bound. */
const MAX_TITLES = 200_000;

export class TitleBook {
  private readonly titles = new Map<string, TitleStats>();
  private readonly overflow: TitleStats = {
    scope: '',
    key: 0,
    size: 0,
    sessions: 0,
    closed: 0,
    closedParts: 0,
  };

  /** The title a scope opens (found or made), counted as one more session. */
  session(scope: string): TitleStats {
    let title = this.titles.get(scope);
    if (title === undefined) {
      if (this.titles.size >= MAX_TITLES) return this.overflow;
      title = { scope, key: hashPath(scope) | 0 || 1, size: 0, sessions: 0, closed: 0, closedParts: 0 };
      this.titles.set(scope, title);
    }
    title.sessions++;
    return title;
  }

  /** Titles seen so far: the catalog as far as readers have shown it. */
  get catalogSize(): number {
    return this.titles.size;
  }
}

/** Sessions of a title that must be over before its typical session is known. */
const KNOWN_AFTER = 3;

/** Parts a typical session of the title takes (its cohort), or 0 while too few sessions are over. */
export function typicalParts(title: TitleStats): number {
  return title.closed >= KNOWN_AFTER ? title.closedParts / title.closed : 0;
}
