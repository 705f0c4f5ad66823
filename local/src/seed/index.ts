// The deterministic demo catalog and reader population, and seeding them into the store and content folder.
export { type GeneratedCatalog, generateCatalog } from './catalog.ts';
export { generatePopulation, type Population } from './population.ts';
export { type SeedIdentity, type SeedOptions, type SeedSummary, seedDelivery } from './seed.ts';
