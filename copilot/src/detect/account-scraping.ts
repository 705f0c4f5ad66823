/**
 * Scraping judged per account and device. Scrapers hold a real account and take a fresh token per title, exactly as
 * the access API hands them out, so per token they look like readers; per account they read more titles in
 * minutes than anyone reads in a day, or keep walking title after title for hours without a pause. Once an
 * account is flagged, each address it uses is reported once, because mitigation acts per address.
 */
import { titleOf } from './asset-path.ts';
import type { DetectorConfig } from './config.ts';
import { type AccessEvent, type Detection, isoTime, ownString, saturatingScore } from './types.ts';

export interface AccountScrapeState {
  firstSeenMs: number;
  lastSeenMs: number;
  minuteStartMs: number;
  thisMinute: number;
  /**
   * Titles with their last request time, for "titles in the last 10 minutes". Most accounts read one title:
   * the Map (and streakTitles) are made when a second one appears. Until then the only title is `lastTitle`
   * (at `lastTitleMs`), and the streak holds it exactly when streakCount is 1.
   */
  recentTitles: Map<string, number> | undefined;
  /** The sizes of recentTitles and streakTitles: judged on every request, changed rarely. */
  recentCount: number;
  streakCount: number;
  /** An unbroken stretch of activity (no pause over `streakPauseMs`) and the titles read in it. */
  streakStartMs: number;
  streakTitles: Set<string> | undefined;
  lastTitle: string;
  /** Time of the last request in `lastTitle`; written to `recentTitles` only when the title changes or is counted. */
  lastTitleMs: number;
  flagged: string[];
  /** Addresses of a flagged account and when each was first seen; each is reported once. Created on flagging. */
  addresses: Map<string, number> | undefined;
  reportedIps: Set<string> | undefined;
}

const MAX_TITLES = 64;
const MAX_ADDRESSES = 256;
/** Shared by every account not flagged, so an unflagged account allocates no list. */
const NOT_FLAGGED: string[] = [];

export function newAccountScrapeState(t: number): AccountScrapeState {
  return {
    firstSeenMs: t,
    lastSeenMs: t,
    minuteStartMs: t,
    thisMinute: 0,
    recentTitles: undefined,
    recentCount: 0,
    streakCount: 0,
    streakStartMs: t,
    streakTitles: undefined,
    lastTitle: '',
    lastTitleMs: 0,
    flagged: NOT_FLAGGED,
    addresses: undefined,
    reportedIps: undefined,
  };
}

const TITLES = '/titles/';

/** The request's asset lies in `title` (`/titles/<title>/...`), read from the path's bytes in place. */
function inTitle(title: string, e: AccessEvent): boolean {
  const bytes = e.stemBytes;
  const start = e.stemStart;
  const length = title.length;
  if (e.stemEnd - start <= 8 + length) return false;
  for (let i = 0; i < 8; i++) if (bytes[start + i] !== TITLES.charCodeAt(i)) return false;
  for (let i = 0; i < length; i++) {
    const c = title.charCodeAt(i);
    // A title that is not ASCII (never seen in real paths) is compared as text.
    if (c >= 0x80) return e.uriStem.startsWith(title, 8) && e.uriStem.charCodeAt(8 + length) === 47;
    if (bytes[start + 8 + i] !== c) return false;
  }
  return bytes[start + 8 + length] === 47;
}

export class AccountScrapingDetector {
  constructor(private readonly config: DetectorConfig) {}

