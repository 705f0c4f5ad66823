import { DAY_MS, HOUR_MS, MINUTE_MS as MINUTE } from '@boundless/common/time';
import type { Device } from './agents.ts';
import type { Title, TitleKind } from './catalog.ts';
import type { CountryProfile } from './networks.ts';
import type { Population, SimulatedRequest } from './request.ts';
import { activity, type Rhythm, releaseBoost } from './rhythm.ts';
import type { Rng } from './rng.ts';
import { type Origin, type ReadingHabits, readingSession } from './session.ts';
import type { World } from './world.ts';

/**
 * A legitimate reader (or one member of a household sharing an account within its device limit). Each
 * archetype is a way of reading that some detector could mistake for abuse: that is why it is here.
 */
export type LegitArchetype =
  | 'reader'
  | 'binge'
  | 'short_form'
  | 'comic'
  | 'short_story'
  | 'campus'
  | 'org_admin'
  | 'household'
  | 'traveller'
  | 'vpn'
  | 'commuter'
  | 'shelf_sync';

/** Several titles in one sitting (short forms, research, an administrator's check). */
export interface Sitting {
  readonly kind?: TitleKind;
  readonly titles: number;
  /** Parts read per title (undefined: the whole title). */
  readonly partsPerTitle?: readonly [number, number];
  /** Seconds spent on each title before the next (an administrator's check). */
  readonly secondsPerTitle?: number;
}

export interface Persona {
  readonly actor: string;
  readonly population: Population;
  readonly archetype: LegitArchetype;
  readonly accountId: string;
  readonly country: CountryProfile;
  readonly devices: readonly Device[];
  /** Home Wi-Fi, or the campus NAT addresses that hundreds of students share. */
  readonly fixedIps: readonly string[];
  /** The mobile carrier's CGNAT addresses, shared with many other readers. */
  readonly mobileIps: readonly string[];
  /** Minutes a phone keeps one CGNAT address before the carrier hands it another. */
  readonly cgnatMinutes: number;
  readonly rhythm: Rhythm;
  readonly dailySessions: number;
  readonly sessionMinutes: number;
  readonly habits: ReadingHabits;
  readonly sitting?: Sitting;
  readonly trip?: Trip;
  /** VPN exits the reader uses, the share of sessions through one, and the share toggled mid-session. */
  readonly vpn?: { readonly exits: readonly Origin[]; readonly share: number; readonly toggle: number };
  /** A commuter's office network and how often the phone flaps between Wi-Fi and mobile data. */
  readonly commute?: { readonly office: string; readonly station: string; readonly flaps: number };
}

/** One plausible journey: no reading in the air, then hotel Wi-Fi in the destination country. */
interface Trip {
  readonly departAt: number;
  readonly arriveAt: number;
  readonly country: CountryProfile;
  readonly ip: string;
}

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
    const device = rng.pick(persona.devices);
    const origin = connection(rng, persona, device, t);
    if (persona.sitting && !rng.chance((boost - 1) / boost)) {
      t = yield* sitting(world, persona, rng, device, origin, t);
    } else {
      const entry = chooseShelf(rng, world, shelf, (boost - 1) / boost);
      const outcome = yield* readingSession({
        ...personaSession(rng, world, persona, device, origin),
        title: entry.title,
        bookmark: entry.bookmark,
        returning: entry.sessions > 0,
        start: t,
        durationMs: Math.min(8 * 60, Math.max(2, rng.logNormal(persona.sessionMinutes, 0.7))) * MINUTE,
        offline: device.type !== 'web' && rng.chance(0.04),
        habits: persona.habits,
      });
      entry.sessions += 1;
      entry.bookmark = outcome.bookmark;
      if (entry.bookmark >= entry.title.sequence.length) shelf.splice(shelf.indexOf(entry), 1);
      t = outcome.end;
    }
    t += rng.exp(20 * MINUTE);
  }
}

/** Who reads, on what and from where: the part of a reading session a persona's sessions all share. */
function personaSession(
  rng: Rng,
  world: World,
  persona: Persona,
  device: Device,
  origin: (time: number) => Origin,
) {
  return {
    rng,
    world,
    actor: persona.actor,
    population: persona.population,
    accountId: persona.accountId,
    device,
    ip: '',
    country: '',
    origin,
  };
}

