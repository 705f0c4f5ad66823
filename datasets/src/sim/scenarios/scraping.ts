import { deviceId, TOOL_AGENTS } from '../agents.ts';
import type { Title } from '../catalog.ts';
import type { LabelSubject, PlannedLabel } from '../labels.ts';
import { numberToIp, ipToNumber } from '../ip-space.ts';
import { type RequestStream, type SimulatedRequest, simulatedRequest } from '../request.ts';
import type { Rng } from '../rng.ts';
import { type IssuedToken, issueToken } from '../tokens.ts';
import type { World } from '../world.ts';
import { agentFor, homeOrigin, hostingOrigin, minutes, type Origin, pickCountry, titleParts } from './kit.ts';
import type { Scenario } from './types.ts';

/** How one scraper walks the catalog. */
interface Crawl {
  readonly actor: string;
  readonly label: string;
  readonly origin: Origin;
  readonly accountId: string;
  readonly deviceId: string;
  readonly userAgent: string;
  readonly titles: readonly Title[];
  readonly pathsOf: (title: Title) => readonly string[];
  readonly gap: (rng: Rng) => number;
  readonly query?: (rng: Rng, time: number) => string;
  readonly start: number;
  readonly stopAt: number;
}

/** Requests every part of title after title; a fresh token per title, as the access API hands them out. */
function* crawl(rng: Rng, c: Crawl): Generator<SimulatedRequest> {
  let t = c.start;
  const port = rng.int(32768, 61000);
  for (const title of c.titles) {
    const token: IssuedToken = issueToken(
      rng,
      { accountId: c.accountId, deviceId: c.deviceId, titleId: title.id },
      t - 400,
    );
    for (const path of c.pathsOf(title)) {
      if (t >= c.stopAt) return;
      yield simulatedRequest({
        time: Math.round(t),
        actor: c.actor,
        population: 'abuse',
        label: c.label,
        ip: c.origin.ip,
        country: c.origin.country,
        path,
        query: c.query?.(rng, t),
        token,
        deviceId: c.deviceId,
        userAgent: c.userAgent,
        port,
      });
      t += c.gap(rng);
    }
  }
}

type Variant =
  | 'bulk_download'
  | 'sequential_enumeration'
  | 'robotic_interval'
  | 'cache_busting'
  | 'low_and_slow';

const DESCRIPTIONS: Record<Variant | 'distributed', string> = {
  bulk_download:
    'One account downloads whole titles one after another from a cloud server, several requests a second.',
  sequential_enumeration:
    'Walks the catalog in id order and guesses chapter numbers past the end of each book (404s), at a steady pace.',
  robotic_interval:
    'A script behind a browser user agent fetching one part at a fixed period, to the millisecond.',
  cache_busting:
    'Adds a random query parameter to every request so that no edge cache answers: every request is a Miss.',
  low_and_slow:
    'A residential address taking one part every half minute or so, for hours and through the night, across many titles.',
  distributed:
    'One account scraping through a handful of neighbouring cloud addresses, each modest on its own.',
};

interface ScraperPlan {
  readonly origin: Origin;
  readonly userAgent: string;
  readonly titles: readonly Title[];
  readonly pathsOf: (title: Title) => readonly string[];
  readonly gap: (rng: Rng) => number;
  readonly query?: (rng: Rng, time: number) => string;
  readonly stopAt: number;
  readonly params: Record<string, number | string>;
}

