import { type Device, makeDevice, randomDeviceType } from './agents.ts';
import type { Title } from './catalog.ts';
import { COUNTRIES, type CountryProfile, travelHours, VPN_EXITS } from './networks.ts';
import { draw, drawInt, type ReaderRanges, type Span } from './profiles.ts';
import type { LegitArchetype, Persona, Sitting } from './reader.ts';
import { pickTitle } from './reader.ts';
import type { Population, SimulatedRequest } from './request.ts';
import type { Rng } from './rng.ts';
import { type ReadingHabits, readingSession } from './session.ts';
import type { World } from './world.ts';
import { HOUR_MS } from '@boundless/common/time';

/** Share of accounts per legitimate archetype; `campus` accounts are students of B2B organisations. */
export type PopulationMix = Readonly<Record<LegitArchetype, number>>;

/** A new device taking a reader's shelf for offline reading: whole titles at network speed, once. */
export interface ShelfSync {
  readonly persona: Persona;
  readonly device: Device;
  readonly at: number;
  readonly titles: readonly Title[];
  readonly gapMs: readonly [number, number];
  /** Titles downloaded side by side. */
  readonly parallel: number;
}

export interface BuiltPopulation {
  readonly personas: Persona[];
  readonly syncs: ShelfSync[];
}

const POPULATION: Record<LegitArchetype, Population> = {
  reader: 'b2c',
  binge: 'binge',
  short_form: 'short_form',
  comic: 'short_form',
  short_story: 'short_form',
  campus: 'campus',
  org_admin: 'org_admin',
  household: 'household',
  traveller: 'traveller',
  vpn: 'vpn',
  commuter: 'commuter',
  shelf_sync: 'shelf_sync',
};

/** Builds `readers` accounts' personas; households contribute one persona per member. */
export function buildPopulation(
  rng: Rng,
  world: World,
  readers: number,
  mix: PopulationMix,
): BuiltPopulation {
  const r = world.ranges.reader;
  const carriers = new CarrierPools(rng.fork('carriers'), world, readers);
  const personas: Persona[] = [];
  const syncs: ShelfSync[] = [];
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  const campusAccounts = Math.round((readers * (mix.campus + mix.org_admin)) / total);
  personas.push(
    ...buildCampuses(rng.fork('campus'), world, campusAccounts, mix.org_admin / (mix.campus + mix.org_admin)),
  );
  const b2c = (Object.keys(mix) as LegitArchetype[]).filter((a) => a !== 'campus' && a !== 'org_admin');
  const accountRng = rng.fork('b2c');
  for (let i = 0; i < readers - campusAccounts; i++) {
    const archetype = accountRng.weighted(b2c, (a) => mix[a]);
    const country = accountRng.weighted(COUNTRIES, (c) => c.share);
    const accountId = `acc-${accountRng.id(12)}`;
    const homeIp = world.ips.sample(accountRng, country.code, country.residential);
    const base = {
      accountId,
      country,
      fixedIps: [homeIp],
      mobileIps: carriers.poolFor(accountRng, country),
      cgnatMinutes: draw(accountRng, r.cgnat.addressMinutes),
      rhythm: 'home' as const,
      dailySessions: Math.min(10, accountRng.logNormal(draw(accountRng, r.sessionsPerDay), 0.5)),
      sessionMinutes: draw(accountRng, r.sessionMinutes),
      habits: habitsOf(accountRng, r),
    };
    if (archetype === 'household') {
      for (let m = 0, members = accountRng.int(2, 4); m < members; m++) {
        personas.push({
          ...base,
          actor: `household:${accountId}:${m}`,
          population: 'household',
          archetype,
          devices: [makeDevice(accountRng, randomDeviceType(accountRng))],
          habits: habitsOf(accountRng, r),
        });
      }
      continue;
    }
    const devices: Device[] = [];
    for (let d = accountRng.int(1, 3); d > 0; d--)
      devices.push(makeDevice(accountRng, randomDeviceType(accountRng)));
    const persona: Persona = {
      ...base,
      actor: `${archetype}:${accountId}`,
      population: POPULATION[archetype],
      archetype,
      devices,
      ...archetypeTraits(accountRng, world, archetype, country, base.sessionMinutes),
    };
    personas.push(persona);
    if (archetype === 'shelf_sync') syncs.push(planSync(accountRng, world, persona));
  }
  return { personas, syncs };
}

