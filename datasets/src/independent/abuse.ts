/**
 * Abuse archetypes, each with parameter ranges, and the labels (DESIGN §4.3) that say exactly what is abuse:
 * kind, the subject keys a detection may name, and when it ran.
 */
import type { Title } from './catalog.ts';
import { COUNTRIES, drawCountry, drawDevice, drawPerson, fixed } from './people.ts';
import type { Viewer, World } from './world.ts';

export interface Label {
  kind: 'token_sharing' | 'scraping' | 'geo_spike';
  subject: { tokenId?: string; accountId?: string; ip?: string; country?: string };
  start: string;
  end: string;
}

export type AbuseKind =
  | 'proxy_scraper'
  | 'paced_scraper'
  | 'sharing_ring'
  | 'spoofed_devices'
  | 'slow_enumeration'
  | 'bulk_download'
  | 'public_token'
  | 'cross_country'
  | 'geo_spike';

const SCRAPER_UAS = [
  'python-requests/2.32.3',
  'Go-http-client/2.0',
  'curl/8.7.1',
  'Wget/1.21.4',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  'BoundlessReader/5.3.1 (iPhone; iOS 17.6; Scale/3.00)',
];

function span(world: World, from: number, to: number): { start: string; end: string } {
  const clamp = (t: number) => Math.min(world.endMs - 1, Math.max(world.startMs, t));
  return { start: new Date(clamp(from)).toISOString(), end: new Date(clamp(to)).toISOString() };
}

function begin(world: World, latestShare = 0.7): number {
  return world.draw.between(world.startMs, world.startMs + (world.endMs - world.startMs) * latestShare);
}

/** Walks titles in order, every asset, with `gap` seconds between fetches, until `until`; returns the end time. */
function walk(
  world: World,
  v: Viewer,
  titles: readonly Title[],
  t: number,
  until: number,
  gap: number,
  coverage = 1,
): number {
  for (const title of titles) {
    if (t >= until) break;
    const count = Math.max(1, Math.round(title.assets.length * coverage));
    t = world.read(v, title, 0, count, t, { pace: 1, gap });
  }
  return Math.min(t, until);
}

