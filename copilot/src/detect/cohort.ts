/**
 * The pace of the cohort, learned from the traffic itself: how fast readers get through text (bytes per
 * second), pictures (pages per second) and audio or video (bytes per second), each learned from the sessions
 * made mostly of that class (a novel teaches the reading pace, a comic the page pace, an audiobook or an
 * episode the listening pace). Each session is one sample of its rate, and the cohort's pace is the median:
 * it holds while fewer than half of the sessions are abusive. Until a class has enough sessions, a prior
 * faster than any person stands in, so a young detector judges leniently rather than wrongly.
 */
import { CLASS_AUDIO, CLASS_IMAGE, CLASS_OTHER, CLASS_TEXT, CLASS_VIDEO, CLASSES } from './content.ts';

/** log2 bins of a rate, a quarter step wide, from 2^-16 to 2^32. */
const BINS = 192;
const LOW = -16;
const STEPS = 4;
/**
 * Sessions a class needs before its own median replaces the prior: sixteen, the first refresh. Sessions teach
 * only as their readers move on, so a log read from its start gets sixty of a class hours in (text after about
 * four hours on the independent population, pictures and audio after two), and until then nothing slower than
 * the prior counts as pace: a scraper paced like a person went unjudged for hours. The median of sixteen holds
 * while eight of them are reading, and abusive sessions are fast, so they lean it only towards leniency.
 */
const MIN_SESSIONS = 16;
/** Sessions shorter than this are downloads, not reading. */
const MIN_SESSION_SECONDS = 300;
/** A class's median is recomputed after this many new sessions. */
const REFRESH = 16;

/**
 * Fast human rates per class, used until the cohort has its own: text at about 2,000 words a minute, a page
 * every two seconds, audio at four times a high bitrate, video likewise. Generous on purpose: before the
 * cohort is known, only what is beyond any person counts.
 */
const PRIOR_RATES: readonly number[] = (() => {
  const rates: number[] = [];
  rates[CLASS_OTHER] = 1;
  rates[CLASS_TEXT] = 2_000;
  rates[CLASS_IMAGE] = 0.5;
  rates[CLASS_AUDIO] = 4 * 40_000;
  rates[CLASS_VIDEO] = 4 * 700_000;
  return rates;
})();

export class CohortPace {
  private readonly histograms = new Uint32Array(CLASSES * BINS);
  private readonly samples = new Uint32Array(CLASSES);
  private readonly sinceRefresh = new Uint32Array(CLASSES);
  /** Median rate per class (0 until known), and the seconds a person spends per byte or page. */
  private readonly medians = new Float64Array(CLASSES);
  private readonly secondsPerUnit = new Float64Array(CLASSES);

  constructor() {
    for (let cls = 0; cls < CLASSES; cls++) this.secondsPerUnit[cls] = 1 / PRIOR_RATES[cls]!;
  }

  /** One session mostly of class `cls`: `amount` (bytes, or pages for pictures) over `seconds` of reading. */
  observeSession(cls: number, amount: number, seconds: number): void {
    // A download (a shelf synced, a title saved for offline) is over in seconds: only reading teaches pace.
    if (cls === CLASS_OTHER || seconds < MIN_SESSION_SECONDS || amount <= 0) return;
    const rate = amount / seconds;
    const bin = Math.min(BINS - 1, Math.max(0, Math.round((Math.log2(rate) - LOW) * STEPS)));
    this.histograms[cls * BINS + bin]!++;
    this.samples[cls]!++;
    if (++this.sinceRefresh[cls]! >= REFRESH) this.refresh(cls);
  }

  /** Seconds a typical member of the cohort spends on `amount` of class `cls` (bytes, or pages). */
  humanSeconds(cls: number, amount: number): number {
    return this.secondsPerUnit[cls]! * amount;
  }

  /** The cohort's median rate of a class, or undefined while the prior stands in (for evidence). */
  medianRate(cls: number): number | undefined {
    const m = this.medians[cls]!;
    return m > 0 ? m : undefined;
  }

  private refresh(cls: number): void {
    this.sinceRefresh[cls] = 0;
    const n = this.samples[cls]!;
    if (n < MIN_SESSIONS) return;
    const half = n / 2;
    let seen = 0;
    const base = cls * BINS;
    for (let bin = 0; bin < BINS; bin++) {
      seen += this.histograms[base + bin]!;
      if (seen >= half) {
        const median = 2 ** (bin / STEPS + LOW);
        this.medians[cls] = median;
        // Never less time than the prior: the prior is the fastest a person goes, the median is typical.
        this.secondsPerUnit[cls] = Math.max(1 / median, 1 / PRIOR_RATES[cls]!);
        return;
      }
    }
  }
}

/**
 * The class a session is mostly made of: the class of most of its parts, where audio or video parts count
 * for more (a track is an hour of listening, a cover or a clip beside chapters is incidental).
 */
export function sessionClass(
  textParts: number,
  pages: number,
  audioParts: number,
  videoParts: number,
): number {
  if (audioParts > 0 && audioParts * 4 >= textParts + pages) return CLASS_AUDIO;
  if (videoParts > 0 && videoParts * 4 >= textParts + pages) return CLASS_VIDEO;
  if (pages === 0 && textParts === 0) return CLASS_OTHER;
  return pages > textParts ? CLASS_IMAGE : CLASS_TEXT;
}
