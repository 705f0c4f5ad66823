import type { Device } from './agents.ts';
import { isRanged, type Title } from './catalog.ts';
import { RANGE_CHUNK, type Population, type SimulatedRequest, simulatedRequest } from './request.ts';
import type { Rng } from './rng.ts';
import { type IssuedToken, issueToken } from './tokens.ts';
import type { World } from './world.ts';

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
  readonly title: Title;
  /** Index in the title's reading order where the reader resumes. */
  readonly bookmark: number;
  /** The device already holds the manifest and cover, so it revalidates them (304s). */
  readonly returning: boolean;
  readonly start: number;
  readonly durationMs: number;
  /** "Download for offline": every remaining part in quick succession, legitimately fast. */
  readonly offline: boolean;
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

/** Human reading pace: mostly minutes per chapter, sometimes a quick skim, sometimes a long pause. */
function readingGap(rng: Rng, title: Title): number {
  if (title.kind === 'audiobook') {
    // Players refill their buffer about every 1 MiB of 64 kbit/s audio, with jitter from network and seeks.
    return (RANGE_CHUNK / 8_000) * SECOND * Math.max(0.5, rng.normal(1, 0.12));
  }
  const median = title.kind === 'interactive' ? 40 : 150;
  return Math.min(30 * 60, Math.max(4, rng.logNormal(median, 0.75))) * SECOND;
}

export function* readingSession(s: ReadingSession): Generator<SimulatedRequest, SessionOutcome> {
  const { rng, title } = s;
  const token =
    s.token ??
    issueToken(rng, { accountId: s.accountId, deviceId: s.device.id, titleId: title.id }, s.start - 1500);
  const referer = s.device.type === 'web' ? `https://read.boundless.example/reader/${title.id}` : undefined;
  const port = rng.int(32768, 61000);
  const request = (time: number, path: string, extra?: Partial<SimulatedRequest>): SimulatedRequest =>
    simulatedRequest({
      time: Math.round(time),
      actor: s.actor,
      population: s.population,
      ip: s.ip,
      country: s.country,
      path,
      token,
      deviceId: s.device.id,
      userAgent: s.device.userAgent,
      referer,
      port,
      label: s.label,
      ...extra,
    } as SimulatedRequest);
  const deadline = Math.min(s.start + s.durationMs, s.world.end);
  let t = s.start;
  const [manifest, cover, ...extras] = title.extras as [string, string, ...string[]];
  yield request(t, manifest, { conditional: s.returning });
  t += rng.between(60, 400);
  yield request(t, cover, { conditional: s.returning });
  if (title.kind === 'interactive') {
    t += rng.between(100, 900);
    yield request(t, extras[0]!, { conditional: s.returning });
  }
  let position = s.bookmark;
  while (position < title.sequence.length && t < deadline) {
    t += s.offline ? rng.between(150, 900) : rng.between(300, 2500);
    const part = title.sequence[position]!;
    if (isRanged(part) && !s.offline) {
      const chunks = Math.ceil((s.world.catalog.sizeOf(part) ?? RANGE_CHUNK) / RANGE_CHUNK);
      for (let c = 0; c < chunks && t < deadline; c++) {
        yield request(t, part, { rangeStart: c * RANGE_CHUNK });
        t += readingGap(rng, title);
      }
    } else {
      yield request(t, part);
      if (extras.length > 0 && rng.chance(title.kind === 'ebook' ? 0.25 : 0.15)) {
        t += rng.between(400, 5000);
        const extra = rng.pick(title.kind === 'interactive' ? extras.slice(1) : extras);
        if (extra) yield request(t, extra, isRanged(extra) ? { rangeStart: 0 } : undefined);
      }
      if (!s.offline) t += readingGap(rng, title);
    }
    position += 1;
  }
  return { bookmark: position, end: t, token };
}
