import { generateCatalog, generatePopulation } from '@boundless/local/seed';

/** A seeded B2C reader as the live scenarios use one: its registered device and the titles it owns outright. */
export interface SeededReader {
  accountId: string;
  /** The first device the seed registered for the account. */
  deviceId: string;
  /** Titles owned with no end date, in seed order, each with its asset paths under the edge. */
  titles: { titleId: string; assets: string[] }[];
}

/** The public page of every title of the seeded catalog (`/public/titles/<titleId>.html`), in catalog order. */
export function catalogPages(seed: number): string[] {
  const { titles } = generateCatalog(seed, 300, Math.floor(Date.now() / 1000));
  return titles.map((title) => `/public/titles/${title.titleId}.html`).sort();
}

/**
 * The readers a local runtime seeded with `seed` holds, recomputed the way the seed made them (the seed is
 * deterministic). Only perpetual title entitlements are kept: rentals lapse with the calendar.
 */
export function seededReaders(seed: number): SeededReader[] {
  const now = Math.floor(Date.now() / 1000);
  const catalog = generateCatalog(seed, 300, now);
  const population = generatePopulation(seed, 200, catalog.titles, now);
  const assets = new Map<string, string[]>();
  for (const asset of catalog.assets) {
    const list = assets.get(asset.titleId) ?? [];
    list.push(`/titles/${asset.titleId}/${asset.name}`);
    assets.set(asset.titleId, list);
  }
  const readers = new Map<string, SeededReader>();
  for (const e of population.entitlements) {
    if (!e.accountId.startsWith('reader-') || e.target.type !== 'title' || e.expiresAt !== undefined)
      continue;
    const titleAssets = assets.get(e.target.id);
    if (!titleAssets?.length) continue;
    let reader = readers.get(e.accountId);
    if (!reader) {
      reader = { accountId: e.accountId, deviceId: `${e.accountId}-d1`, titles: [] };
      readers.set(e.accountId, reader);
    }
    if (!reader.titles.some((t) => t.titleId === e.target.id))
      reader.titles.push({ titleId: e.target.id, assets: titleAssets });
  }
  return [...readers.values()].sort((a, b) => a.accountId.localeCompare(b.accountId));
}
