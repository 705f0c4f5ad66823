/**
 * Scraping judged per reader (an account on one device), as what the reader takes and how: the pace of
 * consumption against what the cohort's readers get through (content class by content class), the titles
 * taken whole, and the share of the catalog that adds up to; walking titles in catalog order, guessing
 * parts that do not exist; the fingerprints of automation; one identity pulling content through many
 * networks; activity without a person's breaks. Each family is weighed on its own scale and reported only
 * when two agree or one is conclusive (evidence.ts). "Four titles in an hour" is nobody's evidence here.
 */
import { assetStep } from './asset-path.ts';
import { AGENT_CRAWLER, AGENT_TOOL, isHostingNetwork } from './automation.ts';
import type { CohortPace } from './cohort.ts';
import type { DetectorConfig } from './config.ts';
import {
  bufferedOpening,
  endSession,
  moveTo,
  openedAsPlayer,
  pathHashOf,
  sameAsset,
  sessionHumanSeconds,
  type TokenSession,
} from './consumption.ts';
import { newHostingExits, observeHostingExit } from './hosting-exits.ts';
import { corroboration, type Evidence, evidenceSummary, reportable, scrapingDetection } from './evidence.ts';
import {
  addHumanTime,
  observeClockwork,
  observeDeepTake,
  observeGap,
  networkChanged,
  observeParallel,
  recentToken,
  observeSlot,
  type ReaderState,
  rollBuckets,
  usesTool,
} from './reader-state.ts';
import { ASCENDING_STEPS, AWAKE_HOURS, readerEvidence } from './reader-evidence.ts';
import { deepFirst, fetchedAgain, openTitle, readerTitle, takenFirst } from './reader-titles.ts';
import type { TitleBook } from './titles.ts';
import { type AccessEvent, type Detection, isoTime, ownString } from './types.ts';

/** Addresses of one reported reader named in findings of their own. */
const MAX_ADDRESSES = 16;
/** Scores at which a reported reader is reported again (the policies' bars); none beyond the last. */
const ESCALATION_BARS = [0.9, 0.95] as const;
const ESCALATED = 0.95;

/**
 * Below the lowest bar at which a policy acts on scraping: a finding that would not be reported without the
 * day-long view (deep takes spread over the day, a day without sleep), or without counting titles opened
 * to half (breadth: with pace, one observation of "many titles, fast", which is what an organisation's
 * admin checking a collection looks like), is a finding for a person to look at, never an action by itself.
 * Acting needs two families that agree without them, one of them unlike reading (READING below): pace with a
 * fingerprint (automation, enumeration, proxies), never pace with titles taken whole alone.
 */
const OBSERVED_ONLY = 0.89;

/**
 * A glimpse: one family established (ESTABLISHED) with another pointing the same way (AGREEING, below
 * corroboration), one of the two a fingerprint no reader's app leaves (FINGERPRINTS), before two families
 * agree. Pace with coverage alone is what a device syncing a shelf shows for its first minutes, so it waits
 * for the finding proper. Reported once, by account, for a person to look at: no policy acts on it (one family
 * is no corroboration; two below the report score meet no bar), and the finding proper (judge) comes as before.
 */
const ESTABLISHED = 0.7;
const AGREEING = 0.3;
const FINGERPRINTS: ReadonlySet<string> = new Set(['automation', 'enumeration']);
/**
 * A fingerprint a step below established (0.6: gaps kept like a timer's, five titles one up from the last) with
 * pace agreeing: content taken faster than people get through it, by something keeping a clock or a listing.
 * A script paced like a person is glimpsed within minutes, instead of after the hour and a half its pace
 * needs to count as kept up. Not with coverage: an audiobook's parts of one length keep a clock too, and a
 * listener finishes titles.
 */
const FINGERPRINT_ESTABLISHED = 0.6;

/**
 * Churn at the same step (0.6: six changes of country within ten minutes, each to a network new to the reader) with
 * pace agreeing: one identity taking content faster than people read, through a pool of addresses (a proxy
 * network), glimpsed before its pace counts as corroboration. Only with pace: a sharing ring's members read
 * whole titles from their homes (churn with coverage), and a crowd on a leaked grant takes nothing fast.
 */
