/**
 * Scraping judged per client address. Volume is never evidence on its own here, because a campus or carrier
 * NAT puts thousands of readers behind one address: an address is judged only on signs of automation its own
 * requests carry (robotic regularity, enumeration of numbered assets, cache-busting query strings, probing for
 * titles without a grant). Verified search-engine crawlers on public pages are skipped. Volume per account and
 * device is judged in account-scraping.ts.
 */
import type { DetectorConfig } from './config.ts';
import { assetStepIn, STEP_NEXT_CONTAINER, STEP_NONE } from './asset-path.ts';
import { isVerifiedCrawler } from './crawlers.ts';
import { STEM_BYTES, ScrapeSlabs } from './scrape-slabs.ts';
import { type AccessEvent, type Detection, isoTime, saturatingScore } from './types.ts';

export interface ScrapeState {
  firstSeenMs: number;
  lastSeenMs: number;
  requests: number;
  /** The address's id: its last asset path and gap ring live in the detector's slabs at this slot. */
  slot: number;
  /**
   * Length of the last asset path (UTF-8 bytes, compared in place: no string per request), kept in the slab;
   * a path longer than a slab slot holds (never seen in real logs) is kept in `longStem`.
   */
  stemLength: number;
  longStem: Uint8Array | undefined;
  lastGapMs: number;
  /** Requests in the current and the previous minute, for a sliding per-minute rate. */
  minuteStartMs: number;
  thisMinute: number;
  lastMinute: number;
  /** Inter-arrival gaps: a ring in the slab with running sums for the coefficient of variation. */
  gapCount: number;
  gapSum: number;
  gapSquares: number;
  fastRun: number;
  containerSteps: number;
  windowStartMs: number;
  busters: number;
  /** Refusals for missing or out-of-scope tokens: probing for content the subject holds no grant for. */
  probes: number;
  tokens: number;
  lastTokenId: string;
  fired: boolean;
}

/** `slot`: the address's id in the address table (see ScrapeSlabs). */
export function newScrapeState(t: number, slot: number): ScrapeState {
  return {
    firstSeenMs: t,
    lastSeenMs: t,
    requests: 0,
    slot,
    stemLength: 0,
    longStem: undefined,
    lastGapMs: t,
    minuteStartMs: t,
    thisMinute: 0,
    lastMinute: 0,
    gapCount: 0,
    gapSum: 0,
    gapSquares: 0,
    fastRun: 0,
    containerSteps: 0,
    windowStartMs: t,
    busters: 0,
    probes: 0,
    tokens: 0,
    lastTokenId: '',
    fired: false,
  };
}

/** Where the state's last asset path starts in `stems` (its slab slot, or 0 in its long copy). */
function stemAt(s: ScrapeState): number {
  return s.longStem === undefined ? s.slot * STEM_BYTES : 0;
}

/** The last asset path stems[at, at + length) equals bytes[start, end). */
function sameStem(
  stems: Uint8Array,
  at: number,
  length: number,
  bytes: Uint8Array,
  start: number,
  end: number,
): boolean {
  if (end - start !== length) return false;
  for (let i = 0; i < length; i++) if (stems[at + i] !== bytes[start + i]) return false;
  return true;
}

export class ScrapingDetector {
  readonly slabs: ScrapeSlabs;

  constructor(private readonly config: DetectorConfig) {
    this.slabs = new ScrapeSlabs(config.roboticGaps);
  }

  /** A new address's state in slot `slot` (its id in the address table). */
  newState(t: number, slot: number): ScrapeState {
    this.slabs.ensure(slot);
    return newScrapeState(t, slot);
  }

  /** Every request, judged per client address on signs of automation only. */
  observeIp(e: AccessEvent, s: ScrapeState, out: Detection[]): void {
    if (isVerifiedCrawler(e)) return;
    this.update(s, e);
    // Only "one token or several" matters, so stop copying token ids once there are two.
    if (s.tokens < 2 && e.tokenId !== s.lastTokenId) {
      s.tokens++;
      s.lastTokenId = e.tokenId;
    }
    if (s.fired || s.requests < this.config.roboticGaps || !this.mayBeAutomated(s)) return;
    const reasons = this.automationReasons(s);
    if (reasons.length === 0) return;
    s.fired = true;
    // A single token behind the address names the scraper more precisely than the address does.
    const subject =
      s.tokens === 1 && e.tokenId ? { ip: e.ip, tokenId: e.tokenId, accountId: e.accountId } : { ip: e.ip };
    out.push(this.detection(s, e, reasons, subject));
  }