/** Per-persona reading habits drawn from the profile's ranges. */
function habitsOf(rng: Rng, r: ReaderRanges): ReadingHabits {
  const prefetches = rng.chance(draw(rng, r.prefetch.share));
  return {
    textDwellSeconds: draw(rng, r.textDwellSeconds),
    dwellSigma: draw(rng, r.dwellSigma),
    pageDwellSeconds: draw(rng, r.pageDwellSeconds),
    listeningSpeed: draw(rng, r.listeningSpeed),
    prefetchAhead: prefetches ? drawInt(rng, r.prefetch.partsAhead) : 0,
    retryRate: draw(rng, r.retries.rate),
  };
}

function archetypeTraits(
  rng: Rng,
  world: World,
  archetype: LegitArchetype,
  country: CountryProfile,
  sessionMinutes: number,
): Partial<Persona> {
  const r = world.ranges.reader;
  const sittingOf = (kind: Sitting['kind'], titles: readonly [number, number]): { sitting: Sitting } => ({
    sitting: { kind, titles: draw(rng, titles) },
  });
  switch (archetype) {
    case 'binge':
      return {
        dailySessions: draw(rng, r.binge.sessionsPerDay),
        sessionMinutes: draw(rng, r.binge.sessionMinutes),
        habits: { ...habitsOf(rng, r), textDwellSeconds: draw(rng, r.binge.textDwellSeconds) },
      };
    case 'short_form':
      return sittingOf('audio_episode', r.shortForm.titlesPerSession);
    case 'comic':
      return sittingOf('comic', r.comic.titlesPerSession);
    case 'short_story':
      return sittingOf('short_story', r.shortStory.titlesPerSession);
    case 'traveller':
      return { dailySessions: 2 * draw(rng, r.sessionsPerDay), trip: planTrip(rng, world, country) };
    case 'vpn':
      return {
        vpn: {
          // A provider's exit, in whatever country its address is (servers, not homes).
          exits: Array.from({ length: rng.int(1, 3) }, () => {
            const exit = rng.pick(VPN_EXITS);
            return (
              world.ips.sampleAsn(rng, exit.asn) ?? {
                ip: world.ips.sample(rng, exit.country, [exit.asn]),
                country: exit.country,
              }
            );
          }),
          share: draw(rng, r.vpn.sessionShare),
          toggle: draw(rng, r.vpn.toggleShare),
        },
      };
    case 'commuter': {
      const other = rng.pick(country.residential);
      return {
        commute: {
          office: world.ips.sample(rng, country.code, [other]),
          station: world.ips.sample(rng, country.code, country.residential),
          flaps: drawInt(rng, r.commuter.flaps),
        },
        sessionMinutes: Math.max(sessionMinutes, 40),
      };
    }
    default:
      return {};
  }
}

/** A real journey: departure some time into the run, door to door at cruise speed plus airports. */
function planTrip(rng: Rng, world: World, home: CountryProfile): Persona['trip'] {
  const r = world.ranges.reader.travel;
  const destination = rng.pick(COUNTRIES.filter((c) => c.code !== home.code));
  const departAt = world.start + rng.between(0.05, 0.5) * (world.end - world.start);
  const hours = travelHours(home.code, destination.code, draw(rng, r.cruiseKmh), draw(rng, r.airportHours));
  const ip = world.ips.sample(rng, destination.code, destination.residential);
  return { departAt, arriveAt: departAt + hours * HOUR_MS, country: destination, ip };
}

function planSync(rng: Rng, world: World, persona: Persona): ShelfSync {
  const r = world.ranges.reader.shelfSync;
  const count = drawInt(rng, r.titles);
  const titles = new Set<Title>();
  for (let i = 0; i < count * 3 && titles.size < count; i++) titles.add(pickTitle(rng, world));
  const device = makeDevice(rng, rng.chance(0.5) ? 'tablet' : rng.chance(0.5) ? 'phone' : 'ereader');
  const a = draw(rng, r.assetGapMs);
  return {
    persona,
    device,
    at: world.start + rng.between(0.02, 0.9) * (world.end - world.start),
    titles: [...titles],
    gapMs: [a * 0.5, a * 1.5],
    parallel: drawInt(rng, r.parallelTitles),
  };
}

