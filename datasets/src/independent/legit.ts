/**
 * Legitimate readers: each archetype draws its own parameters from ranges and acts through the world. Shared
 * infrastructure (carrier NAT pools, campuses) is built once per population so that many readers share it.
 */
import type { ContentType, Title } from './catalog.ts';
import { COUNTRIES, drawPerson, fixed, itinerary, type Person, rotating, sessionStart } from './people.ts';
import type { Viewer, World } from './world.ts';

interface Campus {
  country: string;
  pool: string[];
}

export interface Shared {
  carrierPools: Map<string, string[]>;
  campuses: Campus[];
}

export function buildShared(world: World): Shared {
  const { draw, addresses } = world;
  const carrierPools = new Map<string, string[]>();
  for (const country of Object.keys(COUNTRIES))
    carrierPools.set(country, addresses.pool(draw, 'carrier', country, draw.int(12, 60)));
  const campuses = Array.from({ length: draw.int(4, 8) }, () => {
    const country = draw.pick(['US', 'US', 'GB', 'DE', 'CA', 'AU', 'NL', 'FR']);
    return { country, pool: addresses.pool(draw, 'campus', country, draw.int(1, 4)) };
  });
  return { carrierPools, campuses };
}

export type LegitKind =
  | 'casual'
  | 'binge'
  | 'short_form'
  | 'comic_reader'
  | 'listener'
  | 'commuter'
  | 'household'
  | 'traveller'
  | 'vpn'
  | 'mobile'
  | 'student';

export const LEGIT_MIX: Readonly<Record<LegitKind, number>> = {
  casual: 26,
  binge: 6,
  short_form: 11,
  comic_reader: 7,
  listener: 10,
  commuter: 6,
  household: 8,
  traveller: 3,
  vpn: 3,
  mobile: 9,
  student: 11,
};

const SHORT_TYPES: readonly ContentType[] = ['short_story', 'episode', 'comic'];
const COMICS: readonly ContentType[] = ['comic'];

function viewer(person: Person, device = 0, ip = fixed(person.homeIp)): Viewer {
  const d = person.devices[Math.min(device, person.devices.length - 1)]!;
  return { accountId: person.accountId, deviceId: d.id, ua: d.ua, ip };
}

/** A title the reader is in the middle of, and where they are in it. */
function bookmark(world: World, type?: ContentType): { title: Title; at: number } {
  const title = world.catalog.popular(world.draw, type);
  return { title, at: world.draw.chance(0.3) ? 0 : world.draw.int(0, Math.max(0, title.assets.length - 3)) };
}

/** Sessions per day and length in minutes; each session goes through one title from its bookmark. */
function sessions(
  world: World,
  person: Person,
  perDay: [number, number],
  minutes: [number, number],
  make: (t: number, minutes: number) => void,
): void {
  const { draw } = world;
  const days = (world.endMs - world.startMs) / 86_400_000;
  const count = draw.poisson(draw.between(perDay[0], perDay[1]) * days);
  for (let i = 0; i < count; i++)
    make(
      sessionStart(draw, person.country, world.startMs, world.endMs),
      draw.between(minutes[0], minutes[1]),
    );
}

function readFor(
  world: World,
  v: Viewer,
  title: Title,
  at: number,
  t: number,
  minutes: number,
  pace: number,
  prefetch: number,
): number {
  const until = t + minutes * 60_000;
  let i = at;
  while (t < until && i < title.assets.length) {
    t = world.read(v, title, i, 1, t, { pace, prefetch });
    i++;
  }
  return t;
}

