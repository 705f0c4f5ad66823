import { browserUserAgent, deviceId, TOOL_AGENTS } from '../agents.ts';
import type { Title } from '../catalog.ts';
import { ipToNumber, numberToIp } from '../ip-space.ts';
import type { LabelSubject, PlannedLabel } from '../labels.ts';
import { draw, drawInt } from '../profiles.ts';
import { type RequestStream, type SimulatedRequest, simulatedRequest } from '../request.ts';
import type { Rng } from '../rng.ts';
import { type IssuedToken, issueToken } from '../tokens.ts';
import type { World } from '../world.ts';
import {
  agentFor,
  homeOrigin,
  hostingOrigin,
  minutes,
  type Origin,
  pickCountry,
  randomHomeOrigin,
  titleParts,
} from './kit.ts';
import type { Scenario } from './types.ts';

/** How one scraper walks the catalog. */
interface Crawl {
  readonly actor: string;
  readonly label: string;
  /** The address of each request (a proxy network hands out another one every few requests). */
  readonly originOf: (rng: Rng, n: number) => Origin;
  readonly accountId: string;
  readonly deviceId: string;
  readonly userAgent: string;
  readonly titles: readonly Title[];
  readonly pathsOf: (title: Title) => readonly string[];
  readonly gap: (rng: Rng, n: number) => number;
  readonly query?: (rng: Rng, time: number) => string;
  /** One token for the whole crawl (a leaked collection-wide grant); otherwise one per title. */
  readonly wideToken?: IssuedToken;
  readonly start: number;
  readonly stopAt: number;
}

/** Requests every part of title after title; a fresh token per title, as the access API hands them out. */
function* crawl(rng: Rng, c: Crawl): Generator<SimulatedRequest> {
  let t = c.start;
  let n = 0;
  const port = rng.int(32768, 61000);
  let token = c.wideToken;
  for (const title of c.titles) {
    if (!c.wideToken) {
      token = issueToken(rng, { accountId: c.accountId, deviceId: c.deviceId, titleId: title.id }, t - 400);
    }
    for (const path of c.pathsOf(title)) {
      if (t >= c.stopAt) return;
      const origin = c.originOf(rng, n);
      yield simulatedRequest({
        time: Math.round(t),
        actor: c.actor,
        population: 'abuse',
        label: c.label,
        ip: origin.ip,
        country: origin.country,
        path,
        query: c.query?.(rng, t),
        token,
        deviceId: c.deviceId,
        userAgent: c.userAgent,
        port,
      });
      n += 1;
      t += c.gap(rng, n);
    }
  }
}

export type ScraperVariant =
  | 'bulk_download'
  | 'sequential_enumeration'
  | 'robotic_interval'
  | 'cache_busting'
  | 'low_and_slow'
  | 'human_paced'
  | 'slow_enumeration'
  | 'proxy_per_title';

const DESCRIPTIONS: Record<ScraperVariant | 'distributed' | 'residential_proxy' | 'harvester', string> = {
  bulk_download:
    'One account downloads whole titles one after another from a cloud server, several requests a second.',
  sequential_enumeration:
    'Walks the catalog in its order and guesses chapter numbers past the end of each book (404s), at a steady pace.',
  robotic_interval:
    'A script behind a browser user agent fetching one part at a fixed period, to the millisecond.',
  cache_busting:
    'Adds a random query parameter to every request so that no edge cache answers: every request is a Miss.',
  low_and_slow:
    'A residential address taking one part every half minute or so, for hours and through the night, across many titles.',
  human_paced:
    'A scraper paced like a person: a browser on a home connection, human-looking gaps and short breaks, taking whole titles one after another for many hours.',
  slow_enumeration:
    'Walks the catalog in its order, one title every half hour or so, day and night, for days: a little of the catalog every hour.',
  proxy_per_title:
    'One account taking a grant per title and pulling every part through a residential proxy network: another address every few requests.',
  distributed:
    'One account scraping through a handful of neighbouring cloud addresses, each modest on its own.',
  residential_proxy:
    'One token with a collection-wide scope (a leaked institutional grant) pulling the catalog through thousands of residential proxy addresses: scraping and sharing at once.',
  harvester:
    'A harvesting bot with no account walking every public title page in catalog order from a cloud server.',
};

