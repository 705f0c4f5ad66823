import type { Device } from './agents.ts';
import type { Title } from './catalog.ts';
import type { CountryProfile } from './networks.ts';
import type { Population, SimulatedRequest } from './request.ts';
import { activity, type Rhythm, releaseBoost } from './rhythm.ts';
import type { Rng } from './rng.ts';
import { readingSession } from './session.ts';
import type { World } from './world.ts';

/** A legitimate reader (or one member of a household sharing an account within its device limit). */
export interface Persona {
  readonly actor: string;
  readonly population: Population;
  readonly accountId: string;
  readonly country: CountryProfile;
  readonly devices: readonly Device[];
  /** Home Wi-Fi, or the campus NAT addresses that hundreds of students share. */
  readonly fixedIps: readonly string[];
  /** The mobile carrier's CGNAT addresses, shared with many other readers. */
  readonly mobileIps: readonly string[];
  readonly rhythm: Rhythm;
  readonly dailySessions: number;
  readonly trip?: Trip;
}

/** One plausible journey: no reading in the air, then hotel Wi-Fi in the destination country. */
interface Trip {
  readonly departAt: number;
  readonly arriveAt: number;
  readonly country: CountryProfile;
  readonly ip: string;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE = 60_000;

interface Shelf {
  readonly title: Title;
  bookmark: number;
  sessions: number;
}

export function* readerStream(world: World, persona: Persona, rng: Rng): Generator<SimulatedRequest> {
  const shelf: Shelf[] = [];
  for (let i = rng.int(1, 4); i > 0; i--) shelf.push(startReading(rng, pickTitle(rng, world), true));
  const base = persona.dailySessions / DAY_MS;
  let t = world.start;
  for (;;) {
    // Thinning (Lewis-Shedler) with a bound per hour-long segment, so quiet night hours reject few candidates.
    const segmentEnd = Math.min(
      world.end,
      (Math.floor(t / HOUR_MS) + 1) * HOUR_MS,
      t < world.releaseAt ? world.releaseAt : Infinity,
    );
    const bound = base * segmentPeak(persona, t, segmentEnd) * releaseBoost(world.releaseAt, t) * 1.02;
    const next = t + rng.exp(1 / bound);
    if (next >= segmentEnd) {
      if (segmentEnd >= world.end) return;
      t = segmentEnd;
      continue;
    }
    t = next;
    const boost = releaseBoost(world.releaseAt, t);
    const local = persona.trip && t >= persona.trip.arriveAt ? persona.trip.country : persona.country;
    if (rng.next() * bound > base * activity(persona.rhythm, local.utcOffset, t) * boost) continue;
    if (persona.trip && t >= persona.trip.departAt && t < persona.trip.arriveAt) {
      t = persona.trip.arriveAt;
      continue;
    }
    const entry = chooseShelf(rng, world, shelf, (boost - 1) / boost);
    const device = rng.pick(persona.devices);
    const outcome = yield* readingSession({
      rng,
      world,
      actor: persona.actor,
      population: persona.population,
      accountId: persona.accountId,
      device,
      ...whereFrom(rng, persona, device, t),
      title: entry.title,
      bookmark: entry.bookmark,
      returning: entry.sessions > 0,
      start: t,
      durationMs: Math.min(150, Math.max(2, rng.logNormal(25, 0.7))) * MINUTE,
      offline: device.type !== 'web' && rng.chance(0.04),
    });
    entry.sessions += 1;
    entry.bookmark = outcome.bookmark;
    if (entry.bookmark >= entry.title.sequence.length) shelf.splice(shelf.indexOf(entry), 1);
    t = outcome.end + rng.exp(20 * MINUTE);
  }
}

function whereFrom(rng: Rng, persona: Persona, device: Device, t: number): { ip: string; country: string } {
  if (persona.trip && t >= persona.trip.arriveAt)
    return { ip: persona.trip.ip, country: persona.trip.country.code };
  const mobile = device.type === 'phone' && persona.mobileIps.length > 0 && rng.chance(0.6);
  return { ip: rng.pick(mobile ? persona.mobileIps : persona.fixedIps), country: persona.country.code };
}

function chooseShelf(rng: Rng, world: World, shelf: Shelf[], releaseShare: number): Shelf {
  if (rng.chance(releaseShare)) {
    const existing = shelf.find((entry) => entry.title === world.catalog.release);
    if (existing) return existing;
    const entry = startReading(rng, world.catalog.release, false);
    shelf.push(entry);
    return entry;
  }
  if (shelf.length === 0 || rng.chance(0.12)) {
    const entry = startReading(rng, pickTitle(rng, world), false);
    shelf.push(entry);
    return entry;
  }
  return rng.pick(shelf);
}

function startReading(rng: Rng, title: Title, inProgress: boolean): Shelf {
  const bookmark = inProgress ? rng.int(0, Math.max(1, title.sequence.length - 1)) : 0;
  return { title, bookmark, sessions: inProgress ? 1 : 0 };
}

function pickTitle(rng: Rng, world: World): Title {
  return rng.weighted(world.catalog.titles, (title) => title.popularity);
}

/** Upper bound of the activity within [from, to) (at most an hour): the larger end, since it is piecewise linear. */
function segmentPeak(persona: Persona, from: number, to: number): number {
  let peak = 0;
  for (const country of persona.trip ? [persona.country, persona.trip.country] : [persona.country]) {
    peak = Math.max(
      peak,
      activity(persona.rhythm, country.utcOffset, from),
      activity(persona.rhythm, country.utcOffset, to - 1),
      activity(persona.rhythm, country.utcOffset, Math.floor(from / HOUR_MS) * HOUR_MS + HOUR_MS / 2),
    );
  }
  return peak;
}