function scraperPlan(rng: Rng, world: World, variant: Variant, start: number): ScraperPlan {
  const titles = world.catalog.titles;
  const offset = rng.int(0, titles.length);
  const inOrder = [...titles.slice(offset), ...titles.slice(0, offset)];
  const shuffled = rng.shuffled(titles);
  const residential = homeOrigin(rng, world, pickCountry(rng));
  switch (variant) {
    case 'bulk_download': {
      const rate = rng.between(3, 12);
      return {
        origin: hostingOrigin(rng, world),
        userAgent: rng.pick(TOOL_AGENTS),
        titles: shuffled.slice(0, rng.int(20, 61)),
        pathsOf: titleParts,
        gap: (r: Rng) => r.exp(1000 / rate),
        stopAt: start + minutes(90),
        params: { requestsPerSecond: Number(rate.toFixed(2)) },
      };
    }
    case 'sequential_enumeration': {
      const guesses = rng.int(60, 100);
      const pace = rng.between(700, 1800);
      return {
        origin: rng.chance(0.5) ? hostingOrigin(rng, world) : residential,
        userAgent: rng.pick(TOOL_AGENTS),
        titles: inOrder,
        pathsOf: (title: Title) =>
          Array.from(
            { length: guesses },
            (_, i) => `/titles/${title.id}/epub/ch${String(i + 1).padStart(3, '0')}.xhtml`,
          ),
        gap: (r: Rng) => pace * r.between(0.85, 1.15),
        stopAt: start + minutes(rng.between(30, 90)),
        params: { chapterGuesses: guesses, meanGapMs: Math.round(pace) },
      };
    }
    case 'robotic_interval': {
      const period = rng.pick([2000, 3000, 5000]);
      return {
        origin: residential,
        userAgent: agentFor(rng),
        titles: shuffled,
        pathsOf: titleParts,
        gap: (r: Rng) => period + r.int(-3, 4),
        stopAt: start + minutes(rng.between(40, 120)),
        params: { periodMs: period },
      };
    }
    case 'cache_busting': {
      const rate = rng.between(0.7, 2.5);
      const param = rng.pick(['cb', '_', 'nocache', 'v']);
      return {
        origin: hostingOrigin(rng, world),
        userAgent: agentFor(rng),
        titles: shuffled,
        pathsOf: titleParts,
        gap: (r: Rng) => r.exp(1000 / rate) + 50,
        query: (r: Rng, time: number) => (param === '_' ? `_=${Math.round(time)}` : `${param}=${r.id(10)}`),
        stopAt: start + minutes(rng.between(30, 90)),
        params: { requestsPerSecond: Number(rate.toFixed(2)), bustingParameter: param },
      };
    }
    default: {
      const median = rng.between(20_000, 45_000);
      return {
        origin: residential,
        userAgent: agentFor(rng),
        titles: shuffled,
        pathsOf: titleParts,
        gap: (r: Rng) => Math.min(median * 3, r.logNormal(median, 0.35)),
        stopAt: start + minutes(rng.between(180, 300)),
        params: { medianGapMs: Math.round(median) },
      };
    }
  }
}

export function scraper(rng: Rng, world: World, variant: Variant, id: string, start: number): Scenario {
  const plan = scraperPlan(rng, world, variant, start);
  const accountId = `acc-${rng.id(12)}`;
  const subject: LabelSubject = { ip: plan.origin.ip, accountId };
  const stream = crawl(rng, {
    ...plan,
    actor: `abuse:${id}`,
    label: id,
    accountId,
    deviceId: deviceId(rng),
    start,
  });
  return {
    id,
    kind: 'scraping',
    variant,
    description: DESCRIPTIONS[variant],
    plannedStart: start,
    params: { ...plan.params, ip: plan.origin.ip, accountId, userAgent: plan.userAgent },
    labels: [{ id, scenarioId: id, kind: 'scraping', subject }],
    streams: [stream],
  };
}

/** A small pool of neighbouring cloud addresses sharing one account's work; one label per address. */
export function distributedScraper(rng: Rng, world: World, id: string, start: number): Scenario {
  const seed = hostingOrigin(rng, world);
  const base = ipToNumber(seed.ip) & ~0xff;
  const size = rng.int(5, 11);
  const accountId = `acc-${rng.id(12)}`;
  const device = deviceId(rng);
  const userAgent = agentFor(rng);
  const titles = rng.shuffled(world.catalog.titles).slice(0, 40);
  const perIpRate = rng.between(0.25, 0.8);
  const stopAt = start + minutes(rng.between(30, 75));
  const labels: PlannedLabel[] = [];
  const streams: RequestStream[] = [];
  const hosts = new Set<number>();
  while (hosts.size < size) hosts.add(rng.int(10, 240));
  [...hosts].forEach((host, i) => {
    const ip = numberToIp(base + host);
    const label = `${id}#${i}`;
    labels.push({ id: label, scenarioId: id, kind: 'scraping', subject: { ip, accountId } });
    streams.push(
      crawl(rng, {
        actor: `abuse:${id}:${ip}`,
        label,
        origin: { ip, country: world.ips.countryOf(ip) ?? seed.country },
        accountId,
        deviceId: device,
        userAgent,
        titles: titles.filter((_, t) => t % size === i),
        pathsOf: titleParts,
        gap: (r) => r.exp(1000 / perIpRate),
        start: start + rng.int(0, 20_000),
        stopAt,
      }),
    );
  });
  return {
    id,
    kind: 'scraping',
    variant: 'distributed',
    description: DESCRIPTIONS.distributed,
    plannedStart: start,
    params: {
      accountId,
      addresses: labels.map((l) => l.subject.ip!),
      perIpRequestsPerSecond: Number(perIpRate.toFixed(2)),
    },
    labels,
    streams,
  };
}

export const SCRAPER_VARIANTS: readonly Variant[] = [
  'bulk_download',
  'sequential_enumeration',
  'robotic_interval',
  'cache_busting',
  'low_and_slow',
];