/** Several titles one after another, each with its own token: returns when the sitting ends. */
function* sitting(
  world: World,
  persona: Persona,
  rng: Rng,
  device: Device,
  origin: (time: number) => Origin,
  start: number,
): Generator<SimulatedRequest, number> {
  const plan = persona.sitting!;
  let t = start;
  const count = Math.max(1, Math.round(plan.titles * rng.between(0.6, 1.4)));
  for (let i = 0; i < count && t < world.end; i++) {
    const title = pickTitle(rng, world, plan.kind);
    const parts = plan.partsPerTitle ? rng.int(plan.partsPerTitle[0], plan.partsPerTitle[1] + 1) : undefined;
    const checking = plan.secondsPerTitle !== undefined;
    const habits = checking
      ? {
          ...persona.habits,
          textDwellSeconds: plan.secondsPerTitle!,
          pageDwellSeconds: plan.secondsPerTitle!,
        }
      : persona.habits;
    const outcome = yield* readingSession({
      ...personaSession(rng, world, persona, device, origin),
      title,
      bookmark: 0,
      returning: rng.chance(0.2),
      start: t,
      // A check looks at its few parts and moves on; short forms are read to the end.
      durationMs: checking
        ? plan.secondsPerTitle! * 1000 * ((parts ?? 1) + 1) + 5000
        : plan.kind
          ? 4 * HOUR_MS
          : persona.sessionMinutes * MINUTE,
      offline: false,
      maxParts: parts,
      habits,
    });
    t = outcome.end + (checking ? rng.between(500, 4000) : rng.between(2000, 40_000));
  }
  return t;
}

/**
 * Where a session's requests come from, request by request: home Wi-Fi; a phone on its carrier's CGNAT, which
 * hands out another shared address every few minutes; a campus NAT pool that spreads connections over its
 * addresses; a VPN exit (sometimes switched on or off mid-session); a commuter moving from home to train to
 * office; a traveller's hotel.
 */
function connection(rng: Rng, persona: Persona, device: Device, start: number): (time: number) => Origin {
  const home = persona.country.code;
  if (persona.trip && start >= persona.trip.arriveAt) {
    const hotel: Origin = { ip: persona.trip.ip, country: persona.trip.country.code };
    return () => hotel;
  }
  const fixed: Origin = { ip: rng.pick(persona.fixedIps), country: home };
  if (persona.fixedIps.length > 1) {
    // A NAT pool: each new connection may leave from another address of the pool.
    const pool = persona.fixedIps;
    let current = fixed;
    return () => {
      if (rng.chance(0.2)) current = { ip: rng.pick(pool), country: home };
      return current;
    };
  }
  const mobile = cgnat(rng, persona, start);
  if (persona.commute && rng.chance(0.5)) {
    const { office, station, flaps } = persona.commute;
    const leave = start + rng.between(2, 10) * MINUTE;
    const arrive = leave + rng.between(15, 50) * MINUTE;
    const flapAt = Array.from({ length: flaps }, () => rng.between(leave, arrive)).sort((a, b) => a - b);
    return (time) => {
      if (time < leave) return fixed;
      if (time >= arrive) return { ip: office, country: home };
      // Station Wi-Fi for a minute or so around each flap, mobile data otherwise.
      for (const at of flapAt) if (time >= at && time < at + 70_000) return { ip: station, country: home };
      return mobile(time);
    };
  }
  if (persona.vpn && rng.chance(persona.vpn.share)) {
    const exit = rng.pick(persona.vpn.exits);
    if (rng.chance(persona.vpn.toggle)) {
      const switchAt = start + rng.between(1, 20) * MINUTE;
      const on = rng.chance(0.5);
      return (time) => (time < switchAt === on ? exit : fixed);
    }
    return () => exit;
  }
  if (device.type === 'phone' && persona.mobileIps.length > 0 && rng.chance(0.6)) return mobile;
  return () => fixed;
}

/** A phone on mobile data: the carrier's NAT gives it another shared public address every few minutes. */
function cgnat(rng: Rng, persona: Persona, start: number): (time: number) => Origin {
  const pool = persona.mobileIps.length > 0 ? persona.mobileIps : persona.fixedIps;
  const home = persona.country.code;
  let current: Origin = { ip: rng.pick(pool), country: home };
  let until = start + rng.exp(persona.cgnatMinutes * MINUTE);
  return (time) => {
    while (time >= until) {
      current = { ip: rng.pick(pool), country: home };
      until += rng.exp(persona.cgnatMinutes * MINUTE);
    }
    return current;
  };
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

/** A title by popularity, of one kind when asked (short-form readers stay with their form). */
export function pickTitle(rng: Rng, world: World, kind?: TitleKind): Title {
  const titles = kind ? (world.titlesByKind.get(kind) ?? world.catalog.titles) : world.catalog.titles;
  return rng.weighted(titles, (title) => title.popularity);
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