  observe(e: AccessEvent, s: AccountScrapeState, out: Detection[]): void {
    const t = e.timestampMs;
    const c = this.config;
    if (t - s.lastSeenMs > c.streakPauseMs) {
      s.streakStartMs = t;
      if (s.streakCount > 0) s.streakTitles?.clear();
      s.streakCount = 0;
    }
    s.lastSeenMs = t;
    if (t - s.minuteStartMs >= 60_000) {
      s.minuteStartMs = t;
      s.thisMinute = 0;
    }
    s.thisMinute++;
    // Most requests stay in the title of the previous one: check the prefix before slicing anything.
    const sameTitle = s.lastTitle.length > 0 && inTitle(s.lastTitle, e);
    if (sameTitle) {
      // One Map write per title change instead of one per request; recentTitleCount() flushes it.
      s.lastTitleMs = t;
    } else {
      const title = titleOf(e.uriStem);
      if (title.length > 0) this.openTitle(s, title, t);
    }
    if (s.flagged.length === 0 && this.nearThreshold(s)) s.flagged = this.reasons(s, t);
    if (s.flagged.length === 0) return;
    s.addresses ??= new Map();
    s.reportedIps ??= new Set();
    if (s.reportedIps.has(e.ip)) return;
    const firstMs = s.addresses.get(e.ip);
    if (firstMs === undefined && s.addresses.size < MAX_ADDRESSES) s.addresses.set(e.ip, t);
    // An address is reported from its first request in a later second: log times are whole seconds.
    if (firstMs === undefined || t <= firstMs) return;
    s.reportedIps.add(e.ip);
    out.push({
      kind: 'scraping',
      subject: { accountId: e.accountId, ip: e.ip },
      firstSeen: isoTime(s.firstSeenMs),
      detectedAt: isoTime(t),
      score: saturatingScore(s.flagged.length - 1 + s.streakCount / 10, 0.75),
      evidence: {
        reasons: s.flagged,
        requestsThisMinute: s.thisMinute,
        titlesLast10Minutes: this.recentTitleCount(s, t),
        titlesInStreak: s.streakCount,
        streakMinutes: Math.round((t - s.streakStartMs) / 60_000),
        addressesReported: s.reportedIps.size,
      },
      mitigation: 'suspend_account_tokens',
    });
  }

  /** A request in `title`, other than the last title by the path's bytes. */
  private openTitle(s: AccountScrapeState, title: string, t: number): void {
    if (s.recentTitles === undefined) {
      // One title so far (or none): kept in lastTitle alone while it stays the only one.
      if (s.lastTitle.length === 0) {
        s.lastTitle = ownString(title);
        s.lastTitleMs = t;
        s.recentCount = 1;
        s.streakCount = 1;
        return;
      }
      if (title === s.lastTitle) {
        s.lastTitleMs = t;
        return;
      }
      // A second title: the Map and Set as they would hold the first one.
      s.recentTitles = new Map([[s.lastTitle, s.lastTitleMs]]);
      s.streakTitles = s.streakCount === 1 ? new Set([s.lastTitle]) : new Set();
    }
    const recent = s.recentTitles;
    if (s.lastTitle.length > 0) recent.set(s.lastTitle, s.lastTitleMs);
    s.lastTitle = ownString(title);
    s.lastTitleMs = t;
    if (!recent.has(title)) this.addTitle(s, recent, s.lastTitle, t);
    else recent.set(s.lastTitle, t);
    s.recentCount = recent.size;
  }

  private addTitle(s: AccountScrapeState, recent: Map<string, number>, title: string, t: number): void {
    recent.set(title, t);
    if (recent.size > MAX_TITLES) recent.delete(recent.keys().next().value!);
    const streak = s.streakTitles!;
    if (streak.size < MAX_TITLES) streak.add(title);
    s.recentCount = recent.size;
    s.streakCount = streak.size;
  }

  private recentTitleCount(s: AccountScrapeState, t: number): number {
    const recent = s.recentTitles;
    if (recent === undefined) {
      return s.lastTitle.length > 0 && t - s.lastTitleMs <= this.config.titleWindowMs ? 1 : 0;
    }
    // The last title is always in the map (only a newly added title evicts, and it becomes the last one).
    if (s.lastTitle.length > 0) recent.set(s.lastTitle, s.lastTitleMs);
    s.recentCount = recent.size;
    let n = 0;
    for (const last of recent.values()) if (t - last <= this.config.titleWindowMs) n++;
    return n;
  }

  private nearThreshold(s: AccountScrapeState): boolean {
    const c = this.config;
    return (
      s.thisMinute >= c.scrapeRatePerMinute ||
      s.recentCount >= c.titlesPerWindow ||
      s.streakCount >= c.streakTitles
    );
  }

  private reasons(s: AccountScrapeState, t: number): string[] {
    const c = this.config;
    const reasons: string[] = [];
    if (s.thisMinute >= c.scrapeRatePerMinute) reasons.push('request_rate');
    if (s.recentCount >= c.titlesPerWindow && this.recentTitleCount(s, t) >= c.titlesPerWindow) {
      reasons.push('title_hopping');
    }
    if (s.streakCount >= c.streakTitles && t - s.streakStartMs >= c.streakMinMs) {
      reasons.push('low_and_slow_title_walk');
    }
    return reasons;
  }
}