function churnWithPace(evidence: readonly Evidence[]): boolean {
  let churn = 0;
  let pace = 0;
  for (const e of evidence) {
    if (e.family === 'churn') churn = e.strength;
    else if (e.family === 'pace') pace = e.strength;
  }
  return churn >= FINGERPRINT_ESTABLISHED && pace >= AGREEING;
}

/** Whether the evidence is a glimpse (see ESTABLISHED, FINGERPRINT_ESTABLISHED and churnWithPace). */
export function glimpsed(evidence: readonly Evidence[]): boolean {
  if (churnWithPace(evidence)) return true;
  for (const a of evidence) {
    const fingerprint = FINGERPRINTS.has(a.family);
    if (a.strength < (fingerprint ? FINGERPRINT_ESTABLISHED : ESTABLISHED)) continue;
    const paceOnly = a.strength < ESTABLISHED;
    for (const b of evidence) {
      if (b === a || b.strength < AGREEING || (paceOnly && b.family !== 'pace')) continue;
      if (fingerprint || FINGERPRINTS.has(b.family)) return true;
    }
  }
  return false;
}

/**
 * What a person reading does: fast (pace) and whole (coverage of what they read). A text-to-speech reader
 * fetching whole books ahead, or a heavy comic reader, shows both for hours. Acting needs, besides, evidence
 * a person does not produce: an order (enumeration), a fingerprint (automation), many addresses (churn), or
 * no rest (tireless) beside more than a player left running takes (unlikeReading).
 */
const READING: ReadonlySet<string> = new Set(['pace', 'coverage']);

/**
 * Whether a family beyond reading fast and whole points the same way (see READING), if only as context. A
 * hosting network's addresses count here only when the reader turns through several of them (a proxy pool, a
 * fleet: hosting-exits.ts); one exit is what a VPN reader shows, however fast and whole it reads, so the
 * evidence this is asked of leaves it out (readerEvidence's `oneExit`).
 */
export function unlikeReading(evidence: readonly Evidence[]): boolean {
  let tireless = false;
  let established = false;
  for (const e of evidence) {
    if (e.strength < AGREEING) continue;
    if (e.family === 'tireless') tireless = true;
    else if (!READING.has(e.family)) return true;
    else if (e.strength >= ESTABLISHED) established = true;
  }
  // No rest is unlike a person, but not unlike a player left running: a device reading aloud, or an audiobook
  // played on, through the night and the next day fetches part after part around the clock, a little faster
  // than the cohort reads in its bursts of fetching ahead, and takes a few titles. With only reading beside it,
  // no rest counts once what ran without rest took more than a player does: a pace kept up for an hour and a
  // half beyond three times the cohort's, or coverage established (forty titles taken deep, or 15 % of the
  // catalog seen so far).
  return tireless && established;
}

/**
 * What scraping is: content taken. Pace, coverage and enumeration say what a reader took and how; automation
 * and churn say only how it connects. One grant read through dozens of networks by a tool, with nothing taken
 * beyond a reader's pace yet, is what a leaked token shows (many people behind one grant): token sharing's
 * observation, which that detector reports. A scraping finding, a glimpse too, needs one family of taking
 * pointing the same way (AGREEING). A scraper pulling the catalog through proxies shows its pace within
 * seconds; one reading slowly through them is named as sharing at once, as scraping once its pace or its
 * order shows.
 */
const TAKING: ReadonlySet<string> = new Set(['pace', 'coverage', 'enumeration']);

/**
 * Whole titles read through many networks, at a reader's pace, by readers' apps, in no order: what a sharing
 * ring's members show on their one account, each reading whole titles at home. Token sharing's observation
 * (that detector reports it); scraping once the pace, an order or a tool's fingerprint shows.
 */
const READ_BY_MANY: ReadonlySet<string> = new Set(['coverage', 'churn', 'tireless']);

export function taking(evidence: readonly Evidence[]): boolean {
  let taken = false;
  let many = false;
  let beyondReading = false;
  for (const e of evidence) {
    if (e.strength < AGREEING) continue;
    if (TAKING.has(e.family)) taken = true;
    if (e.family === 'churn') many = true;
    else if (!READ_BY_MANY.has(e.family)) beyondReading = true;
  }
  return taken && (!many || beyondReading);
}