export function legitReader(world: World, shared: Shared, kind: LegitKind): string {
  const { draw } = world;
  const prefetch = draw.chance(0.3) ? draw.int(1, 4) : 0;
  const pace = draw.between(0.5, 1.6);
  switch (kind) {
    case 'casual':
    case 'binge': {
      const person = drawPerson(world);
      const [perDay, minutes]: [[number, number], [number, number]] =
        kind === 'casual'
          ? [
              [0.5, 2.5],
              [10, 70],
            ]
          : [
              [1, 3],
              [90, 360],
            ];
      sessions(world, person, perDay, minutes, (t, m) => {
        const { title, at } = bookmark(world, draw.chance(0.8) ? 'ebook' : undefined);
        readFor(world, viewer(person, draw.int(0, 2)), title, at, t, m, pace, prefetch);
      });
      return person.accountId;
    }
    case 'short_form':
    case 'comic_reader': {
      const person = drawPerson(world);
      const types = (kind === 'comic_reader' ? COMICS : SHORT_TYPES).filter((type) =>
        world.catalog.stocks(type),
      );
      sessions(world, person, [0.7, 3], [15, 120], (t, m) => {
        const v = viewer(person, draw.int(0, 2));
        const until = t + m * 60_000;
        const fast = kind === 'comic_reader' ? draw.between(0.4, 1.2) : pace;
        while (t < until) {
          if (types.length === 0) {
            // A store stocking none of the reader's short forms: what it has, for the session's length only.
            const { title, at } = bookmark(world);
            t = readFor(world, v, title, at, t, (until - t) / 60_000, fast, prefetch + 1);
          } else {
            const title = world.catalog.popular(draw, kind === 'comic_reader' ? 'comic' : draw.pick(types));
            t = world.read(v, title, 0, title.assets.length, t, { pace: fast, prefetch: prefetch + 1 });
          }
          t += draw.between(2, 90) * 1000;
        }
      });
      return person.accountId;
    }
    case 'listener':
    case 'commuter': {
      const person = drawPerson(world);
      const pool = shared.carrierPools.get(person.country)!;
      const office = world.addresses.address(draw, 'residential', person.country);
      sessions(world, person, [1, 2.5], [20, 150], (t, m) => {
        let ip = fixed(person.homeIp);
        if (kind === 'commuter') {
          // Home Wi-Fi, then the carrier's NAT on the way, then the office network.
          const leave = t + draw.between(2, 15) * 60_000;
          const arrive = leave + draw.between(15, 60) * 60_000;
          ip = itinerary([
            [t, fixed(person.homeIp)],
            [leave, rotating(pool, draw.between(60, 900), draw.int(0, 1e6))],
            [arrive, fixed(office)],
          ]);
        }
        const { title, at } = bookmark(world, draw.chance(0.75) ? 'audiobook' : 'episode');
        readFor(world, viewer(person, 0, ip), title, at, t, m, draw.between(0.8, 1.0), prefetch);
      });
      return person.accountId;
    }
    case 'household': {
      // Up to three family devices on one account, often reading different titles at the same time at home.
      const person = drawPerson(world);
      while (person.devices.length < 3)
        person.devices.push({ id: `dev-${draw.id(20)}`, ua: person.devices[0]!.ua });
      const mobile = shared.carrierPools.get(person.country)!;
      for (let d = 0; d < 3; d++) {
        sessions(world, person, [0.5, 1.8], [15, 100], (t, m) => {
          const ip = draw.chance(0.2)
            ? rotating(mobile, draw.between(120, 900), draw.int(0, 1e6))
            : fixed(person.homeIp);
          const { title, at } = bookmark(world);
          readFor(world, viewer(person, d, ip), title, at, t, m, pace, prefetch);
        });
      }
      return person.accountId;
    }
    case 'traveller':
      return traveller(world, pace, prefetch);
    case 'vpn': {
      const person = drawPerson(world);
      const exits = Array.from({ length: draw.int(1, 3) }, () =>
        world.addresses.address(draw, 'vpn', draw.pick(['US', 'NL', 'GB', 'DE', 'SE', 'SG'])),
      );
      sessions(world, person, [0.6, 2], [15, 90], (t, m) => {
        const { title, at } = bookmark(world);
        readFor(world, viewer(person, 0, fixed(draw.pick(exits))), title, at, t, m, pace, prefetch);
      });
      return person.accountId;
    }
    case 'mobile': {
      const person = drawPerson(world);
      const pool = shared.carrierPools.get(person.country)!;
      sessions(world, person, [0.8, 3], [10, 80], (t, m) => {
        const ip = rotating(pool, draw.between(30, 600), draw.int(0, 1e6));
        const { title, at } = bookmark(world);
        readFor(world, viewer(person, 0, ip), title, at, t, m, pace, prefetch);
      });
      return person.accountId;
    }
    case 'student':
      return student(world, shared, pace);
  }
}