interface ScraperPlan {
  readonly originOf: (rng: Rng, n: number) => Origin;
  readonly userAgent: string;
  readonly titles: readonly Title[];
  readonly pathsOf: (title: Title) => readonly string[];
  readonly gap: (rng: Rng, n: number) => number;
  readonly query?: (rng: Rng, time: number) => string;
  readonly stopAt: number;
  readonly params: Record<string, number | string>;
}

const fixedAt = (origin: Origin) => () => origin;

/** A residential proxy network: a fresh home address somewhere in the world every few requests. */
function proxyNetwork(world: World, perAddress: number): (rng: Rng, n: number) => Origin {
  let current: Origin | undefined;
  return (rng, n) => {
    if (current === undefined || n % perAddress === 0) current = randomHomeOrigin(rng, world);
    return current;
  };
}

function scraperPlan(rng: Rng, world: World, variant: ScraperVariant, start: number): ScraperPlan {
  const a = world.ranges.abuse;
  const titles = world.catalog.titles;
  const offset = rng.int(0, titles.length);
  const inOrder = [...titles.slice(offset), ...titles.slice(0, offset)];
  const shuffled = rng.shuffled(titles);
  const residential = homeOrigin(rng, world, pickCountry(rng));
  switch (variant) {
    case 'bulk_download': {
      const rate = draw(rng, a.bulk.requestsPerSecond);
      return {
        originOf: fixedAt(hostingOrigin(rng, world)),
        userAgent: rng.pick(TOOL_AGENTS),
        titles: shuffled.slice(0, drawInt(rng, a.bulk.titles)),
        pathsOf: titleParts,
        gap: (r) => r.exp(1000 / rate),
        stopAt: start + minutes(90),
        params: { requestsPerSecond: Number(rate.toFixed(2)) },
      };
    }
    case 'sequential_enumeration': {
      const guesses = drawInt(rng, a.enumeration.guesses);
      const pace = draw(rng, a.enumeration.gapMs);
      return {
        originOf: fixedAt(rng.chance(0.5) ? hostingOrigin(rng, world) : residential),
        userAgent: rng.pick(TOOL_AGENTS),
        titles: inOrder,
        pathsOf: (title) =>
          Array.from({ length: guesses }, (_, i) => world.catalog.missingPart(title, i + 1)),
        gap: (r) => pace * r.between(0.85, 1.15),
        stopAt: start + minutes(draw(rng, a.enumeration.minutes)),
        params: { chapterGuesses: guesses, meanGapMs: Math.round(pace) },
      };
    }
    case 'robotic_interval': {
      const period = draw(rng, a.robotic.periodMs);
      const jitter = draw(rng, a.robotic.jitterMs);
      return {
        originOf: fixedAt(residential),
        userAgent: agentFor(rng),
        titles: shuffled,
        pathsOf: titleParts,
        gap: (r) => period + r.between(-jitter, jitter),
        stopAt: start + minutes(draw(rng, a.robotic.minutes)),
        params: { periodMs: Math.round(period), jitterMs: Math.round(jitter) },
      };
    }
    case 'cache_busting': {
      const rate = draw(rng, a.cacheBusting.requestsPerSecond);
      const param = rng.pick(['cb', '_', 'nocache', 'v']);
      return {
        originOf: fixedAt(hostingOrigin(rng, world)),
        userAgent: agentFor(rng),
        titles: shuffled,
        pathsOf: titleParts,
        gap: (r) => r.exp(1000 / rate) + 50,
        query: (r, time) => (param === '_' ? `_=${Math.round(time)}` : `${param}=${r.id(10)}`),
        stopAt: start + minutes(draw(rng, a.cacheBusting.minutes)),
        params: { requestsPerSecond: Number(rate.toFixed(2)), bustingParameter: param },
      };
    }
    case 'low_and_slow': {
      const median = draw(rng, a.lowAndSlow.gapSeconds) * 1000;
      return {
        originOf: fixedAt(residential),
        userAgent: agentFor(rng),
        titles: shuffled,
        pathsOf: titleParts,
        gap: (r) => Math.min(median * 3, r.logNormal(median, 0.35)),
        stopAt: start + minutes(60 * draw(rng, a.lowAndSlow.hours)),
        params: { medianGapMs: Math.round(median) },
      };
    }
    case 'human_paced': {
      const h = a.humanPaced;
      const median = draw(rng, h.gapSeconds) * 1000;
      const sigma = draw(rng, h.sigma);
      const every = draw(rng, h.breakEveryMinutes);
      const pause = draw(rng, h.breakMinutes);
      // Requests until the next break, counted in expected requests between breaks.
      const perBreak = Math.max(5, Math.round((every * 60_000) / median));
      return {
        originOf: fixedAt(residential),
        userAgent: browserUserAgent(rng),
        titles: shuffled,
        pathsOf: titleParts,
        gap: (r, n) =>
          Math.min(15 * 60_000, r.logNormal(median, sigma)) +
          (n % perBreak === 0 ? minutes(pause * r.between(0.5, 1.5)) : 0),
        stopAt: start + minutes(60 * draw(rng, h.hours)),
        params: {
          medianGapMs: Math.round(median),
          sigma: Number(sigma.toFixed(2)),
          breakEveryMinutes: Math.round(every),
        },
      };
    }
    case 'slow_enumeration': {
      const perTitle = draw(rng, a.slowEnumeration.minutesPerTitle);
      const share = draw(rng, a.slowEnumeration.shareOfTitle);
      return {
        originOf: fixedAt(residential),
        userAgent: browserUserAgent(rng),
        titles: inOrder,
        pathsOf: (title) => {
          const parts = titleParts(title);
          return parts.slice(0, Math.max(3, Math.round(parts.length * share)));
        },
        // Replaced by titleTurns(): parts seconds apart, each title on its own turn.
        gap: (r) => r.between(2_000, 12_000),
        stopAt: world.end,
        params: { minutesPerTitle: Math.round(perTitle), shareOfTitle: Number(share.toFixed(2)) },
      };
    }
    default: {
      const perAddress = drawInt(rng, a.proxy.requestsPerAddress);
      const rate = draw(rng, a.proxy.requestsPerSecond);
      return {
        originOf: proxyNetwork(world, perAddress),
        userAgent: browserUserAgent(rng),
        titles: shuffled,
        pathsOf: titleParts,
        gap: (r) => r.exp(1000 / rate),
        stopAt: start + minutes(draw(rng, a.proxy.minutes)),
        params: { requestsPerAddress: perAddress, requestsPerSecond: Number(rate.toFixed(2)) },
      };
    }
  }
}

