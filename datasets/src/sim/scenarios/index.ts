import type { ScenarioKind } from '../labels.ts';
import { COUNTRIES, SPIKE_COUNTRIES } from '../networks.ts';
import type { Rng } from '../rng.ts';
import type { World } from '../world.ts';
import { botFarm, viralLink } from './geo-spike.ts';
import { spreadStart } from './kit.ts';
import {
  distributedScraper,
  harvester,
  residentialProxyScraper,
  SCRAPER_VARIANTS,
  scraper,
} from './scraping.ts';
import {
  credentialSharing,
  deviceMismatchReplay,
  impossibleTravel,
  publicToken,
  sharingRing,
  spoofedDevice,
} from './token-sharing.ts';
import type { Scenario } from './types.ts';

type Builder = (rng: Rng, world: World, id: string, start: number) => Scenario;

const TOKEN_SHARING: Record<string, Builder> = {
  public: publicToken,
  accounts: credentialSharing,
  travel: impossibleTravel,
  replay: deviceMismatchReplay,
  ring: sharingRing,
  spoofed: spoofedDevice,
};

/**
 * Several instances of every variant, spread over the run (one per eight hours, at least one). Each variant
 * draws from its own forked stream, so choosing fewer kinds leaves the remaining scenarios exactly as they were.
 */
export function planScenarios(rng: Rng, world: World, kinds: readonly ScenarioKind[]): Scenario[] {
  const hours = (world.end - world.start) / 3_600_000;
  const perVariant = Math.max(1, Math.round(hours / 8));
  const out: Scenario[] = [];
  const each = (prefix: string, build: Builder) => {
    const variantRng = rng.fork(prefix);
    for (let i = 0; i < perVariant; i++) {
      const id = `${prefix}-${i + 1}`;
      out.push(build(variantRng.fork(id), world, id, spreadStart(variantRng, world, i, perVariant)));
    }
  };
  if (kinds.includes('token_sharing')) {
    for (const [name, build] of Object.entries(TOKEN_SHARING)) each(`token-${name}`, build);
  }
  if (kinds.includes('scraping')) {
    for (const variant of SCRAPER_VARIANTS) {
      each(`scrape-${variant.replaceAll('_', '-')}`, (r, w, id, start) => scraper(r, w, variant, id, start));
    }
    each('scrape-distributed', distributedScraper);
    each('scrape-residential-proxy', residentialProxyScraper);
    each('scrape-harvester', harvester);
  }
  if (kinds.includes('geo_spike')) {
    // Each spike gets its own country, so a country label never covers two episodes.
    const farms = rng.fork('farm-countries').shuffled(SPIKE_COUNTRIES);
    const virals = rng
      .fork('viral-countries')
      .shuffled(COUNTRIES.filter((c) => c.share >= 2 && c.share <= 6));
    let farm = 0;
    let viral = 0;
    each('geo-bot-farm', (r, w, id, start) => botFarm(r, w, farms[farm++ % farms.length]!, id, start));
    each('geo-viral-link', (r, w, id, start) => viralLink(r, w, virals[viral++ % virals.length]!, id, start));
  }
  return out;
}
