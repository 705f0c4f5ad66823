/**
 * Readers as people: a home country with its time zone, devices with their clients, the networks they use, and
 * when in the day and week they pick up a book.
 */
import type { NetworkKind } from './addresses.ts';
import type { Draw } from './draw.ts';
import type { World } from './world.ts';

/** Countries with their share of readers and UTC offset in hours (standard time is close enough). */
export const COUNTRIES: Readonly<Record<string, { share: number; utc: number }>> = {
  US: { share: 28, utc: -6 },
  GB: { share: 9, utc: 0 },
  DE: { share: 8, utc: 1 },
  FR: { share: 6, utc: 1 },
  CA: { share: 5, utc: -5 },
  IN: { share: 6, utc: 5.5 },
  BR: { share: 5, utc: -3 },
  ES: { share: 4, utc: 1 },
  IT: { share: 3, utc: 1 },
  NL: { share: 3, utc: 1 },
  AU: { share: 3, utc: 10 },
  JP: { share: 3, utc: 9 },
  MX: { share: 3, utc: -6 },
  PL: { share: 2, utc: 1 },
  SE: { share: 2, utc: 1 },
  IE: { share: 1, utc: 0 },
  NG: { share: 2, utc: 1 },
  KE: { share: 1, utc: 3 },
  ZA: { share: 1, utc: 2 },
  PH: { share: 2, utc: 8 },
  ID: { share: 2, utc: 7 },
  SG: { share: 1, utc: 8 },
};

const SHARES = Object.fromEntries(Object.entries(COUNTRIES).map(([c, v]) => [c, v.share])) as Record<
  string,
  number
>;

export function drawCountry(draw: Draw): string {
  return draw.weighted(SHARES);
}

const APP_UAS = [
  'BoundlessReader/5.3.1 (iPhone; iOS 17.6; Scale/3.00)',
  'BoundlessReader/5.3.0 (iPad; iOS 17.5; Scale/2.00)',
  'BoundlessReader/5.2.4 (Linux; Android 14; Pixel 8)',
  'BoundlessReader/5.3.1 (Linux; Android 13; SM-S911B)',
  'BoundlessReader/5.1.9 (Linux; Android 12; moto g power)',
  'BoundlessReader/4.9.2 (Linux; Android 11; Kobo Libra 2)',
];
const WEB_UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0',
];

export interface Device {
  id: string;
  ua: string;
}

export function drawDevice(draw: Draw): Device {
  return { id: `dev-${draw.id(20)}`, ua: draw.chance(0.72) ? draw.pick(APP_UAS) : draw.pick(WEB_UAS) };
}

export interface Person {
  accountId: string;
  country: string;
  devices: Device[];
  homeIp: string;
}

export function drawPerson(
  world: World,
  country = drawCountry(world.draw),
  homeKind: NetworkKind = 'residential',
): Person {
  const draw = world.draw;
  return {
    accountId: `u${draw.id(11)}`,
    country,
    devices: Array.from({ length: draw.int(1, 3) }, () => drawDevice(draw)),
    homeIp: world.addresses.address(draw, homeKind, country),
  };
}

/** Relative likelihood of reading at a local hour: evenings most, commutes and lunch some, nights little. */
const HOURLY = [
  0.25, 0.12, 0.07, 0.05, 0.05, 0.1, 0.3, 0.7, 0.9, 0.6, 0.5, 0.6, 0.9, 0.7, 0.55, 0.55, 0.65, 0.85, 1.0, 1.2,
  1.45, 1.5, 1.2, 0.6,
];

function localActivity(country: string, t: number): number {
  const offset = COUNTRIES[country]?.utc ?? 0;
  const local = new Date(t + offset * 3_600_000);
  const weekend = local.getUTCDay() === 0 || local.getUTCDay() === 6 ? 1.3 : 1;
  return HOURLY[local.getUTCHours()]! * weekend;
}

/** A session start in [from, to), drawn by the country's daily and weekly rhythm. */
export function sessionStart(draw: Draw, country: string, from: number, to: number): number {
  for (let i = 0; i < 40; i++) {
    const t = draw.between(from, to);
    if (draw.unit() * 1.95 < localActivity(country, t)) return t;
  }
  return draw.between(from, to);
}

/**
 * Addresses handed out by a carrier-grade NAT: many subscribers share a pool, and one subscriber's public
 * address changes every few minutes as flows are re-mapped.
 */
export function rotating(pool: readonly string[], periodS: number, salt: number): (t: number) => string {
  return (t) => {
    const slot = Math.floor(t / 1000 / periodS) + salt;
    const mixed = Math.imul(slot ^ (slot >>> 13), 0x5bd1e995) >>> 0;
    return pool[mixed % pool.length]!;
  };
}

/** A network that changes at given times: commutes, travel. `legs` are [from ms, address function]. */
export function itinerary(legs: readonly [number, (t: number) => string][]): (t: number) => string {
  return (t) => {
    let current = legs[0]![1];
    for (const [from, ip] of legs) if (t >= from) current = ip;
    return current(t);
  };
}

export const fixed =
  (ip: string): ((t: number) => string) =>
  () =>
    ip;