export function abuse(world: World, kind: AbuseKind): Label[] {
  const { draw, addresses, catalog } = world;
  const person = drawPerson(world);
  const device = person.devices[0]!;
  const base: Viewer = {
    accountId: person.accountId,
    deviceId: device.id,
    ua: device.ua,
    ip: fixed(person.homeIp),
  };
  const account = { accountId: person.accountId };
  switch (kind) {
    case 'proxy_scraper': {
      // One account's tokens, every request through a different residential proxy in many countries.
      const proxies = Array.from({ length: draw.int(300, 3000) }, () =>
        addresses.address(draw, 'residential', drawCountry(draw)),
      );
      const v = { ...base, ua: draw.pick(SCRAPER_UAS), ip: () => draw.pick(proxies) };
      const t0 = begin(world);
      const end = walk(
        world,
        v,
        catalog.inIdOrder().slice(draw.int(0, 200)),
        t0,
        t0 + draw.between(1, 8) * 3_600_000,
        draw.between(0.3, 4),
      );
      return [
        { kind: 'scraping', subject: account, ...span(world, t0, end) },
        { kind: 'token_sharing', subject: account, ...span(world, t0, end) },
      ];
    }
    case 'paced_scraper': {
      // Paced like a reader, but around the clock, every asset of title after title, never back.
      const t0 = begin(world, 0.4);
      const titles = [...catalog.titles];
      for (let i = titles.length - 1; i > 0; i--) {
        const j = draw.int(0, i);
        [titles[i], titles[j]] = [titles[j]!, titles[i]!];
      }
      const end = walk(world, base, titles, t0, world.endMs, draw.between(12, 50));
      return [{ kind: 'scraping', subject: account, ...span(world, t0, end) }];
    }
    case 'slow_enumeration': {
      // Started before the window and goes on after it: the first assets of every title in catalog order.
      const t0 = world.startMs;
      const v = { ...base, ua: draw.pick(SCRAPER_UAS) };
      const end = walk(
        world,
        v,
        catalog.inIdOrder().slice(draw.int(0, 100)),
        t0,
        world.endMs,
        draw.between(40, 240),
        0.15,
      );
      return [{ kind: 'scraping', subject: account, ...span(world, t0, end) }];
    }
    case 'bulk_download': {
      const ip = draw.chance(0.5) ? addresses.address(draw, 'cloud', '*') : person.homeIp;
      const v = { ...base, ua: draw.pick(SCRAPER_UAS), ip: fixed(ip) };
      const t0 = begin(world);
      const titles = Array.from({ length: draw.int(20, 150) }, () => draw.pick(catalog.titles));
      const end = walk(world, v, titles, t0, t0 + draw.between(0.5, 3) * 3_600_000, draw.between(0.1, 1));
      return [{ kind: 'scraping', subject: account, ...span(world, t0, end) }];
    }
    case 'sharing_ring':
    case 'cross_country': {
      // One account's titles read at once by several people in their own homes, with the holder's device id.
      const members = kind === 'sharing_ring' ? draw.int(5, 15) : draw.int(2, 3);
      // A ring reads in the holder's country and one other (maybe the same); a cross-country episode's other
      // members read abroad, as its label says.
      const countries =
        kind === 'sharing_ring'
          ? [person.country, drawCountry(draw)]
          : Object.keys(COUNTRIES).filter((c) => c !== person.country);
      const t0 = begin(world, 0.6);
      const t1 = t0 + draw.between(3, 14) * 3_600_000;
      for (let m = 0; m < members; m++) {
        const ip = fixed(
          m === 0 ? person.homeIp : addresses.address(draw, 'residential', draw.pick(countries)),
        );
        const v = {
          ...base,
          ip,
          deviceId: kind === 'cross_country' ? person.devices[m % person.devices.length]!.id : device.id,
        };
        for (let t = t0 + draw.between(0, 3_600_000); t < t1; t += draw.between(30, 120) * 60_000) {
          const title = catalog.popular(draw);
          t = world.read(v, title, 0, draw.int(4, 25), t, { pace: draw.between(0.5, 1.2) });
        }
      }
      return [{ kind: 'token_sharing', subject: account, ...span(world, t0, t1) }];
    }
    case 'spoofed_devices': {
      // A leaked account used by many clients, each claiming a device id of its own.
      const t0 = begin(world, 0.6);
      const t1 = t0 + draw.between(2, 10) * 3_600_000;
      for (let c = draw.int(6, 25); c > 0; c--) {
        const d = drawDevice(draw);
        const v = {
          accountId: person.accountId,
          deviceId: d.id,
          ua: d.ua,
          ip: fixed(addresses.address(draw, 'residential', drawCountry(draw))),
        };
        const t = draw.between(t0, t1 - 600_000);
        world.read(v, catalog.popular(draw), 0, draw.int(5, 30), t, { pace: draw.between(0.3, 1) });
      }
      return [{ kind: 'token_sharing', subject: account, ...span(world, t0, t1) }];
    }
    case 'public_token': {
      // A token posted publicly: addresses everywhere use it until it expires, then get refused.
      const title = catalog.popular(draw);
      const t0 = begin(world);
      const token = world.token(person.accountId, device.id, title, t0);
      const users = draw.int(40, 400);
      let last = t0;
      for (let u = 0; u < users; u++) {
        const ip = addresses.address(draw, draw.chance(0.3) ? 'carrier' : 'residential', drawCountry(draw));
        const t = t0 + draw.exp(20 * 60_000);
        const v = { ...base, ip: fixed(ip), ua: draw.pick([...SCRAPER_UAS, device.ua]) };
        if (t < token.exp * 1000) {
          for (let i = 0, at = t; i < draw.int(1, 6); i++, at += draw.between(2, 60) * 1000)
            world.fetch(v, title, Math.min(i, title.assets.length - 1), at, token.bbt);
          last = Math.max(last, t);
        } else {
          world.record({
            t,
            ip,
            path: `/titles/${title.id}/${title.assets[0]!.name}`,
            query: `bbt=${token.bbt}`,
            status: 403,
            bytes: 380,
            ua: v.ua,
            contentType: 'application/json',
            hit: false,
          });
        }
      }
      return [
        { kind: 'token_sharing', subject: { tokenId: token.tokenId, ...account }, ...span(world, t0, last) },
      ];
    }
    case 'geo_spike': {
      // A link to the catalog goes round one smaller market's piracy forums: thousands of visits from there, to
      // the public samples and, with stale or missing tokens, to the assets (refused). No account takes part.
      const country = draw.pick(Object.keys(COUNTRIES).filter((c) => COUNTRIES[c]!.share <= 3));
      const t0 = begin(world);
      const t1 = t0 + draw.between(20, 90) * 60_000;
      const title = catalog.popular(draw);
      const stale = world.token(person.accountId, device.id, title, t0 - 3 * 3_600_000);
      for (let n = draw.int(80, 400); n > 0; n--) {
        const ip = addresses.address(draw, draw.chance(0.3) ? 'carrier' : 'residential', country);
        const ua = draw.pick([...SCRAPER_UAS, device.ua]);
        let t = draw.between(t0, t1 - 120_000);
        for (let r = draw.int(2, 10); r > 0; r--, t += draw.between(1, 30) * 1000) {
          const asset = title.assets[Math.min(title.assets.length - 1, draw.int(0, 6))]!;
          const sample = draw.chance(0.5);
          world.record({
            t,
            ip,
            path: sample ? `/public/titles/${title.id}/sample.html` : `/titles/${title.id}/${asset.name}`,
            query: sample ? '-' : draw.chance(0.5) ? stale.query : '-',
            status: sample ? 200 : 403,
            bytes: sample ? 24_000 : 380,
            ua,
            contentType: sample ? 'text/html' : 'application/json',
            hit: sample,
          });
        }
      }
      // The stale token goes round with the link: a public token, refused, but shared all the same.
      return [
        { kind: 'geo_spike', subject: { country }, ...span(world, t0, t1) },
        { kind: 'token_sharing', subject: { tokenId: stale.tokenId, ...account }, ...span(world, t0, t1) },
      ];
    }
  }
}

export const ABUSE_KINDS: readonly AbuseKind[] = [
  'proxy_scraper',
  'paced_scraper',
  'sharing_ring',
  'spoofed_devices',
  'slow_enumeration',
  'bulk_download',
  'public_token',
  'cross_country',
  'geo_spike',
];
