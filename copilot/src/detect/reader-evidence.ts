/** A reader's scraping evidence, family by family (pace, coverage, enumeration, automation, churn, tireless). */
import type { DetectorConfig } from './config.ts';
import { type Evidence, stepped } from './evidence.ts';
import { ROTATION_EXITS, ROTATION_WINDOW, rotatesExits } from './hosting-exits.ts';
import { gapCv, PACE_CAPACITY, type ReaderState, timerRunOn, usesTool } from './reader-state.ts';
import type { TitleBook } from './titles.ts';

/**
 * Minutes of consumption beyond the cohort's pace after which speed and titles side by side count as
 * separate evidence: longer than a device takes to download a shelf, far shorter than a scrape of a catalog.
 */
const BURST_MINUTES = 45;

/**
 * What titles side by side add to pace within such a burst, with nothing of a tool about the reader: a wider
 * download, no faster than the most reading owed beyond the cohort's pace gives (a shelf is quiet taken three
 * titles at a time or eight, as it is title after title, until the burst is kept up longer).
 */
const DOWNLOAD_PACE = 0.6;

/**
 * Titles taken from which a reader's deep takes are judged against what it took, and the share of its takes
 * below which they are a sampler's few (see `sampled` in readerEvidence).
 */
const SAMPLER_TITLES = 30;
const DEEP_HABIT = 0.25;

/**
 * Steps in a row to a title whose id sorts above the last one's (gaps allowed) from which a reader shows a
 * catalog walked in its listing's order: by chance ten come once in 40 million walks, but a series read in
 * order climbs too, so it is context (like a hosting network's addresses), never corroboration on its own.
 */
export const ASCENDING_STEPS = 10;
const ASCENDING_CONTEXT = 0.3;

/**
 * Titles an HTTP tool has taken (half or more of each) from which they count as content taken (context):
 * two, each on its own grant, as a scraper takes the catalog. One grant read by a crowd of tools is one title, and
 * a leaked grant's (token sharing's observation, see TAKING in reader-scraping.ts).
 */
const TOOL_TAKES = 2;
const TOOL_TAKES_CONTEXT = 0.3;

/** Quarter hours in a row with requests from which tirelessness may be acted on: a whole day. */
const ACTING_RUN = 96;

/** Hours without a pause of readerIdleMs (three hours by default: shorter than a night's sleep), and the tirelessness they show. */
export const AWAKE_HOURS: readonly (readonly [number, number])[] = [
  [20, 0.5],
  [24, 0.7],
  [30, 0.8],
];

/**
 * The reader's evidence as reported, or, with `acting`, only what may be acted on. Acting leaves out three
 * views a legitimate reader's day also produces: `dayLong`, evidence only a day of watching shows (deep takes
 * spread over the day, a day without sleep, half a day without a break); `breadth`, the number of titles on its
 * own (titles opened to half, none of them far deeper than their readers take them, as coverage; titles open
 * side by side, as automation rather than pace); `oneExit`, a hosting network's addresses without the reader
 * rotating through them (one exit is what a VPN reader shows). A finding that needs any of them is observed
 * only (see summarize in reader-scraping.ts).
 */