/** What the reader is doing: scraping, and sharing too when it reads through many networks (churn). */
function behavioursOf(evidence: readonly Evidence[]): string[] {
  const churn = evidence.find((x) => x.family === 'churn')!.strength;
  return churn >= 0.5 ? ['scraping', 'token_sharing'] : ['scraping'];
}

/** Whether the grant's agent is an HTTP tool's or a crawler's: no reading app. */
function toolAgent(token: ReaderToken): boolean {
  return token.agentClass === AGENT_TOOL || token.agentClass === AGENT_CRAWLER;
}

/** What the detector needs of the request's token besides its consumption. */
export interface ReaderToken extends TokenSession {
  readonly tokenId: string;
  readonly serial: number;
  /** The token's places (token sharing): a title's size is learned only from one or two places. */
  readonly placeCount: number;
}

export class ReaderScrapingDetector {
  constructor(
    private readonly config: DetectorConfig,
    private readonly cohort: CohortPace,
    private readonly titles: TitleBook,
    /** Whether the address (its slot and episode in the address table) has served only one account so far. */
    private readonly exclusiveAddress: (slot: number, serial: number) => boolean,
  ) {}

  private summarize(
    s: ReaderState,
    second: number,
    evidence: readonly Evidence[],
  ): ReturnType<typeof evidenceSummary> {
    const summary = evidenceSummary(evidence);
    if (summary.score <= OBSERVED_ONLY || summary.corroboration < 2) return summary;
    // What may be acted on: two families agreeing without the day-long view and without breadth.
    const acting = readerEvidence(this.config, this.titles, s, second, true);
    if (!reportable(acting) || corroboration(acting) < 2 || !unlikeReading(acting))
      summary.score = OBSERVED_ONLY;
    return summary;
  }

  /** One request carrying a token of this reader. */
  observe(e: AccessEvent, token: ReaderToken, s: ReaderState, out: Detection[]): void {
    const t = e.timestampMs;
    const second = Math.floor(t / 1000);
    s.lastSeenMs = t;
    s.requests++;
    if (s.requests === 1) {
      s.accountId = e.ownedStrings ? e.accountId : ownString(e.accountId);
      s.firstIp = e.ip;
      s.firstIpSlot = e.ipSlot;
      s.firstIpSerial = e.ipSerial;
    } else if (s.oneAddress && e.ip !== s.firstIp) {
      s.oneAddress = false;
    }
    observeSlot(s, second);
    if (e.asn !== s.lastAsn) {
      networkChanged(s, e.asn, e.country, second);
      const hosting = isHostingNetwork(e.asn);
      if (hosting) s.exits ??= newHostingExits();
      if (s.exits !== undefined) s.exits.on = hosting;
    }
    if (s.exits?.on === true) observeHostingExit(s.exits, e.ipSlot, second);
    if (s.report !== undefined && e.ip !== s.lastReportedIp) this.reportAddress(e, s, out);
    if (token.serial !== s.lastSerial) this.switchTitle(s, token);
    token.lastSecond = second;
    if (e.status === 404) s.misses++;
    else if (e.refusal === 'out_of_scope') s.outOfScope++;
    if (e.extraParams && e.edgeResultType !== 'Hit') s.busters++;
    const bytes = e.record.bytes;
    const hash = pathHashOf(e);
    if (hash === token.pathHash) {
      sameAsset(token, bytes);
      return;
    }
    const titleGap = token.parts > 0 ? second - token.lastMoveSecond : 0;
    if (token.parts > 0) {
      observeGap(s, titleGap);
      observeClockwork(s, this.config.roboticGaps, this.config.roboticMaxCv);
    }
    rollBuckets(s, second);
    const buffered = bufferedOpening(token, titleGap);
    const moved = moveTo(token, e, hash, second, bytes, this.cohort, token.placeCount <= 2);
    // What another grant of the reader's had already taken of this title is not taken again (reader-titles.ts).
    const title = openTitle(s.titles, token.title);
    const again = title >= 0 && fetchedAgain(s.titles, title, token.serial, token.parts);
    // Every move is on the reader's clock; titles side by side each have a person's pace (addHumanTime).
    // A player's opening buffer, once the pause after it shows it (bufferedOpening): what it fetched ahead is given
    // back, to be read on the title's own clock from here. A scraper taking the title on never pauses.
    const owed = again ? 0 : moved.humanSeconds;
    const human = buffered && !again ? owed - sessionHumanSeconds(token, this.cohort) : owed;
    addHumanTime(s, human, second, titleGap);
    if (moved.takenNow && (title < 0 || takenFirst(s.titles, title))) {
      s.taken++;
      if (toolAgent(token)) s.toolTakes++;
    }
    // A title a player opened (a buffer, then a pause) and played on is listened to, however whole: its deep take
    // is marked for the title, so no later grant counts it either, but is not a take.
    if (moved.deepNow && (title < 0 || deepFirst(s.titles, title)) && !openedAsPlayer(token))
      observeDeepTake(s, second);
    if (s.report === undefined) {
      if (this.mayReport(s)) this.judge(e, token, s, out);
    } else if ((s.requests & 63) === 0 && s.report.score < ESCALATED) {
      this.escalate(e, s, out);
    }
  }

