import { type Device, makeDevice, randomDeviceType } from './agents.ts';
import { COUNTRIES, type CountryProfile, travelHours } from './networks.ts';
import type { Persona } from './reader.ts';
import type { Rng } from './rng.ts';
import type { World } from './world.ts';

/** How the legitimate population splits; every group is a hard negative for some detector. */
interface PopulationMix {
  /** Share of accounts that are students of B2B campuses behind NAT. */
  readonly campus: number;
  /** Share of B2C accounts shared by a household (2-3 people, within the 3-device limit). */
  readonly household: number;
  /** Share of B2C readers who travel to another country during the run. */
  readonly travellers: number;
}

const DEFAULT_MIX: PopulationMix = { campus: 0.2, household: 0.15, travellers: 0.03 };

const HOUR = 3_600_000;

/** Builds `readers` accounts' personas; households contribute one persona per member. */
export function buildPopulation(rng: Rng, world: World, readers: number, mix = DEFAULT_MIX): Persona[] {
  const carriers = new CarrierPools(rng.fork('carriers'), world, readers);
  const personas: Persona[] = [];
  const campusAccounts = Math.round(readers * mix.campus);
  personas.push(...buildCampuses(rng.fork('campus'), world, campusAccounts));
  const accountRng = rng.fork('b2c');
  for (let i = 0; i < readers - campusAccounts; i++) {
    const country = accountRng.weighted(COUNTRIES, (c) => c.share);
    const accountId = `acc-${accountRng.id(12)}`;
    const homeIp = world.ips.sample(accountRng, country.code, country.residential);
    const mobileIps = carriers.poolFor(accountRng, country);
    const dailySessions = Math.min(8, accountRng.logNormal(1.6, 0.6));
    if (accountRng.chance(mix.household)) {
      const members = accountRng.int(2, 4);
      for (let m = 0; m < members; m++) {
        const device = makeDevice(accountRng, randomDeviceType(accountRng));
        personas.push({
          actor: `household:${accountId}:${m}`,
          population: 'household',
          accountId,
          country,
          devices: [device],
          fixedIps: [homeIp],
          mobileIps,
          rhythm: 'home',
          dailySessions,
        });
      }
      continue;
    }
    const devices: Device[] = [];
    for (let d = accountRng.int(1, 4); d > 0; d--)
      devices.push(makeDevice(accountRng, randomDeviceType(accountRng)));
    const travelling = accountRng.chance(mix.travellers);
    personas.push({
      actor: `${travelling ? 'traveller' : 'reader'}:${accountId}`,
      population: travelling ? 'traveller' : 'b2c',
      accountId,
      country,
      devices,
      fixedIps: [homeIp],
      mobileIps,
      rhythm: 'home',
      dailySessions: travelling ? dailySessions * 2 : dailySessions,
      trip: travelling ? planTrip(accountRng, world, country) : undefined,
    });
  }
  return personas;
}

function planTrip(rng: Rng, world: World, home: CountryProfile): Persona['trip'] {
  const destination = rng.pick(COUNTRIES.filter((c) => c.code !== home.code));
  const departAt = world.start + rng.between(0.05, 0.5) * (world.end - world.start);
  const arriveAt = departAt + travelHours(home.code, destination.code) * HOUR * rng.between(1.1, 1.5);
  const ip = world.ips.sample(rng, destination.code, destination.residential);
  return { departAt, arriveAt, country: destination, ip };
}

/** B2B organisations: many accounts, one to three NAT addresses on the campus network. */
function buildCampuses(rng: Rng, world: World, accounts: number): Persona[] {
  const personas: Persona[] = [];
  let org = 0;
  while (personas.length < accounts) {
    org += 1;
    const country = rng.weighted(COUNTRIES, (c) => c.share);
    const natIps: string[] = [];
    for (let n = rng.int(1, 4); n > 0; n--)
      natIps.push(world.ips.sample(rng, country.code, country.education));
    const size = Math.min(accounts - personas.length, rng.int(40, 260));
    for (let s = 0; s < size; s++) {
      const accountId = `org${org}-${rng.id(10)}`;
      personas.push({
        actor: `campus:${accountId}`,
        population: 'campus',
        accountId,
        country,
        devices: [makeDevice(rng, rng.chance(0.6) ? 'web' : 'tablet')],
        fixedIps: natIps,
        mobileIps: [],
        rhythm: 'campus',
        dailySessions: Math.min(6, rng.logNormal(1.4, 0.5)),
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
