import { z } from 'zod';

/** Detector thresholds, validated once; defaults are what `boundless detect` uses. */
const detectorConfigSchema = z.object({
  /** Devices an account may use at once (the product's device limit). */
  deviceLimit: z.number().int().positive().default(3),
  /** Window in which two places or devices count as used at overlapping times. */
  sharingWindowMs: z
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
  accountWindowMs: z
    .number()
    .int()
    .positive()
    .default(30 * 60_000),
  /** Fastest plausible move between countries on one continent, and between continents. */
  minTravelSameContinentMs: z
    .number()
    .int()
    .positive()
    .default(60 * 60_000),
  minTravelOtherContinentMs: z
    .number()
    .int()
    .positive()
    .default(3 * 60 * 60_000),
  /** Edge 403s for one token within the sharing window that point at a copied token. */
  forbiddenPerToken: z.number().int().positive().default(3),
  /** Scraping: requests per minute (account), window for per-address counts, robotic regularity. */
  scrapeRatePerMinute: z.number().int().positive().default(120),
  scrapeBreadthWindowMs: z
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
  roboticGaps: z.number().int().min(8).default(24),
  /** Log times have one-second resolution: a fixed period of P seconds shows a CV up to 0.5/P. */
  roboticMaxCv: z.number().positive().default(0.25),
  /** Longer than any title's reading order, so a legitimate offline download never reaches it. */
  sequentialRun: z.number().int().positive().default(90),
  sequentialMaxGapMs: z.number().int().positive().default(5_000),
  crossTitleSteps: z.number().int().positive().default(4),
  cacheBusters: z.number().int().positive().default(20),
  /** Refusals for missing or out-of-scope tokens in the breadth window. */
  probes: z.number().int().positive().default(10),
  /** Per account: distinct titles within `titleWindowMs` (readers open one to three). */
  titleWindowMs: z
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
  titlesPerWindow: z.number().int().positive().default(5),
  /** Per account: titles walked in one unbroken stretch of activity, and the stretch's minimum length. */
  streakPauseMs: z
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
  streakTitles: z.number().int().positive().default(4),
  streakMinMs: z
    .number()
    .int()
    .positive()
    .default(60 * 60_000),
  /** Low-and-slow: distinct assets over a long window. */
  slowWindowMs: z
    .number()
    .int()
    .positive()
    .default(6 * 60 * 60_000),
  slowDistinctAssets: z.number().int().positive().default(400),
  /**
   * Geo spikes: a country's distinct readers over two minutes against its own baseline, on a variance-stabilised
   * scale: at least this many readers, this many times the expectation, this many spreads above it, and a
   * baseline of at least this many minutes.
   */
  geoMinReaders: z.number().int().positive().default(12),
  geoRatio: z.number().positive().default(3),
  geoZ: z.number().positive().default(5),
  geoMinHistoryMinutes: z.number().int().positive().default(5),
  /**
   * A spike carried by grants found shared and read in one country alone (geo-carrier.ts): at least this many of
   * the country's networks read through them over ten minutes, while its audience over those minutes is this
   * many times its baseline before them and this many spreads above it.
   */
  geoCarrierNetworks: z.number().int().positive().default(6),
  geoCarriedRatio: z.number().positive().default(2),
  geoCarriedZ: z.number().positive().default(4),
  /**
   * A reader (account on one device) idle this long is forgotten: the scraping detector's day of titles and
   * its runs of activity live that long after the reader's last request.
   */
  readerIdleMs: z
    .number()
    .int()
    .positive()
    .default(3 * 60 * 60_000),
  /** Subjects idle this long are forgotten; their next request starts a new episode. */
  idleMs: z
    .number()
    .int()
    .positive()
    .default(30 * 60_000),
});

export type DetectorConfig = z.infer<typeof detectorConfigSchema>;
export type DetectorOptions = z.input<typeof detectorConfigSchema>;

export function detectorConfig(options: DetectorOptions = {}): DetectorConfig {
  return detectorConfigSchema.parse(options);
}
