/**
 * Scraping judged per client address. Volume is never evidence on its own here, because a campus or carrier
 * NAT puts thousands of readers behind one address: an address is judged only on signs of automation its own
 * requests carry (robotic regularity, enumeration of numbered assets, cache-busting query strings, probing for
 * titles without a grant). Verified search-engine crawlers on public pages are skipped. Volume per account and
 * device is judged in account-scraping.ts.
 */
import type { DetectorConfig } from './config.ts';
import { assetStepAfter, commonPrefixIn, STEP_NEXT_CONTAINER, STEP_NONE } from './asset-path.ts';
import { isVerifiedCrawler } from './crawlers.ts';
import {
  N_BUSTERS,
  N_CONTAINER_STEPS,
  N_FAST_RUN,
  N_FIRED,
  N_GAP_COUNT,
  N_LAST_MINUTE,
  N_LONG_STEM,
  N_PROBES,
  N_REQUESTS,
  N_STEM_LENGTH,
  N_THIS_MINUTE,
  N_TOKEN_SERIAL,
  N_TOKENS,
  STEM_BYTES,
  ScrapeSlabs,
  T_FIRST_SEEN,
  T_GAP_SQUARES,
  T_GAP_SUM,
  T_LAST_GAP,
  T_LAST_SEEN,
  T_MINUTE_START,
  T_WINDOW_START,
} from './scrape-slabs.ts';
import { type AccessEvent, type Detection, isoTime, saturatingScore } from './types.ts';

/**
 * Addresses are named by their slot: the address's id in the address table, where its state lives in the
 * detector's slabs (see ScrapeSlabs).
 */
export class ScrapingDetector {
  readonly slabs: ScrapeSlabs;

  constructor(private readonly config: DetectorConfig) {
    this.slabs = new ScrapeSlabs(config.roboticGaps);
  }

  /** A new address in slot `slot` (its id in the address table), first seen at t. */
  start(slot: number, t: number): void {
    this.slabs.start(slot, t);
  }

  /** Requests of the address in `slot` in the current minute. */
  thisMinute(slot: number): number {
    return this.slabs.counts[this.slabs.countsAt(slot) + N_THIS_MINUTE]!;
  }

  /** Every request, judged per client address on signs of automation only. */
  observeIp(e: AccessEvent, slot: number, out: Detection[]): void {
    if (isVerifiedCrawler(e)) return;
    this.update(slot, e);
    const slabs = this.slabs;
    const counts = slabs.counts;
    const n = slabs.countsAt(slot);
    // Only "one token or several" matters, so stop copying token ids once there are two. The same episode of
    // the same token is told by its serial alone; the id (another page of memory) is read when that changes.
    if (counts[n + N_TOKENS]! < 2 && e.tokenSerial !== counts[n + N_TOKEN_SERIAL]) {
      if (e.tokenId !== slabs.lastTokenIds[slot]) {
        counts[n + N_TOKENS]!++;
        slabs.lastTokenIds[slot] = e.tokenId;
      }
      counts[n + N_TOKEN_SERIAL] = e.tokenSerial;
    }
    if (counts[n + N_FIRED] !== 0 || counts[n + N_REQUESTS]! < this.config.roboticGaps) return;
    if (!this.mayBeAutomated(n)) return;
    const reasons = this.automationReasons(slot);
    if (reasons.length === 0) return;
    counts[n + N_FIRED] = 1;
    // A single token behind the address names the scraper more precisely than the address does.
    const subject =
      counts[n + N_TOKENS] === 1 && e.tokenId
        ? { ip: e.ip, tokenId: e.tokenId, accountId: e.accountId }
        : { ip: e.ip };
    out.push(this.detection(slot, e, reasons, subject));
  }

