/**
 * Scraping judged per client address, for traffic without an edge token (public pages, probes for content
 * without a grant): only an address can be named there. Volume is never evidence on its own, because a campus
 * or carrier NAT puts thousands of people behind one address; a report needs a sign of automation (a tool's
 * user agent, a hosting network, clockwork regularity, cache busting, numbered paths walked in a run) and a
 * second family (breadth of pages, pace, probing). Requests that carry a token are judged per reader
 * (reader-scraping.ts); here they only count towards the address's minute and its accounts.
 */
import { assetStepAfter, commonPrefixIn, hashPath, STEP_NEXT_CONTAINER, STEP_NONE } from './asset-path.ts';
import {
  AGENT_TOOL,
  AGENT_UNKNOWN,
  agentClassOf,
  isHostingNetwork,
  isVerifiedCrawler,
} from './automation.ts';
import type { DetectorConfig } from './config.ts';
import { type Evidence, evidenceSummary, reportable, scrapingDetection, stepped } from './evidence.ts';
import {
  N_ACCOUNT,
  N_ACCOUNTS,
  N_AGENT,
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
  STEM_BYTES,
  ScrapeSlabs,
  T_FIRST_SEEN,
  T_GAP_SQUARES,
  T_GAP_SUM,
  T_LAST_GAP,
  T_LAST_SEEN,
  T_MINUTE_START,
  T_PAGE_ZEROS,
  T_WINDOW_START,
} from './scrape-slabs.ts';
import type { AccessEvent, Detection } from './types.ts';

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

  /** Whether only one account has used the address in slot so far. */
  oneAccount(slot: number): boolean {
    return (
      slot >= 0 &&
      slot < this.slabs.capacity &&
      this.slabs.counts[this.slabs.countsAt(slot) + N_ACCOUNTS] === 1
    );
  }

  /** A request with a token: the address's minute and its accounts (`accountHash` non-zero). */
  observeTokened(e: AccessEvent, slot: number, accountHash: number): void {
    const slabs = this.slabs;
    const counts = slabs.counts;
    const n = slabs.countsAt(slot);
    this.countMinute(slot, e.timestampMs);
    const accounts = counts[n + N_ACCOUNTS]!;
    if (accounts === 0) {
      counts[n + N_ACCOUNT] = accountHash;
      counts[n + N_ACCOUNTS] = 1;
    } else if (accounts === 1 && counts[n + N_ACCOUNT] !== accountHash) {
      counts[n + N_ACCOUNTS] = 2;
    }
  }

  /** A request without a token, judged per address on signs of automation. */
  observeTokenless(e: AccessEvent, slot: number, out: Detection[]): void {
    this.countMinute(slot, e.timestampMs);
    if (isVerifiedCrawler(e)) return;
    this.update(slot, e);
    const counts = this.slabs.counts;
    const n = this.slabs.countsAt(slot);
    if (counts[n + N_AGENT] === AGENT_UNKNOWN) counts[n + N_AGENT] = agentClassOf(e.record.userAgent) + 8;
    if (counts[n + N_FIRED] !== 0 || counts[n + N_REQUESTS]! < 20) return;
    if ((counts[n + N_REQUESTS]! & 7) !== 0 && counts[n + N_PROBES]! < 10) return;
    const evidence = this.evidence(slot, e);
    // Without an automation sign, many requests from one address are many people behind one NAT.
    if (evidence[0]!.strength < 0.35 || !reportable(evidence)) return;
    counts[n + N_FIRED] = 1;
    const summary = evidenceSummary(evidence);
    const firstSeenMs = this.slabs.times[this.slabs.timesAt(slot) + T_FIRST_SEEN]!;
    out.push(
      scrapingDetection({ ip: e.ip }, firstSeenMs, e.timestampMs, summary, ['scraping'], {
        requests: counts[n + N_REQUESTS],
        lastAsset: e.uriStem,
      }),
    );
  }

  private countMinute(slot: number, t: number): void {
    const slabs = this.slabs;
    const times = slabs.times;
    const counts = slabs.counts;
    const d = slabs.timesAt(slot);
    const n = slabs.countsAt(slot);
    const minuteStart = times[d + T_MINUTE_START]!;
    if (t - minuteStart >= 60_000) {
      counts[n + N_LAST_MINUTE] = t - minuteStart >= 120_000 ? 0 : counts[n + N_THIS_MINUTE]!;
      counts[n + N_THIS_MINUTE] = 0;
      times[d + T_MINUTE_START] = t;
    }
    counts[n + N_THIS_MINUTE]!++;
  }

  private evidence(slot: number, e: AccessEvent): Evidence[] {
    const c = this.config;
    const slabs = this.slabs;
    const counts = slabs.counts;
    const times = slabs.times;
    const n = slabs.countsAt(slot);
    const d = slabs.timesAt(slot);
    const { cv, meanMs } = this.gapCv(slot);
    const tool = counts[n + N_AGENT] === AGENT_TOOL + 8;
    const hosting = isHostingNetwork(e.asn);
    const robotic = cv <= c.roboticMaxCv && meanMs >= 2_000;
    const runs =
      counts[n + N_FAST_RUN]! >= c.sequentialRun || counts[n + N_CONTAINER_STEPS]! >= c.crossTitleSteps;
    const busting = counts[n + N_BUSTERS]! >= c.cacheBusters;
    const automation = Math.min(
      0.9,
      Math.max(tool ? 0.6 : 0, hosting ? 0.35 : 0, robotic ? 0.6 : 0, runs ? 0.7 : 0, busting ? 0.6 : 0) +
        0.1 * (Number(tool) + Number(hosting) + Number(robotic) + Number(runs) + Number(busting) - 1),
    );
    const zeros = times[d + T_PAGE_ZEROS]!;
    const pages = zeros <= 0 ? 1500 : Math.round(-256 * Math.log(zeros / 256));
    const minutes = Math.max(1, (times[d + T_LAST_SEEN]! - times[d + T_FIRST_SEEN]!) / 60_000);
    const perMinute = counts[n + N_REQUESTS]! / minutes;
    return [
      {
        family: 'automation',
        strength: Math.max(0, automation),
        signals: [
          ...(tool ? ['an HTTP tool user agent'] : []),
          ...(hosting ? ['a hosting network'] : []),
          ...(robotic ? [`gaps regular to CV ${cv.toFixed(2)}`] : []),
          ...(runs ? ['numbered paths walked in a run'] : []),
          ...(busting ? [`${counts[n + N_BUSTERS]} cache-busting requests`] : []),
        ],
      },
      {
        family: 'coverage',
        strength: stepped(pages, [
          [60, 0.5],
          [150, 0.75],
          [400, 0.9],
        ]),
        signals: [`${pages} distinct pages`],
      },
      {
        family: 'pace',
        strength:
          minutes >= 5
            ? stepped(perMinute, [
                [20, 0.4],
                [60, 0.6],
              ])
            : 0,
        signals: [`${perMinute.toFixed(1)} requests a minute over ${Math.round(minutes)} min`],
      },
      {
        family: 'probing',
        strength: stepped(counts[n + N_PROBES]!, [
          [c.probes, 0.6],
          [3 * c.probes, 0.8],
        ]),
        signals: [`${counts[n + N_PROBES]} requests for content without a grant`],
      },
    ];
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
    // The paths' common prefix, found once: whether the asset moved, where the step's number is, which bytes change.
    const prefix = commonPrefixIn(stems, at, stemLength, stem, stemStart, stemEnd);
    const moved = prefix !== stemLength || stemLength !== stemEnd - stemStart;
    if (requests > 0 && moved) this.addGap(slot, t - times[d + T_LAST_GAP]!);
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
      this.addPage(slot, e);
      const length = stemEnd - stemStart;
      let kept: Uint8Array = slabs.bytes;
      let to = slabs.stemAt(slot);
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

  /** Linear counting of distinct pages in 256 bits. */
  private addPage(slot: number, e: AccessEvent): void {
    const bit = hashPath(e.uriStem) & 255;
    const at = this.slabs.pagesAt(slot) + (bit >>> 5);
    const mask = 1 << (bit & 31);
    const counts = this.slabs.counts;
    if ((counts[at]! & mask) !== 0) return;
    counts[at]! |= mask;
    this.slabs.times[this.slabs.timesAt(slot) + T_PAGE_ZEROS]!--;
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
}