  private switchTitle(s: ReaderState, token: ReaderToken): void {
    // The previous title's session is over (or paused): its pace teaches the cohort.
    if (s.lastToken !== undefined && s.lastToken !== token) endSession(s.lastToken, this.cohort);
    s.lastToken = token;
    s.lastSerial = token.serial;
    readerTitle(s, token.title);
    // Back to a title still open (a token of the last few): a look back, not a step of any walk.
    const returning = recentToken(s, token.serial) >= 0;
    observeParallel(s, token.serial, token.lastSecond);
    s.tokens++;
    if (toolAgent(token) && !usesTool(s)) s.toolTakes = 0;
    const scope = token.title?.scope ?? '';
    if (scope.length === 0 || returning) return;
    if (s.lastScope.length > 0 && scope !== s.lastScope) {
      // Titles in catalog order: the scope's number one up from the last one's (t00041 -> t00042).
      s.steps = assetStep(s.lastScope, scope) === 'next' ? s.steps + 1 : 0;
      if (s.steps > s.stepsMax) s.stepsMax = s.steps;
      // Or each title's id above the last one's, with gaps (a catalog listing walked in its sorted order).
      s.ascending = scope > s.lastScope ? s.ascending + 1 : 0;
      if (s.ascending > s.ascendingMax) s.ascendingMax = s.ascending;
    }
    s.lastScope = scope;
  }

  /** A cheap look before weighing: most readers show no family near its first step. */
  private mayReport(s: ReaderState): boolean {
    return (
      s.debt >= 1800 ||
      s.taken + s.takenBefore >= 12 ||
      s.deep + s.deepBefore >= 6 ||
      s.deepHours + s.deepHoursBefore >= 4 ||
      s.parallelPeak >= 4 ||
      s.stepsMax >= 4 ||
      s.ascendingMax >= ASCENDING_STEPS ||
      s.misses >= 8 ||
      s.outOfScope >= 4 ||
      s.busters >= 8 ||
      s.churnPeak >= 10 ||
      s.runMax >= 40 ||
      s.clockPeak >= this.config.roboticGaps ||
      s.lastSeenMs - s.firstSeenMs >= AWAKE_HOURS[0]![0] * 3_600_000 ||
      (usesTool(s) && s.requests >= 20)
    );
  }

  /**
   * A reported reader's other addresses, each named once when the reader first uses it, so that the finding
   * follows the scraper across the addresses it spreads over: only addresses nobody else uses (never a NAT),
   * not through a proxy network (every request another address: the account names it), at most MAX_ADDRESSES.
   * Only while the finding may be acted on: an observed finding names its reader by account, and an address
   * nobody else has used *yet* may be a carrier's, soon shared by dozens of other readers.
   */
  private reportAddress(e: AccessEvent, s: ReaderState, out: Detection[]): void {
    s.lastReportedIp = e.ip;
    if (s.addresses === undefined || s.addresses.size >= MAX_ADDRESSES || s.churnPeak >= 12) return;
    if (s.report!.score <= OBSERVED_ONLY) return;
    if (s.addresses.has(e.ip) || !this.exclusiveAddress(e.ipSlot, e.ipSerial)) return;
    s.addresses.add(e.ip);
    const report = s.report!;
    out.push({
      ...report,
      subject: { accountId: s.accountId, ip: e.ip },
      detectedAt: isoTime(e.timestampMs),
      evidence: { ...report.evidence, addressesReported: s.addresses.size },
    });
  }