export function readerEvidence(
  config: DetectorConfig,
  titles: TitleBook,
  s: ReaderState,
  second: number,
  acting = false,
): Evidence[] {
  const dayLong = !acting;
  const breadth = !acting;
  const oneExit = !acting;
  const catalog = titles.catalogSize;
  const debtHours = Math.max(0, s.debt - PACE_CAPACITY * Math.max(0, second - s.debtSecond)) / 3600;
  const sustainedMinutes = s.sustainedPeak / 60;
  let pace = stepped(debtHours, [
    [1, 0.3],
    [2, 0.4],
    [4, 0.5],
    [8, 0.6],
  ]);
  // Kept up: a download ends with the shelf, a scraper's backlog keeps growing for hours.
  pace = Math.max(
    pace,
    stepped(sustainedMinutes, [
      [90, 0.75],
      [180, 0.9],
      [360, 0.95],
    ]),
  );
  const deep = s.deep + s.deepBefore;
  const taken = s.taken + s.takenBefore;
  // What may be acted on (breadth not counted) takes deep takes as a habit only: a harvester takes deep most
  // titles it takes, while a reader who opened a hundred titles to look at each, and went deep into a few
  // (an admin or a librarian checking a collection, some of whose titles are short), took little of each.
  const sampled = !breadth && taken >= SAMPLER_TITLES && deep < DEEP_HABIT * taken;
  let coverage = Math.max(
    stepped(sampled ? 0 : deep, [
      [8, 0.35],
      [20, 0.5],
      [40, 0.75],
      [80, 0.9],
    ]),
    // Many titles opened without taking any of them deeper than its readers do (an organisation's admin
    // checking a collection, a librarian, an auditor sampling) is breadth, not the share of a title's
    // content: taken fast, it is the same observation as pace, so it never decides an action alone.
    breadth
      ? stepped(taken, [
          [60, 0.5],
          [100, 0.7],
          [200, 0.85],
        ])
      : 0,
  );
  if (catalog >= 100 && deep >= 0.15 * catalog) coverage = Math.max(coverage, 0.75);
  // Titles taken by an HTTP tool: no reading app is one, so what it takes is content taken, at any pace. Context,
  // as the ascending walk is (below corroboration): with the tool's own fingerprint it is a glimpse, observed by
  // account, long before a scraper paced like a person owes an hour of reading or has walked ten titles in order.
  if (s.toolTakes >= TOOL_TAKES) coverage = Math.max(coverage, TOOL_TAKES_CONTEXT);
  // The catalog share growing hour after hour: titles taken deep in many distinct hours of a day, where a
  // device syncing a shelf takes it within an hour. The same takes as above seen over a longer span, so it
  // strengthens coverage rather than corroborating it.
  const deepHours = s.deepHours + s.deepHoursBefore;
  if (dayLong)
    coverage = Math.max(
      coverage,
      stepped(deepHours, [
        [4, 0.5],
        [6, 0.7],
        [8, 0.8],
        [12, 0.9],
      ]),
    );
  const enumeration = Math.max(
    stepped(s.stepsMax, [
      [5, 0.6],
      [10, 0.8],
      [20, 0.9],
    ]),
    s.ascendingMax >= ASCENDING_STEPS ? ASCENDING_CONTEXT : 0,
    stepped(s.misses, [
      [10, 0.5],
      [30, 0.75],
      [100, 0.9],
    ]),
    stepped(s.outOfScope, [
      [5, 0.5],
      [20, 0.8],
    ]),
  );
  // Regular as a timer right now: observeClockwork judged the latest gap, and a run is on exactly while it holds.
  // Under two seconds a few dozen gaps of one and two seconds come in a shelf taken title after title: only a
  // run of a script's length counts there (timerRunOn).
  const clockworkNow = timerRunOn(s);
  // Mostly from hosting networks: servers, or a VPN's exit. Context, never corroboration on its own; what may
  // be acted on takes it only from a reader turning through a pool of them (a proxy pool, a fleet), never
  // from one exit, the same however fast and whole its reader reads.
  const hosting = s.requests >= 20 && (s.exits?.requests ?? 0) >= 0.8 * s.requests;
  const rotating = rotatesExits(s.exits);
  const automationSignals: number[] = [
    usesTool(s) ? 0.7 : 0,
    hosting && (oneExit || rotating) ? 0.3 : 0,
    // A person reads one title at a time; an app may fetch two or three side by side.
    stepped(s.parallelPeak, [
      [4, 0.5],
      [6, 0.7],
      [10, 0.8],
    ]),
    // Query strings that only defeat the cache: no reading app sends them.
    stepped(s.busters, [
      [10, 0.7],
      [30, 0.85],
    ]),
    // Clockwork gaps now, or kept like a timer's for hundreds of moves in a row (no person, no reading app
    // waiting on its reader): one fingerprint, so one signal.
    Math.max(
      clockworkNow ? 0.6 : 0,
      stepped(s.clockPeak, [
        [config.roboticGaps, 0.6],
        [100, 0.75],
        [200, 0.85],
      ]),
    ),
  ];
  const churn = Math.max(
    stepped(s.churnPeak, [
      [12, 0.5],
      [30, 0.75],
      [80, 0.9],
    ]),
    stepped(s.countryPeak, [
      [6, 0.6],
      [20, 0.85],
    ]),
  );
  // Quarter hours in a row with requests (one quiet quarter tolerated): nobody reads for a day without sleep.
  // Half a day in a row is what a machine reading aloud to its listener shows over a working day and an
  // evening, and a player left reading through the night carries it past a waking day (18 h): day-long
  // evidence, observed only (summarize); a whole day in a row (24 h) may be acted on.
  let tireless = stepped(s.runMax, [
    [dayLong ? 48 : ACTING_RUN, 0.5],
    [dayLong ? 72 : ACTING_RUN, 0.8],
    [ACTING_RUN, 0.9],
  ]);
  // Awake for a day: the reader's state lives only while it never pauses for readerIdleMs (three hours by
  // default, shorter than a night's sleep), so its age is how long it has gone without sleeping. Seen over
  // the day like the spread of coverage, so a finding that needs it is observed only (summarize).
  const awakeHours = Math.floor((second * 1000 - s.firstSeenMs) / 3_600_000);
  if (dayLong) tireless = Math.max(tireless, stepped(awakeHours, AWAKE_HOURS));
  const signals = (...list: (string | false)[]) => list.filter((x): x is string => x !== false);
  // A download burst (a new device taking a shelf offline, an app fetching ahead) is fast and fetches titles
  // side by side: speed and concurrency are one observation there, so they count as one family until the
  // consumption beyond the cohort's pace has been kept up longer than a download lasts. What was taken
  // (coverage) stays evidence of its own.
  // Without breadth (what may be acted on), many titles open at once with nothing else of a tool about the
  // reader is the same observation as many titles fast: a reading app keeping a comic series or a story
  // collection open title after title, so it counts with pace. From a hosting network (when one exit does not
  // count, only a pool of its addresses), a tool's agent, with cache busters or clockwork, it is a tool's
  // concurrency.
  // Counted with pace, concurrency stands for speed; with no speed (under an hour of reading beyond the
  // cohort's pace) and nothing of a tool, titles open side by side are short titles kept open one after
  // another (a comic series read issue after issue), no download, and count for nothing. Within the download
  // burst itself, with nothing of a tool, more titles at once is a wider download: no more than DOWNLOAD_PACE.
  const toolish = automationSignals.some((x, i) => i !== 2 && x >= 0.3);
  const alone = !breadth && !toolish;
  const downloading = sustainedMinutes < BURST_MINUTES && !toolish;
  const burst = sustainedMinutes < BURST_MINUTES || alone;
  if (burst) {
    const sideBySide = downloading ? Math.min(automationSignals[2]!, DOWNLOAD_PACE) : automationSignals[2]!;
    if (debtHours >= 1 || toolish) pace = Math.max(pace, sideBySide);
    automationSignals[2] = 0;
  }
  const automation = Math.min(
    0.9,
    Math.max(...automationSignals) + 0.1 * (automationSignals.filter((x) => x >= 0.3).length - 1),
  );
  return [
    {
      family: 'pace',
      strength: pace,
      signals: signals(
        debtHours >= 1 && `${debtHours.toFixed(1)} h of reading beyond ${PACE_CAPACITY}x the cohort's pace`,
        sustainedMinutes >= 10 && `kept up for ${Math.round(sustainedMinutes)} min`,
        burst && s.parallelPeak >= 4 && `${s.parallelPeak} titles fetched side by side`,
      ),
    },
    {
      family: 'coverage',
      strength: coverage,
      signals: signals(
        taken > 0 && `${taken} titles taken`,
        s.toolTakes >= TOOL_TAKES && 'taken by an HTTP tool',
        deep > 0 && `${deep} taken far deeper than their readers take them`,
        dayLong && deepHours >= 4 && `taken deep in ${deepHours} distinct hours of the day`,
        catalog > 0 && `catalog seen so far: ${catalog} titles`,
      ),
    },
    {
      family: 'enumeration',
      strength: enumeration,
      signals: signals(
        s.stepsMax >= 3 && `${s.stepsMax} titles in catalog order`,
        s.ascendingMax >= ASCENDING_STEPS && `${s.ascendingMax} titles in ascending catalog order`,
        s.misses > 0 && `${s.misses} requests for parts that do not exist`,
        s.outOfScope > 0 && `${s.outOfScope} requests outside the token's title`,
      ),
    },
    {
      family: 'automation',
      strength: automation,
      signals: signals(
        usesTool(s) && 'an HTTP tool user agent',
        automationSignals[1]! > 0 && 'requests from a hosting network',
        automationSignals[1]! > 0 &&
          rotating &&
          `${ROTATION_EXITS} or more of its addresses in turn within ${ROTATION_WINDOW / 60} min`,
        !burst && s.parallelPeak >= 4 && `${s.parallelPeak} titles open side by side`,
        s.busters > 0 && `${s.busters} cache-busting requests`,
        clockworkNow && `gaps regular to CV ${gapCv(s, config.roboticGaps).toFixed(2)}`,
        s.clockPeak >= config.roboticGaps && `${s.clockPeak} moves in a row at a timer's regularity`,
      ),
    },
    {
      family: 'churn',
      strength: churn,
      signals: signals(
        s.churnPeak > 0 && `${s.churnPeak} network changes in 10 min`,
        s.countryPeak > 0 && `${s.countryPeak} country changes in 10 min`,
      ),
    },
    {
      family: 'tireless',
      strength: tireless,
      signals: signals(
        s.runMax >= 8 && `active ${(s.runMax / 4).toFixed(1)} h without a break`,
        dayLong &&
          awakeHours >= AWAKE_HOURS[0]![0] &&
          `${awakeHours} h without a pause of ${config.readerIdleMs / 3_600_000} h`,
      ),
    },
  ];
}
