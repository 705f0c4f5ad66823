import type { Device } from './agents.ts';
import { isRanged, type Title } from './catalog.ts';
import { RANGE_CHUNK, type Population, type SimulatedRequest, simulatedRequest } from './request.ts';
import type { Rng } from './rng.ts';
import { type IssuedToken, issueToken } from './tokens.ts';
import type { World } from './world.ts';

/** Where a request comes from: the client address and the country the simulation placed it in. */
export interface Origin {
  readonly ip: string;
  readonly country: string;
}

/** How one person reads, drawn per persona from its archetype's ranges (profiles.ts). */
export interface ReadingHabits {
  /** Median seconds on a text part, and the log-normal sigma of every dwell around its median. */
  readonly textDwellSeconds: number;
  readonly dwellSigma: number;
  /** Median seconds on a comic page. */
  readonly pageDwellSeconds: number;
  /** Playback speed of audio (1 = real time). */
  readonly listeningSpeed: number;
  /** Parts the app fetches ahead of the one being read (0: none). */
  readonly prefetchAhead: number;
  /** Share of requests the client repeats moments later (a timeout, a flaky connection). */
  readonly retryRate: number;
}

const DEFAULT_HABITS: ReadingHabits = {
  textDwellSeconds: 150,
  dwellSigma: 0.75,
  pageDwellSeconds: 14,
  listeningSpeed: 1,
  prefetchAhead: 0,
  retryRate: 0,
};

/** One sitting with one title on one device: the unit an access token is issued for. */
export interface ReadingSession {
  readonly rng: Rng;
  readonly world: World;
  readonly actor: string;
  readonly population: Population;
  readonly accountId: string;
  readonly device: Device;
  readonly ip: string;
  readonly country: string;
  /** Where each request comes from when the reader moves between networks (overrides ip and country). */
  readonly origin?: (time: number) => Origin;
  readonly title: Title;
  /** Index in the title's reading order where the reader resumes. */
  readonly bookmark: number;
  /** The device already holds the manifest and cover, so it revalidates them (304s). */
  readonly returning: boolean;
  readonly start: number;
  readonly durationMs: number;
  /** "Download for offline": every remaining part in quick succession, legitimately fast. */
  readonly offline: boolean;
  /** Milliseconds between downloads when offline (a range: network speed varies). */
  readonly offlineGapMs?: readonly [number, number];
  /** Stop after this many parts (someone looking into a title rather than reading it). */
  readonly maxParts?: number;
  readonly habits?: ReadingHabits;
  /** A token issued beforehand (a scenario needs to know it to leak it); otherwise one is issued at start. */
  readonly token?: IssuedToken;
  /** Label id when the session itself is abuse (a sharer reading on someone else's account). */
  readonly label?: string;
}

export interface SessionOutcome {
  readonly bookmark: number;
  readonly end: number;
  readonly token: IssuedToken;
}

const SECOND = 1000;

/** Human pace: minutes per chapter, seconds per comic page, real time for audio; sometimes a long pause. */
function dwell(rng: Rng, s: ReadingSession, habits: ReadingHabits, part: string): number {
  const title = s.title;
  if (title.kind === 'comic') {
    return Math.min(10 * 60, Math.max(2, rng.logNormal(habits.pageDwellSeconds, habits.dwellSigma))) * SECOND;
  }
  if (title.kind === 'interactive') {
    return Math.min(30 * 60, Math.max(3, rng.logNormal(40, habits.dwellSigma))) * SECOND;
  }
  // Text: time follows the part's length around the reader's median for a typical part.
  const size = s.world.catalog.sizeOf(part) ?? 40_000;
  const length = Math.min(3, Math.max(0.2, size / s.world.catalog.typicalTextBytes));
  const median = habits.textDwellSeconds * length;
  return Math.min(45 * 60, Math.max(4, rng.logNormal(median, habits.dwellSigma))) * SECOND;
}