  /**
   * A reported reader whose evidence has grown: reported again (same subject) when the score crosses a
   * policy's bar or another family joins, so that the response can follow the evidence.
   */
  private escalate(e: AccessEvent, s: ReaderState, out: Detection[]): void {
    const before = s.report!;
    const second = Math.floor(e.timestampMs / 1000);
    const evidence = readerEvidence(this.config, this.titles, s, second);
    const summary = this.summarize(s, second, evidence);
    const crossed = ESCALATION_BARS.some((bar) => before.score < bar && summary.score >= bar);
    if (!crossed && summary.corroboration <= (before.evidence.corroboration as number)) return;
    // Observed until now: its address joins the subject once the finding may be acted on (see named).
    const subject =
      before.score <= OBSERVED_ONLY && summary.score > OBSERVED_ONLY
        ? this.named(s, before.subject)
        : before.subject;
    s.report = {
      ...before,
      subject,
      detectedAt: isoTime(e.timestampMs),
      score: summary.score,
      evidence: {
        ...before.evidence,
        ...summary,
        reasons: summary.families.map((f) => f.family),
        escalated: true,
      },
    };
    out.push(s.report);
  }

  private judge(e: AccessEvent, token: ReaderToken, s: ReaderState, out: Detection[]): void {
    const t = e.timestampMs;
    const second = Math.floor(t / 1000);
    const evidence = readerEvidence(this.config, this.titles, s, second);
    if (!taking(evidence)) return;
    if (!reportable(evidence)) {
      if (!s.glimpsed && glimpsed(evidence)) this.glimpse(e, token, s, evidence, out);
      return;
    }
    const summary = this.summarize(s, second, evidence);
    // One token (a collection-wide grant) names the abuser exactly; its address only once it may be acted on.
    const subject: Detection['subject'] = { accountId: s.accountId };
    if (s.tokens === 1) subject.tokenId = token.tokenId;
    s.addresses = new Set();
    s.lastReportedIp = e.ip;
    const named = summary.score > OBSERVED_ONLY ? this.named(s, subject) : subject;
    s.report = scrapingDetection(named, s.firstSeenMs, t, summary, behavioursOf(evidence), {
      requests: s.requests,
      tokens: s.tokens,
      addresses: s.oneAddress ? 1 : 'several',
    });
    out.push(s.report);
  }

  /**
   * The subject with the reader's one address when nobody else uses it, for a finding that may be acted on.
   * An observed finding names its reader by account (and its one grant) only, as reportAddress does: the
   * same reader found again after its state was forgotten, from another address, stays one subject.
   */
  private named(s: ReaderState, subject: Detection['subject']): Detection['subject'] {
    if (!s.oneAddress || !this.exclusiveAddress(s.firstIpSlot, s.firstIpSerial)) return subject;
    s.addresses!.add(s.firstIp);
    return { ...subject, ip: s.firstIp };
  }

  /**
   * The first look at a reader not yet reportable: observed, by account and its one grant if it has only one (as
   * the finding proper names it), never by address; judge keeps weighing as before.
   */
  private glimpse(
    e: AccessEvent,
    token: ReaderToken,
    s: ReaderState,
    evidence: readonly Evidence[],
    out: Detection[],
  ): void {
    s.glimpsed = true;
    const summary = evidenceSummary(evidence);
    const subject: Detection['subject'] = { accountId: s.accountId };
    if (s.tokens === 1) subject.tokenId = token.tokenId;
    out.push(
      scrapingDetection(subject, s.firstSeenMs, e.timestampMs, summary, behavioursOf(evidence), {
        requests: s.requests,
        tokens: s.tokens,
        glimpse: true,
      }),
    );
  }
}