/** A student behind the campus NAT: research sessions that open many titles briefly, and ordinary reading. */
function student(world: World, shared: Shared, pace: number): string {
  const { draw } = world;
  const campus = draw.pick(shared.campuses);
  const person = drawPerson(world, campus.country);
  const nat = (t: number) =>
    campus.pool[Math.floor(t / 1000 / 3600 + person.accountId.charCodeAt(3)) % campus.pool.length]!;
  sessions(world, person, [0.8, 2.5], [20, 150], (t, m) => {
    const v = viewer(person, 0, draw.chance(0.75) ? nat : fixed(person.homeIp));
    const until = t + m * 60_000;
    if (draw.chance(0.5)) {
      // Research: skim the front matter and a chapter or two of title after title.
      while (t < until) {
        const title = world.catalog.popular(draw);
        t = world.read(v, title, 0, Math.min(title.assets.length, draw.int(2, 7)), t, {
          pace: draw.between(0.05, 0.4),
        });
        t += draw.between(10, 120) * 1000;
      }
    } else {
      const { title, at } = bookmark(world, 'ebook');
      readFor(world, v, title, at, t, m, pace, 0);
    }
  });
  return person.accountId;
}

/** Real flights: origin, destination, hours in the air. */
const FLIGHTS: readonly [string, string, number][] = [
  ['US', 'GB', 7],
  ['GB', 'US', 8.5],
  ['DE', 'US', 9.5],
  ['FR', 'JP', 13.5],
  ['GB', 'IN', 9.5],
  ['US', 'MX', 4.5],
  ['AU', 'SG', 8],
  ['NL', 'ES', 2.5],
  ['GB', 'FR', 1.3],
  ['CA', 'US', 1.5],
  ['DE', 'IT', 1.7],
  ['SG', 'JP', 6.8],
];

function traveller(world: World, pace: number, prefetch: number): string {
  const { draw, addresses } = world;
  const [from, to, hours] = draw.pick(FLIGHTS);
  const person = drawPerson(world, from);
  const depart = draw.between(world.startMs, world.endMs - hours * 3_600_000);
  const land = depart + hours * 3_600_000;
  const airportWifi = addresses.address(draw, 'residential', from);
  const roaming = addresses.address(draw, draw.chance(0.5) ? 'carrier' : 'residential', to);
  const ip = itinerary([
    [0, fixed(person.homeIp)],
    [depart - 2 * 3_600_000, fixed(airportWifi)],
    [land, fixed(roaming)],
  ]);
  const { title } = bookmark(world);
  let at = 0;
  sessions(world, person, [1.5, 3.5], [20, 120], (t, m) => {
    if (t >= depart && t < land) return; // no connectivity in the air
    const before = t;
    t = readFor(world, viewer(person, 0, ip), title, at, t, m, pace, prefetch);
    at += Math.max(1, Math.round((t - before) / 600_000));
    if (at >= title.assets.length) at = 0;
  });
  // Reading on landing, often with the token fetched before boarding if the flight was short.
  readFor(
    world,
    viewer(person, 0, ip),
    title,
    at,
    land + draw.between(5, 40) * 60_000,
    draw.between(15, 60),
    pace,
    prefetch,
  );
  return person.accountId;
}