  private update(slot: number, e: AccessEvent): void {
    const t = e.timestampMs;
    const c = this.config;
    const slabs = this.slabs;
    const times = slabs.times;
    const counts = slabs.counts;
    const d = slabs.timesAt(slot);
    const n = slabs.countsAt(slot);
    const stem = e.stemBytes;
    const stemStart = e.stemStart;
    const stemEnd = e.stemEnd;
    const long = counts[n + N_LONG_STEM] !== 0;
    const stems = long ? slabs.longStems.get(slot)! : slabs.bytes;
    const at = long ? 0 : slabs.stemAt(slot);
    const stemLength = counts[n + N_STEM_LENGTH]!;
    const requests = counts[n + N_REQUESTS]!;
    // The paths' common prefix, found once: it says whether the asset moved, where the step's number is, and
    // which bytes of the kept path change.
    const prefix = commonPrefixIn(stems, at, stemLength, stem, stemStart, stemEnd);
    const moved = prefix !== stemLength || stemLength !== stemEnd - stemStart;
    // Range requests for one audio track arrive like clockwork by design; only moves to a new asset count.
    if (requests > 0 && moved) this.addGap(slot, t - times[d + T_LAST_GAP]!);
    const minuteStart = times[d + T_MINUTE_START]!;
    if (t - minuteStart >= 60_000) {
      counts[n + N_LAST_MINUTE] = t - minuteStart >= 120_000 ? 0 : counts[n + N_THIS_MINUTE]!;
      counts[n + N_THIS_MINUTE] = 0;
      times[d + T_MINUTE_START] = t;
    }
    counts[n + N_THIS_MINUTE]!++;
    const step =
      requests > 0 && moved
        ? assetStepAfter(stems, at, stemLength, stem, stemStart, stemEnd, prefix)
        : STEP_NONE;
    if (step === STEP_NONE) {
      counts[n + N_FAST_RUN] = 0;
      counts[n + N_CONTAINER_STEPS] = 0;
    } else {
      counts[n + N_FAST_RUN] =
        t - times[d + T_LAST_SEEN]! <= c.sequentialMaxGapMs ? counts[n + N_FAST_RUN]! + 1 : 0;
      if (step === STEP_NEXT_CONTAINER) counts[n + N_CONTAINER_STEPS]!++;
    }
    counts[n + N_REQUESTS] = requests + 1;
    times[d + T_LAST_SEEN] = t;
    if (moved) {
      times[d + T_LAST_GAP] = t;
      const length = stemEnd - stemStart;
      let kept: Uint8Array = slabs.bytes;
      let to = slabs.stemAt(slot);
      // A path kept in the record, replaced by one that fits there: only the bytes after the common prefix.
      let from = long ? 0 : prefix;
      if (length > STEM_BYTES) {
        from = 0;
        let copy = long ? stems : undefined;
        if (copy === undefined || length > copy.length) {
          copy = new Uint8Array(length + 16);
          slabs.longStems.set(slot, copy);
        }
        counts[n + N_LONG_STEM] = 1;
        kept = copy;
        to = 0;
      } else if (long) {
        slabs.longStems.delete(slot);
        counts[n + N_LONG_STEM] = 0;
      }
      for (let i = from; i < length; i++) kept[to + i] = stem[stemStart + i]!;
      counts[n + N_STEM_LENGTH] = length;
    }
    if (t - times[d + T_WINDOW_START]! >= c.scrapeBreadthWindowMs) {
      times[d + T_WINDOW_START] = t;
      counts[n + N_BUSTERS] = 0;
      counts[n + N_PROBES] = 0;
    }
    if (e.extraParams && e.edgeResultType !== 'Hit') counts[n + N_BUSTERS]!++;
    if (e.refusal === 'missing_token' || e.refusal === 'out_of_scope') counts[n + N_PROBES]!++;
  }

  private addGap(slot: number, gapMs: number): void {
    const size = this.config.roboticGaps;
    const slabs = this.slabs;
    const times = slabs.times;
    const d = slabs.timesAt(slot);
    const n = slabs.countsAt(slot);
    const gapCount = slabs.counts[n + N_GAP_COUNT]!;
    const at = slabs.gapsAt(slot) + (gapCount % size);
    if (gapCount >= size) {
      const old = times[at]!;
      times[d + T_GAP_SUM]! -= old;
      times[d + T_GAP_SQUARES]! -= old * old;
    }
    times[at] = gapMs;
    times[d + T_GAP_SUM]! += gapMs;
    times[d + T_GAP_SQUARES]! += gapMs * gapMs;
    slabs.counts[n + N_GAP_COUNT] = gapCount + 1;
  }