export function scraper(
  rng: Rng,
  world: World,
  variant: ScraperVariant,
  id: string,
  start: number,
): Scenario {
  const plan = scraperPlan(rng, world, variant, start);
  const accountId = `acc-${rng.id(12)}`;
  const first = plan.originOf(rng.fork('first-origin'), 0);
  // A scraper behind one address is labelled by it as well; one behind a proxy network only by its account.
  const subject: LabelSubject = variant === 'proxy_per_title' ? { accountId } : { ip: first.ip, accountId };
  const gap = variant === 'slow_enumeration' ? titleTurns(plan, start) : plan.gap;
  const stream = crawl(rng, {
    ...plan,
    gap,
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
    params: {
      ...plan.params,
      ...(variant === 'proxy_per_title' ? {} : { ip: first.ip }),
      accountId,
      userAgent: plan.userAgent,
    },
    // Through a proxy network each grant is used from many addresses: scraping and sharing at once.
    labels:
      variant === 'proxy_per_title'
        ? [
            { id, scenarioId: id, kind: 'scraping', subject },
            { id, scenarioId: id, kind: 'token_sharing', subject },
          ]
        : [{ id, scenarioId: id, kind: 'scraping', subject }],
    streams: [stream],
  };
}

/** Slow enumeration: parts of one title seconds apart, and each next title on its own turn, minutes later. */
function titleTurns(plan: ScraperPlan, start: number): (rng: Rng, n: number) => number {
  const perTitle = Number(plan.params.minutesPerTitle) * 60_000;
  // Request counts at which a title ends (enough of them for any run: the crawl stops at the run's end).
  const boundaries = new Set<number>();
  let n = 0;
  for (let round = 0; round < 3; round++) {
    for (const title of plan.titles) {
      n += plan.pathsOf(title).length;
      boundaries.add(n);
    }
  }
  let titleStart = start;
  let t = start;
  return (rng, count) => {
    let gap = rng.between(2_000, 12_000);
    if (boundaries.has(count)) {
      const next = titleStart + perTitle * rng.between(0.6, 1.4);
      gap = Math.max(gap, next - t);
      titleStart = t + gap;
    }
    t += gap;
    return gap;
  };
}

/** A small pool of neighbouring cloud addresses sharing one account's work; one label per address. */
export function distributedScraper(rng: Rng, world: World, id: string, start: number): Scenario {
  const a = world.ranges.abuse.distributed;
  const seed = hostingOrigin(rng, world);
  const base = ipToNumber(seed.ip) & ~0xff;
  const size = drawInt(rng, a.addresses);
  const accountId = `acc-${rng.id(12)}`;
  const device = deviceId(rng);
  const userAgent = agentFor(rng);
  const titles = rng.shuffled(world.catalog.titles).slice(0, 40);
  const perIpRate = draw(rng, a.requestsPerSecond);
  const stopAt = start + minutes(draw(rng, a.minutes));
  const labels: PlannedLabel[] = [];
  const streams: RequestStream[] = [];
  const hosts = new Set<number>();
  while (hosts.size < size) hosts.add(rng.int(10, 240));
  [...hosts].forEach((host, i) => {
    const ip = numberToIp(base + host);
    const label = `${id}#${i}`;
    labels.push({ id: label, scenarioId: id, kind: 'scraping', subject: { ip, accountId } });
    const origin = { ip, country: world.ips.countryOf(ip) ?? seed.country };
    streams.push(
      crawl(rng, {
        actor: `abuse:${id}:${ip}`,
        label,
        originOf: () => origin,
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

/**
 * One token opening the whole collection, used through a residential proxy network: every few requests
 * another home address somewhere in the world. It is scraping (the catalog, part after part) and sharing (one
 * token in thousands of places) at once, and labelled as both.
 */
export function residentialProxyScraper(rng: Rng, world: World, id: string, start: number): Scenario {
  const plan = scraperPlan(rng, world, 'proxy_per_title', start);
  const accountId = `org-${rng.id(10)}`;
  const device = deviceId(rng);
  const token = issueToken(rng, { accountId, deviceId: device, titleId: '' }, start - 400, '/titles/');
  const stream = crawl(rng, {
    ...plan,
    actor: `abuse:${id}`,
    label: id,
    accountId,
    deviceId: device,
    wideToken: token,
    start,
  });
  return {
    id,
    kind: 'scraping',
    variant: 'residential_proxy',
    description: DESCRIPTIONS.residential_proxy,
    plannedStart: start,
    params: { ...plan.params, accountId, tokenId: token.tokenId, scope: token.scope },
    labels: [
      { id, scenarioId: id, kind: 'scraping', subject: { tokenId: token.tokenId } },
      { id, scenarioId: id, kind: 'token_sharing', subject: { tokenId: token.tokenId } },
    ],
    streams: [stream],
  };
}

/** A bot with no account walking the public title pages from a cloud server (only its address can be acted on). */
export function harvester(rng: Rng, world: World, id: string, start: number): Scenario {
  const a = world.ranges.abuse.harvester;
  const origin = hostingOrigin(rng, world);
  const rate = draw(rng, a.requestsPerSecond);
  const userAgent = rng.chance(0.6) ? rng.pick(TOOL_AGENTS) : browserUserAgent(rng);
  const pages = world.catalog.publicPages.filter((p) => p.startsWith('/public/titles/'));
  const stopAt = start + minutes(draw(rng, a.minutes));
  function* walk(): Generator<SimulatedRequest> {
    let t = start;
    const port = rng.int(32768, 61000);
    for (let round = 0; round < 20; round++) {
      for (const path of pages) {
        if (t >= stopAt) return;
        yield simulatedRequest({
          time: Math.round(t),
          actor: `abuse:${id}`,
          population: 'abuse',
          label: id,
          ip: origin.ip,
          country: origin.country,
          path,
          userAgent,
          port,
        });
        t += rng.exp(1000 / rate) + 40;
      }
    }
  }
  return {
    id,
    kind: 'scraping',
    variant: 'harvester',
    description: DESCRIPTIONS.harvester,
    plannedStart: start,
    params: { ip: origin.ip, requestsPerSecond: Number(rate.toFixed(2)), userAgent },
    labels: [{ id, scenarioId: id, kind: 'scraping', subject: { ip: origin.ip } }],
    streams: [walk()],
  };
}

export const SCRAPER_VARIANTS: readonly ScraperVariant[] = [
  'bulk_download',
  'sequential_enumeration',
  'robotic_interval',
  'cache_busting',
  'low_and_slow',
  'human_paced',
  'slow_enumeration',
  'proxy_per_title',
];
