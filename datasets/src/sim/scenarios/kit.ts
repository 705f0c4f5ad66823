import { browserUserAgent, type Device, makeDevice } from '../agents.ts';
import type { Title } from '../catalog.ts';
import { COUNTRIES, type CountryProfile, HOSTING } from '../networks.ts';
import type { SimulatedRequest } from '../request.ts';
import type { Rng } from '../rng.ts';
import { readingSession } from '../session.ts';
import type { World } from '../world.ts';
import { MINUTE_MS } from '@boundless/common/time';

/**
 * Start of instance `index` of `count`: instances of one variant are spread over the run (5 % to 80 % of it),
 * each at a random point of its own slot, so episodes neither pile up nor sit on a grid.
 */
export function spreadStart(rng: Rng, world: World, index: number, count: number): number {
  const span = world.end - world.start;
  const slot = (0.75 * span) / count;
  return Math.round(world.start + 0.05 * span + slot * index + rng.between(0.1, 0.9) * slot);
}

export interface Origin {
  readonly ip: string;
  readonly country: string;
}

export function homeOrigin(rng: Rng, world: World, country: CountryProfile, mobile = false): Origin {
  return {
    ip: world.ips.sample(rng, country.code, mobile ? country.mobile : country.residential),
    country: country.code,
  };
}

export function randomHomeOrigin(rng: Rng, world: World): Origin {
  return homeOrigin(rng, world, pickCountry(rng), rng.chance(0.35));
}

export function hostingOrigin(rng: Rng, world: World): Origin {
  const host = rng.pick(HOSTING);
  return { ip: world.ips.sample(rng, host.country, [host.asn]), country: host.country };
}

export function pickCountry(rng: Rng): CountryProfile {
  return rng.weighted(COUNTRIES, (c) => c.share);
}

export function pickTitle(rng: Rng, world: World, kind?: Title['kind']): Title {
  const titles = kind ? (world.titlesByKind.get(kind) ?? world.catalog.titles) : world.catalog.titles;
  return rng.weighted(titles, (t) => t.popularity);
}

/** Everything a downloader takes from a title. */
export function titleParts(title: Title): string[] {
  return [...title.extras, ...title.sequence];
}

/** An ordinary, unlabelled reading session of the account a scenario abuses (the victim's own use). */
export function victimSession(
  rng: Rng,
  world: World,
  victim: { accountId: string; device: Device; origin: Origin; title: Title },
  start: number,
  durationMs: number,
  token?: Parameters<typeof readingSession>[0]['token'],
): Generator<SimulatedRequest> {
  return readingSession({
    rng,
    world,
    actor: `reader:${victim.accountId}`,
    population: 'b2c',
    accountId: victim.accountId,
    device: victim.device,
    ip: victim.origin.ip,
    country: victim.origin.country,
    title: victim.title,
    bookmark: rng.int(0, Math.max(1, Math.floor(victim.title.sequence.length / 2))),
    returning: true,
    start,
    durationMs,
    offline: false,
    token,
  }) as Generator<SimulatedRequest>;
}

export function appOrBrowserDevice(rng: Rng): Device {
  return makeDevice(rng, rng.chance(0.5) ? 'phone' : 'web');
}

export function agentFor(rng: Rng): string {
  return browserUserAgent(rng);
}

export function minutes(n: number): number {
  return n * MINUTE_MS;
}
