import { browserUserAgent } from '../agents.ts';
import type { CountryProfile } from '../networks.ts';
import { type RequestStream, type SimulatedRequest, simulatedRequest } from '../request.ts';
import type { Rng } from '../rng.ts';
import { draw, drawInt } from '../profiles.ts';
import type { World } from '../world.ts';
import { homeOrigin, minutes, type Origin, pickTitle } from './kit.ts';
import type { Scenario } from './types.ts';

const MOBILE_BROWSERS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 13; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Mobile Safari/537.36',
];

interface Visit {
  readonly actor: string;
  readonly label: string;
  readonly origin: Origin;
  readonly userAgent: string;
  readonly referer?: string;
  readonly paths: readonly string[];
  readonly start: number;
  readonly meanGapMs: number;
}

function* visit(rng: Rng, v: Visit): Generator<SimulatedRequest> {
  let t = v.start;
  const port = rng.int(32768, 61000);
  for (const path of v.paths) {
    yield simulatedRequest({
      time: Math.round(t),
      actor: v.actor,
      population: 'abuse',
      label: v.label,
      ip: v.origin.ip,
      country: v.origin.country,
      path,
      userAgent: v.userAgent,
      referer: t === v.start ? v.referer : undefined,
      port,
    });
    t += 800 + rng.exp(v.meanGapMs);
  }
}

/**
 * A bot farm renting residential and mobile addresses in one country: thousands of addresses, each only a few
 * requests (so no single address looks like a scraper), probing pages and token-less asset URLs (403).
 */
export function botFarm(
  rng: Rng,
  world: World,
  country: CountryProfile,
  id: string,
  start: number,
): Scenario {
  const bots = drawInt(rng, world.ranges.abuse.botFarm.bots);
  const durationMs = minutes(draw(rng, world.ranges.abuse.botFarm.minutes));
  const streams: RequestStream[] = [];
  const pages = world.catalog.publicPages;
  for (let i = 0; i < bots; i++) {
    // Most bots join within the first few minutes: the surge is sudden, then sustained.
    const joinAt = start + (rng.chance(0.6) ? rng.between(0, minutes(3)) : rng.between(0, durationMs));
    const paths = Array.from({ length: rng.int(3, 16) }, () => {
      if (rng.chance(0.7)) return rng.pick(pages);
      const title = pickTitle(rng, world);
      return rng.pick(title.sequence.length > 0 ? title.sequence : title.extras);
    });
    streams.push(
      visit(rng, {
        actor: `abuse:${id}:bot${i}`,
        label: id,
        origin: homeOrigin(rng, world, country, rng.chance(0.4)),
        userAgent: browserUserAgent(rng),
        paths,
        start: Math.round(joinAt),
        meanGapMs: rng.between(5_000, 40_000),
      }),
    );
  }
  return {
    id,
    kind: 'geo_spike',
    variant: 'bot_farm',
    description:
      'A sudden surge from one country with almost no readers: a bot farm on rented residential and mobile addresses, few requests per address, mostly public pages and token-less asset URLs.',
    plannedStart: start,
    params: { country: country.code, bots, durationMinutes: Math.round(durationMs / 60_000) },
    labels: [{ id, scenarioId: id, kind: 'geo_spike', subject: { country: country.code } }],
    streams,
  };
}

/** A link to one title goes viral in one country: a crowd of first-time visitors on its public pages. */
export function viralLink(
  rng: Rng,
  world: World,
  country: CountryProfile,
  id: string,
  start: number,
): Scenario {
  const visitors = drawInt(rng, world.ranges.abuse.viral.visitors);
  const title = pickTitle(rng, world);
  const referer = rng.pick([
    'https://t.co/',
    'https://www.instagram.com/',
    'https://www.tiktok.com/',
    'https://l.facebook.com/',
  ]);
  const decay = minutes(draw(rng, world.ranges.abuse.viral.decayMinutes));
  const mobilePool: Origin[] = Array.from({ length: rng.int(20, 60) }, () =>
    homeOrigin(rng, world, country, true),
  );
  const streams: RequestStream[] = [];
  for (let i = 0; i < visitors; i++) {
    const paths = [`/public/titles/${title.id}.html`];
    if (rng.chance(0.6)) paths.push(`/public/titles/${title.id}/preview.html`);
    if (rng.chance(0.2)) paths.push('/public/index.html');
    if (rng.chance(0.1)) paths.push(rng.pick(world.catalog.publicPages));
    const mobile = rng.chance(0.7);
    streams.push(
      visit(rng, {
        actor: `abuse:${id}:visitor${i}`,
        label: id,
        // Phones behind carrier NAT share addresses: many visitors, fewer distinct IPs.
        origin: mobile ? rng.pick(mobilePool) : homeOrigin(rng, world, country),
        userAgent: mobile ? rng.pick(MOBILE_BROWSERS) : browserUserAgent(rng),
        referer,
        paths,
        start: Math.round(start + rng.between(0, minutes(4)) + rng.exp(decay)),
        meanGapMs: rng.between(5_000, 60_000),
      }),
    );
  }
  return {
    id,
    kind: 'geo_spike',
    variant: 'viral_link',
    description:
      'A social-media link to one title goes viral in one country: thousands of first-time visitors on its public page and preview within minutes, decaying over the next hour.',
    plannedStart: start,
    params: {
      country: country.code,
      visitors,
      titleId: title.id,
      referer,
      decayMinutes: Math.round(decay / 60_000),
    },
    labels: [{ id, scenarioId: id, kind: 'geo_spike', subject: { country: country.code } }],
    streams,
  };
}
