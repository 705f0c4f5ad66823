/**
 * Legitimate behaviour that looks like abuse: classrooms opening one title together behind one address, library
 * kiosks where patron after patron signs in on one device, a new device syncing a whole shelf, text-to-speech
 * readers fetching ahead fast, organisation admins checking titles, verified crawlers, a release-day burst.
 */
import type { Shared } from './legit.ts';
import { drawCountry, drawDevice, drawPerson, fixed, sessionStart } from './people.ts';
import type { World } from './world.ts';

/** Accounts that took part, so the caller can count legitimate readers. */
type Accounts = string[];

export function classroom(world: World, shared: Shared): Accounts {
  const { draw } = world;
  const campus = draw.pick(shared.campuses);
  const title = world.catalog.popular(draw, 'ebook');
  const t0 = sessionStart(draw, campus.country, world.startMs, world.endMs);
  const accounts: Accounts = [];
  const ip = fixed(draw.pick(campus.pool));
  for (let s = draw.int(15, 40); s > 0; s--) {
    const p = drawPerson(world, campus.country);
    const d = p.devices[0]!;
    const chapters = draw.int(2, 6);
    world.read(
      { accountId: p.accountId, deviceId: d.id, ua: d.ua, ip },
      title,
      0,
      4 + chapters,
      t0 + draw.between(0, 90) * 1000,
      { pace: draw.between(0.4, 1.2) },
    );
    accounts.push(p.accountId);
  }
  return accounts;
}

export function kiosk(world: World): Accounts {
  const { draw, addresses } = world;
  const country = drawCountry(draw);
  const ip = fixed(addresses.address(draw, 'residential', country));
  const device = drawDevice(draw);
  const accounts: Accounts = [];
  let t = sessionStart(draw, country, world.startMs, world.startMs + 6 * 3_600_000);
  while (t < world.endMs) {
    const p = drawPerson(world, country);
    const title = world.catalog.popular(draw);
    const v = { accountId: p.accountId, deviceId: device.id, ua: device.ua, ip };
    t =
      world.read(v, title, 0, draw.int(3, 15), t, { pace: draw.between(0.5, 1.2) }) +
      draw.between(1, 30) * 60_000;
    accounts.push(p.accountId);
  }
  return accounts;
}

/** A reader sets up a new device and it downloads the whole shelf for offline reading. */
export function shelfSync(world: World): Accounts {
  const { draw } = world;
  const p = drawPerson(world);
  const d = drawDevice(draw);
  const v = { accountId: p.accountId, deviceId: d.id, ua: d.ua, ip: fixed(p.homeIp) };
  let t = sessionStart(draw, p.country, world.startMs, world.endMs);
  for (let n = draw.int(8, 45); n > 0; n--) {
    const title = world.catalog.popular(draw);
    t = world.read(v, title, 0, title.assets.length, t, { pace: 1, gap: draw.between(0.05, 0.6) });
  }
  return [p.accountId];
}

/** Text-to-speech reading at several times speech speed, the app fetching chapters well ahead. */
export function speechReader(world: World): Accounts {
  const { draw } = world;
  const p = drawPerson(world);
  const d = p.devices[0]!;
  const v = { accountId: p.accountId, deviceId: d.id, ua: d.ua, ip: fixed(p.homeIp) };
  const days = (world.endMs - world.startMs) / 86_400_000;
  for (let s = draw.poisson(draw.between(1, 3) * days); s > 0; s--) {
    let t = sessionStart(draw, p.country, world.startMs, world.endMs);
    const until = t + draw.between(60, 300) * 60_000;
    while (t < until && t < world.endMs) {
      const title = world.catalog.popular(draw, 'ebook');
      t = world.read(v, title, 0, title.assets.length, t, {
        pace: draw.between(0.15, 0.4),
        prefetch: draw.int(3, 8),
      });
    }
  }
  return [p.accountId];
}

/** An organisation admin checking that licensed titles open: front matter of title after title. */
export function orgAdmin(world: World, shared: Shared): Accounts {
  const { draw } = world;
  const campus = draw.pick(shared.campuses);
  const p = drawPerson(world, campus.country);
  const d = p.devices[0]!;
  const v = { accountId: p.accountId, deviceId: d.id, ua: d.ua, ip: fixed(campus.pool[0]!) };
  let t = sessionStart(draw, p.country, world.startMs, world.endMs);
  for (let n = draw.int(15, 80); n > 0; n--) {
    const title = draw.pick(world.catalog.titles);
    t = world.read(v, title, 0, Math.min(3, title.assets.length), t, { pace: 1, gap: draw.between(2, 15) });
  }
  return [p.accountId];
}

/** A verified search crawler on the public pages: no token, its owner's network, its published agent. */
export function crawler(world: World): void {
  const { draw, addresses } = world;
  const pool = addresses.pool(draw, 'crawler', '*', draw.int(3, 12));
  const ua = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
  const rate = draw.between(0.05, 0.5);
  for (let t = world.startMs; t < world.endMs; t += draw.exp(1000 / rate)) {
    const title = world.catalog.popular(draw);
    const path = draw.chance(0.02)
      ? '/robots.txt'
      : `/public/titles/${title.id}/${draw.pick(['index.html', 'cover.jpg', 'sample.html'])}`;
    world.record({
      t,
      ip: draw.pick(pool),
      path,
      query: '-',
      status: 200,
      bytes: draw.int(2_000, 90_000),
      ua,
      contentType: 'text/html',
      hit: draw.chance(0.7),
    });
  }
}

/** A new release: readers everywhere open it within the first hours, in proportion to each country's readers. */
export function releaseBurst(world: World, shared: Shared, readers: number, at: number): Accounts {
  const { draw } = world;
  const title = world.catalog.popular(draw, 'ebook');
  const accounts: Accounts = [];
  for (let n = Math.round(readers * draw.between(0.04, 0.1)); n > 0; n--) {
    const country = drawCountry(draw);
    const p = drawPerson(world, country, draw.chance(0.2) ? 'carrier' : 'residential');
    const d = p.devices[0]!;
    const ip = draw.chance(0.15) ? fixed(draw.pick(shared.carrierPools.get(country)!)) : fixed(p.homeIp);
    const t = at + draw.exp(40 * 60_000);
    world.read({ accountId: p.accountId, deviceId: d.id, ua: d.ua, ip }, title, 0, draw.int(5, 20), t, {
      pace: draw.between(0.6, 1.4),
      prefetch: 1,
    });
    accounts.push(p.accountId);
  }
  return accounts;
}