/** The sync's requests, as `parallel` streams each taking every parallel-th title of the shelf. */
export function shelfSyncStreams(world: World, sync: ShelfSync, rng: Rng): Generator<SimulatedRequest>[] {
  const streams: Generator<SimulatedRequest>[] = [];
  for (let lane = 0; lane < sync.parallel; lane++) {
    const laneRng = rng.fork(`lane${lane}`);
    streams.push(
      (function* () {
        let t = sync.at + lane * laneRng.between(100, 900);
        for (const title of sync.titles.filter((_, i) => i % sync.parallel === lane)) {
          const outcome = yield* readingSession({
            rng: laneRng,
            world,
            actor: `${sync.persona.actor}:sync${lane}`,
            population: 'shelf_sync',
            accountId: sync.persona.accountId,
            device: sync.device,
            ip: sync.persona.fixedIps[0]!,
            country: sync.persona.country.code,
            title,
            bookmark: 0,
            returning: false,
            start: t,
            durationMs: 2 * HOUR_MS,
            offline: true,
            offlineGapMs: sync.gapMs,
          });
          t = outcome.end + laneRng.between(200, 2000);
        }
      })(),
    );
  }
  return streams;
}

/**
 * A sitting's span of parts per title, in whole parts and at least one: the count is drawn per title in the
 * sitting (reader.ts), not here, so building the persona draws nothing and the stream stays as it was.
 */
function wholeParts(span: Span): [number, number] {
  return [Math.max(1, Math.round(span[0])), Math.max(1, Math.round(span[1]))];
}

/** B2B organisations: many accounts, one to a few NAT addresses on the campus network, an administrator or two. */
function buildCampuses(rng: Rng, world: World, accounts: number, adminShare: number): Persona[] {
  const r = world.ranges.reader;
  const personas: Persona[] = [];
  let org = 0;
  while (personas.length < accounts) {
    org += 1;
    const country = rng.weighted(COUNTRIES, (c) => c.share);
    const natIps: string[] = [];
    for (let n = drawInt(rng, r.campus.natAddresses); n > 0; n--)
      natIps.push(world.ips.sample(rng, country.code, country.education));
    const size = Math.min(accounts - personas.length, drawInt(rng, r.campus.orgSize));
    const admins = Math.max(1, Math.round(size * adminShare));
    for (let s = 0; s < size; s++) {
      const admin = s < admins;
      const accountId = `org${org}-${rng.id(10)}`;
      const habits = habitsOf(rng, r);
      const sitting: Sitting = admin
        ? {
            titles: draw(rng, r.orgAdmin.titlesPerCheck),
            partsPerTitle: wholeParts(r.orgAdmin.partsPerTitle),
            secondsPerTitle: draw(rng, r.orgAdmin.secondsPerTitle),
          }
        : {
            titles: draw(rng, r.campus.titlesPerSession),
            partsPerTitle: wholeParts(r.campus.partsPerTitle),
          };
      personas.push({
        actor: `${admin ? 'org_admin' : 'campus'}:${accountId}`,
        population: admin ? 'org_admin' : 'campus',
        archetype: admin ? 'org_admin' : 'campus',
        accountId,
        country,
        devices: [makeDevice(rng, rng.chance(0.6) ? 'web' : 'tablet')],
        fixedIps: natIps,
        mobileIps: [],
        cgnatMinutes: 10,
        rhythm: 'campus',
        dailySessions: admin
          ? draw(rng, r.orgAdmin.checksPerDay)
          : Math.min(6, rng.logNormal(draw(rng, r.sessionsPerDay) * 0.9, 0.5)),
        sessionMinutes: draw(rng, r.sessionMinutes),
        habits: admin ? habits : { ...habits, textDwellSeconds: draw(rng, r.campus.dwellSeconds) },
        sitting,
      });
    }
  }
  return personas;
}

/** Carrier-grade NAT: each mobile operator exposes a small pool of public addresses for all its subscribers. */
class CarrierPools {
  private readonly pools = new Map<number, string[]>();

  constructor(
    private readonly rng: Rng,
    private readonly world: World,
    private readonly readers: number,
  ) {}

  poolFor(rng: Rng, country: CountryProfile): readonly string[] {
    const asn = rng.pick(country.mobile);
    let pool = this.pools.get(asn);
    if (!pool) {
      const size = Math.max(3, Math.round((this.readers * country.share) / 100 / 60));
      pool = [];
      for (let i = 0; i < size; i++) pool.push(this.world.ips.sample(this.rng, country.code, [asn]));
      this.pools.set(asn, pool);
    }
    return pool;
  }
}
