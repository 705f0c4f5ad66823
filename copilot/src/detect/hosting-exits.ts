/**
 * The addresses of hosting networks a reader comes through, kept as a few numbers. A VPN client holds one
 * tunnel, so its reader sits behind one exit for a session; switching servers or reconnecting shows a second,
 * and a flaky tunnel may flap between the two. A proxy pool or a scraper's fleet of servers turns through
 * several addresses of a hosting network within minutes, often side by side. Only the latter says something
 * about the reader (a tool spreading its requests); one exit says only that the reader uses a VPN.
 */

/** Distinct hosting addresses in turn within ROTATION_WINDOW from which a reader rotates through a pool. */
export const ROTATION_EXITS = 3;
/** Seconds: a pool turns within minutes; a reader switching VPN servers does so rarely. */
export const ROTATION_WINDOW = 600;

export interface HostingExits {
  /** Whether the reader's latest network is a hosting network. */
  on: boolean;
  /** Requests from hosting networks' addresses. */
  requests: number;
  /** The address-table slots of the last two hosting addresses (-1: none yet): a move back to either is no turn. */
  exit: number;
  exitBefore: number;
  /** When the current window began (seconds), and the hosting addresses new to the reader counted in it. */
  exitsSince: number;
  /** Kept once it reaches ROTATION_EXITS: a reader seen rotating stays so while it is remembered. */
  exitsNew: number;
}

/** A reader's first request from a hosting network (made then: most readers never come through one). */
export function newHostingExits(): HostingExits {
  return { on: true, requests: 0, exit: -1, exitBefore: -1, exitsSince: 0, exitsNew: 0 };
}

/** A request from a hosting network's address (its slot in the address table) at `second`. */
export function observeHostingExit(s: HostingExits, slot: number, second: number): void {
  s.requests++;
  if (slot === s.exit || slot === s.exitBefore) return;
  s.exitBefore = s.exit;
  s.exit = slot;
  if (s.exitsNew >= ROTATION_EXITS) return;
  if (second - s.exitsSince >= ROTATION_WINDOW) {
    s.exitsSince = second;
    s.exitsNew = 0;
  }
  s.exitsNew++;
}

/** Whether the reader turned through a pool of hosting addresses rather than sitting behind one exit. */
export function rotatesExits(s: HostingExits | undefined): boolean {
  return s !== undefined && s.exitsNew >= ROTATION_EXITS;
}