  private update(s: ScrapeState, e: AccessEvent): void {
    const t = e.timestampMs;
    const c = this.config;
    const stem = e.stemBytes;
    const stemStart = e.stemStart;
    const stemEnd = e.stemEnd;
    const stems = s.longStem ?? this.slabs.stems;
    const at = stemAt(s);
    const moved = !sameStem(stems, at, s.stemLength, stem, stemStart, stemEnd);
    // Range requests for one audio track arrive like clockwork by design; only moves to a new asset count.
    if (s.requests > 0 && moved) this.addGap(s, t - s.lastGapMs);
    if (t - s.minuteStartMs >= 60_000) {
      s.lastMinute = t - s.minuteStartMs >= 120_000 ? 0 : s.thisMinute;
      s.thisMinute = 0;
      s.minuteStartMs = t;
    }
    s.thisMinute++;
    const step =
      s.requests > 0 && moved ? assetStepIn(stems, at, s.stemLength, stem, stemStart, stemEnd) : STEP_NONE;
    if (step === STEP_NONE) {
      s.fastRun = 0;
      s.containerSteps = 0;
    } else {
      s.fastRun = t - s.lastSeenMs <= c.sequentialMaxGapMs ? s.fastRun + 1 : 0;
      if (step === STEP_NEXT_CONTAINER) s.containerSteps++;
    }
    s.requests++;
    s.lastSeenMs = t;
    if (moved) {
      s.lastGapMs = t;
      const length = stemEnd - stemStart;
      if (length > STEM_BYTES) {
        if (s.longStem === undefined || length > s.longStem.length) s.longStem = new Uint8Array(length + 16);
      } else {
        s.longStem = undefined;
      }
      const kept = s.longStem ?? this.slabs.stems;
      const to = stemAt(s);
      for (let i = 0; i < length; i++) kept[to + i] = stem[stemStart + i]!;
      s.stemLength = length;
    }
    if (t - s.windowStartMs >= c.scrapeBreadthWindowMs) {
      s.windowStartMs = t;
      s.busters = 0;
      s.probes = 0;
    }
    if (e.extraParams && e.edgeResultType !== 'Hit') s.busters++;
    if (e.refusal === 'missing_token' || e.refusal === 'out_of_scope') s.probes++;
  }

  private addGap(s: ScrapeState, gapMs: number): void {
    const size = this.config.roboticGaps;
    const gaps = this.slabs.gaps;
    const slot = s.slot * size + (s.gapCount % size);
    if (s.gapCount >= size) {
      const old = gaps[slot]!;
      s.gapSum -= old;
      s.gapSquares -= old * old;
    }
    gaps[slot] = gapMs;
    s.gapSum += gapMs;
    s.gapSquares += gapMs * gapMs;
    s.gapCount++;
  }

  /** Coefficient of variation of the last gaps, or Infinity until there are enough of them. */
  private gapCv(s: ScrapeState): { cv: number; meanMs: number } {
    const n = this.config.roboticGaps;
    if (s.gapCount < n) return { cv: Number.POSITIVE_INFINITY, meanMs: 0 };
    const mean = s.gapSum / n;
    const variance = Math.max(0, s.gapSquares / n - mean * mean);
    return { cv: mean > 0 ? Math.sqrt(variance) / mean : Number.POSITIVE_INFINITY, meanMs: mean };
  }

  /** A cheap test before the full one: most addresses show no sign at all. */
  private mayBeAutomated(s: ScrapeState): boolean {
    const c = this.config;
    return (
      s.gapCount >= c.roboticGaps ||
      s.fastRun >= c.sequentialRun ||
      s.containerSteps >= c.crossTitleSteps ||
      s.busters >= c.cacheBusters ||
      s.probes >= c.probes
    );
  }

  private automationReasons(s: ScrapeState): string[] {
    const c = this.config;
    const reasons: string[] = [];
    const { cv, meanMs } = this.gapCv(s);
    // Log timestamps have one-second resolution: below a mean gap of ~2 s regularity cannot be told apart.
    if (cv <= c.roboticMaxCv && meanMs >= 2_000) reasons.push('robotic_regularity');
    if (s.fastRun >= c.sequentialRun) reasons.push('sequential_enumeration');
    if (s.containerSteps >= c.crossTitleSteps) reasons.push('title_enumeration');
    if (s.busters >= c.cacheBusters) reasons.push('cache_busting');
    if (s.probes >= c.probes) reasons.push('probing_without_grant');
    return reasons;
  }

  private detection(
    s: ScrapeState,
    e: AccessEvent,
    reasons: string[],
    subject: Detection['subject'],
  ): Detection {
    const { cv, meanMs } = this.gapCv(s);
    return {
      kind: 'scraping',
      subject,
      firstSeen: isoTime(s.firstSeenMs),
      detectedAt: isoTime(e.timestampMs),
      score: saturatingScore(reasons.length - 1 + s.fastRun / 50, 0.7),
      evidence: {
        reasons,
        requests: s.requests,
        requestsThisMinute: s.thisMinute,
        gapCv: Number.isFinite(cv) ? Math.round(cv * 1000) / 1000 : null,
        meanGapSeconds: Math.round(meanMs) / 1000,
        sequentialRun: s.fastRun,
        titleSteps: s.containerSteps,
        cacheBusters: s.busters,
        probes: s.probes,
        lastAsset: e.uriStem,
      },
      mitigation: subject.tokenId ? 'revoke_token' : 'rate_limit_ip',
    };
  }
}