  /** Coefficient of variation of the last gaps, or Infinity until there are enough of them. */
  private gapCv(slot: number): { cv: number; meanMs: number } {
    const n = this.config.roboticGaps;
    if (this.slabs.counts[this.slabs.countsAt(slot) + N_GAP_COUNT]! < n)
      return { cv: Number.POSITIVE_INFINITY, meanMs: 0 };
    const d = this.slabs.timesAt(slot);
    const mean = this.slabs.times[d + T_GAP_SUM]! / n;
    const variance = Math.max(0, this.slabs.times[d + T_GAP_SQUARES]! / n - mean * mean);
    return { cv: mean > 0 ? Math.sqrt(variance) / mean : Number.POSITIVE_INFINITY, meanMs: mean };
  }

  /** A cheap test before the full one: most addresses show no sign at all. */
  private mayBeAutomated(n: number): boolean {
    const c = this.config;
    const counts = this.slabs.counts;
    return (
      counts[n + N_GAP_COUNT]! >= c.roboticGaps ||
      counts[n + N_FAST_RUN]! >= c.sequentialRun ||
      counts[n + N_CONTAINER_STEPS]! >= c.crossTitleSteps ||
      counts[n + N_BUSTERS]! >= c.cacheBusters ||
      counts[n + N_PROBES]! >= c.probes
    );
  }

  private automationReasons(slot: number): string[] {
    const c = this.config;
    const reasons: string[] = [];
    const { cv, meanMs } = this.gapCv(slot);
    const counts = this.slabs.counts;
    const n = this.slabs.countsAt(slot);
    // Log timestamps have one-second resolution: below a mean gap of ~2 s regularity cannot be told apart.
    if (cv <= c.roboticMaxCv && meanMs >= 2_000) reasons.push('robotic_regularity');
    if (counts[n + N_FAST_RUN]! >= c.sequentialRun) reasons.push('sequential_enumeration');
    if (counts[n + N_CONTAINER_STEPS]! >= c.crossTitleSteps) reasons.push('title_enumeration');
    if (counts[n + N_BUSTERS]! >= c.cacheBusters) reasons.push('cache_busting');
    if (counts[n + N_PROBES]! >= c.probes) reasons.push('probing_without_grant');
    return reasons;
  }

  private detection(
    slot: number,
    e: AccessEvent,
    reasons: string[],
    subject: Detection['subject'],
  ): Detection {
    const { cv, meanMs } = this.gapCv(slot);
    const counts = this.slabs.counts;
    const n = this.slabs.countsAt(slot);
    return {
      kind: 'scraping',
      subject,
      firstSeen: isoTime(this.slabs.times[this.slabs.timesAt(slot) + T_FIRST_SEEN]!),
      detectedAt: isoTime(e.timestampMs),
      score: saturatingScore(reasons.length - 1 + counts[n + N_FAST_RUN]! / 50, 0.7),
      evidence: {
        reasons,
        requests: counts[n + N_REQUESTS],
        requestsThisMinute: counts[n + N_THIS_MINUTE],
        gapCv: Number.isFinite(cv) ? Math.round(cv * 1000) / 1000 : null,
        meanGapSeconds: Math.round(meanMs) / 1000,
        sequentialRun: counts[n + N_FAST_RUN],
        titleSteps: counts[n + N_CONTAINER_STEPS],
        cacheBusters: counts[n + N_BUSTERS],
        probes: counts[n + N_PROBES],
        lastAsset: e.uriStem,
      },
      mitigation: subject.tokenId ? 'revoke_token' : 'rate_limit_ip',
    };
  }
}