export function* readingSession(s: ReadingSession): Generator<SimulatedRequest, SessionOutcome> {
  const { rng, title } = s;
  const habits = s.habits ?? DEFAULT_HABITS;
  const token =
    s.token ??
    issueToken(rng, { accountId: s.accountId, deviceId: s.device.id, titleId: title.id }, s.start - 1500);
  const referer = s.device.type === 'web' ? `https://read.boundless.example/reader/${title.id}` : undefined;
  const port = rng.int(32768, 61000);
  const fixed: Origin = { ip: s.ip, country: s.country };
  const request = (time: number, path: string, extra?: Partial<SimulatedRequest>): SimulatedRequest => {
    const from = s.origin ? s.origin(time) : fixed;
    return simulatedRequest({
      time: Math.round(time),
      actor: s.actor,
      population: s.population,
      ip: from.ip,
      country: from.country,
      path,
      token,
      deviceId: s.device.id,
      userAgent: s.device.userAgent,
      referer,
      port,
      label: s.label,
      ...extra,
    } as SimulatedRequest);
  };
  const deadline = Math.min(s.start + s.durationMs, s.world.end);
  let t = s.start;
  // A flaky connection: the client repeats a request it got no answer to in time.
  function* send(r: SimulatedRequest): Generator<SimulatedRequest> {
    yield r;
    if (habits.retryRate > 0 && rng.chance(habits.retryRate)) {
      yield { ...r, time: r.time + Math.round(rng.between(200, 3000)) };
      t = Math.max(t, r.time + 3000);
    }
  }
  const [manifest, cover, ...extras] = title.extras as [string, string, ...string[]];
  yield* send(request(t, manifest, { conditional: s.returning }));
  t += rng.between(60, 400);
  yield* send(request(t, cover, { conditional: s.returning }));
  if (title.kind === 'interactive') {
    t += rng.between(100, 900);
    yield* send(request(t, extras[0]!, { conditional: s.returning }));
  }
  let position = s.bookmark;
  let parts = 0;
  // Parts the app already holds (prefetched): reading them makes no request.
  let fetchedUpTo = position;
  const maxParts = s.maxParts ?? Number.POSITIVE_INFINITY;
  const playback = s.world.catalog.bytesPerSecondOfPlayback * habits.listeningSpeed;
  while (position < title.sequence.length && t < deadline && parts < maxParts) {
    t += s.offline ? rng.between(...(s.offlineGapMs ?? [150, 900])) : rng.between(300, 2500);
    const part = title.sequence[position]!;
    if (isRanged(part) && !s.offline) {
      const size = s.world.catalog.sizeOf(part) ?? RANGE_CHUNK;
      const chunks = Math.ceil(size / RANGE_CHUNK);
      for (let c = 0; c < chunks && t < deadline; c++) {
        // Now and then a listener skips ahead or back: the player asks for another range.
        const chunk = rng.chance(0.04) ? rng.int(0, chunks) : c;
        yield* send(request(t, part, { rangeStart: chunk * RANGE_CHUNK }));
        // Players refill their buffer about every chunk's worth of playback, with network jitter.
        t += (RANGE_CHUNK / playback) * SECOND * Math.max(0.5, rng.normal(1, 0.12));
      }
    } else {
      if (position >= fetchedUpTo) {
        yield* send(request(t, part));
        fetchedUpTo = position + 1;
      }
      // The app keeps `prefetchAhead` parts ready beyond the one on screen.
      const ahead = s.offline ? 0 : Math.min(title.sequence.length, position + 1 + habits.prefetchAhead);
      while (fetchedUpTo < ahead) {
        t += rng.between(40, 400);
        yield* send(request(t, title.sequence[fetchedUpTo]!));
        fetchedUpTo += 1;
      }
      if (extras.length > 0 && title.kind !== 'comic' && rng.chance(title.kind === 'ebook' ? 0.25 : 0.15)) {
        t += rng.between(400, 5000);
        const extra = rng.pick(title.kind === 'interactive' ? extras.slice(1) : extras);
        if (extra) yield* send(request(t, extra, isRanged(extra) ? { rangeStart: 0 } : undefined));
      }
      if (!s.offline) t += dwell(rng, s, habits, part);
    }
    position += 1;
    parts += 1;
  }
  return { bookmark: position, end: t, token };
}
