import { CRAWLER_AGENTS } from './agents.ts';
import { CRAWLER_NETWORKS, HOSTING } from './networks.ts';
import { type SimulatedRequest, simulatedRequest } from './request.ts';
import type { Rng } from './rng.ts';
import type { World } from './world.ts';

/**
 * Verified search-engine crawlers on public pages: fast, tireless, from their published networks with their
 * real user agents. A hard negative for scraping detectors that only count requests per address.
 */
export function* searchCrawler(
  rng: Rng,
  world: World,
  engine: keyof typeof CRAWLER_NETWORKS,
  requestsPerSecond: number,
): Generator<SimulatedRequest> {
  const blocks = CRAWLER_NETWORKS[engine];
  const pages = world.catalog.publicPages;
  const agents =
    engine === 'googlebot'
      ? [CRAWLER_AGENTS.googlebot, CRAWLER_AGENTS.googlebotClassic]
      : [CRAWLER_AGENTS.bingbot];
  const addresses = Array.from({ length: 12 }, () => world.ips.sampleCidr(rng, rng.pick(blocks)));
  let t = world.start + rng.exp(10_000);
  let nextRobots = t;
  while (t < world.end) {
    const ip = rng.pick(addresses);
    const robots = t >= nextRobots;
    if (robots) nextRobots = t + rng.between(0.8, 1.2) * 3_600_000;
    yield simulatedRequest({
      time: Math.round(t),
      actor: `crawler:${engine}`,
      population: 'crawler',
      ip,
      country: world.ips.countryOf(ip) ?? 'US',
      path: robots ? '/robots.txt' : rng.pick(pages),
      userAgent: rng.pick(agents),
      conditional: rng.chance(0.3),
      port: rng.int(32768, 61000),
    });
    // Crawl rate follows the crawler's own scheduler: bursts and lulls around the average.
    t += rng.exp(1000 / requestsPerSecond) * (rng.chance(0.1) ? 8 : 1);
  }
}

/** A synthetic monitoring canary probing the health page every minute from three regions: regular by design. */
export function* healthCanary(rng: Rng, world: World): Generator<SimulatedRequest> {
  const aws = HOSTING.find((h) => h.name === 'Amazon')!;
  const probes = Array.from({ length: 3 }, () => world.ips.sample(rng, aws.country, [aws.asn]));
  const agent = 'CloudWatchSynthetics/arn:aws:synthetics:us-east-1:210987654321:canary:edge-health';
  let t = world.start + rng.int(0, 60_000);
  let i = 0;
  while (t < world.end) {
    const ip = probes[i % probes.length]!;
    yield simulatedRequest({
      time: t,
      actor: 'monitor:edge-health',
      population: 'monitor',
      ip,
      country: world.ips.countryOf(ip) ?? aws.country,
      path: '/public/health',
      userAgent: agent,
      port: rng.int(32768, 61000),
    });
    i += 1;
    t += 20_000 + rng.int(0, 40);
  }
}
