import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Entitlement, Role } from '@boundless/delivery';
import type { LocalUser } from '@boundless/delivery/identity';
import { bulkLoad } from '@boundless/delivery/store';
import { generateCatalog } from './catalog.ts';
import { generatePopulation, ORGANISATIONS } from './population.ts';

export interface SeedOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Content is written to `<originDir>/<objectKey>` (the directory origin's layout). */
  originDir: string;
  seed: number;
  titles?: number;
  readers?: number;
  /** Unix seconds the relative dates hang off; defaults to now. */
  now?: number;
}

export interface SeedIdentity {
  /** Short handle for local sign-in, e.g. `reader`. */
  name: string;
  role: Role;
  description: string;
  user: LocalUser;
  deviceId?: string;
  titleId?: string;
  /** Edge path of an asset this identity may open, e.g. `/titles/t-0001/book.epub`. */
  assetPath?: string;
  /** A source address that satisfies the identity's campus rule, when it has one. */
  sourceIp?: string;
}

export interface SeedSummary {
  titles: number;
  assets: number;
  contentBytes: number;
  readers: number;
  devices: number;
  organisations: Array<{ orgId: string; name: string; seats: number; campusCidrs: string[] }>;
  entitlements: number;
  items: number;
  identities: SeedIdentity[];
}

/**
 * Writes the sample catalog's files and everything around them (titles, assets, readers with devices,
 * organisations with seats and campus ranges, entitlements) into an empty table. Same seed, same data.
 */
export async function seedDelivery(options: SeedOptions): Promise<SeedSummary> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const catalog = generateCatalog(options.seed, options.titles ?? 300, now);
  const population = generatePopulation(options.seed, options.readers ?? 200, catalog.titles, now);
  const demo = demoIdentities(catalog.titles, catalog.assets);
  population.entitlements.push(...demo.extraEntitlements);

  let contentBytes = 0;
  for (const asset of catalog.assets) {
    const file = join(options.originDir, asset.objectKey);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, asset.body);
    contentBytes += asset.size;
  }
  // Each title's public landing page, outside the signed prefix: what the store links to and crawlers harvest.
  for (const title of catalog.titles) {
    const file = join(options.originDir, 'public', 'titles', `${title.titleId}.html`);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, publicPage(title.name, title.titleId));
  }
  const items = await bulkLoad(
    { doc: options.doc, tableName: options.tableName },
    {
      titles: catalog.titles,
      assets: catalog.assets.map(({ body: _body, ...asset }) => asset),
      accounts: [...population.readers, ...population.organisations],
      devices: population.devices,
      entitlements: population.entitlements,
      members: population.members,
    },
  );
  return {
    titles: catalog.titles.length,
    assets: catalog.assets.length,
    contentBytes,
    readers: population.readers.length,
    devices: population.devices.length,
    organisations: population.organisations.map(({ accountId, name, seats, campusCidrs }) => ({
      orgId: accountId,
      name,
      seats,
      campusCidrs,
    })),
    entitlements: population.entitlements.length,
    items,
    identities: demo.identities,
  };
}

function publicPage(name: string, titleId: string): string {
  const text = name.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>${text}</title></head><body><h1>${text}</h1><p>Read it in the Boundless app: title ${titleId}.</p></body></html>\n`;
}

function demoIdentities(
  titles: ReturnType<typeof generateCatalog>['titles'],
  assets: ReturnType<typeof generateCatalog>['assets'],
) {
  const firstAsset = (titleId: string) => assets.find((a) => a.titleId === titleId)?.name ?? '';
  // The demo reader always owns an e-book outright, whatever the random draw gave them.
  const book = titles.find((t) => t.format === 'epub') ?? titles[0];
  const org = ORGANISATIONS[0] as (typeof ORGANISATIONS)[number];
  const orgTitle = titles.find((t) => t.collections.some((c) => org.collections.includes(c))) ?? titles[0];
  const extraEntitlements: Entitlement[] = book
    ? [
        {
          accountId: 'reader-001',
          target: { type: 'title', id: book.titleId },
          channel: 'b2c',
          startsAt: 0,
          grantedBy: 'store',
        },
      ]
    : [];
  const identities: SeedIdentity[] = [
    {
      name: 'reader',
      role: 'reader',
      description: 'B2C reader with two registered devices and a purchased e-book',
      user: { sub: 'reader-001' },
      deviceId: 'reader-001-d1',
      ...(book
        ? { titleId: book.titleId, assetPath: `/titles/${book.titleId}/${firstAsset(book.titleId)}` }
        : {}),
    },
    {
      name: 'student',
      role: 'reader',
      description: `${org.name} student: titles of the university's collections, on campus only`,
      user: { sub: `${org.prefix}-001`, orgId: org.accountId },
      deviceId: `${org.prefix}-001-d1`,
      sourceIp: '198.51.100.20',
      ...(orgTitle
        ? {
            titleId: orgTitle.titleId,
            assetPath: `/titles/${orgTitle.titleId}/${firstAsset(orgTitle.titleId)}`,
          }
        : {}),
    },
    {
      name: 'org-admin',
      role: 'org_admin',
      description: `${org.name} administrator: grants and revokes the university's entitlements`,
      user: { sub: 'nb-admin', groups: ['org_admin'], orgId: org.accountId },
    },
    {
      name: 'copilot',
      role: 'copilot',
      description: 'The operations copilot service principal: revokes tokens and sets mitigations',
      user: { sub: 'copilot', groups: ['copilot'] },
    },
    {
      name: 'admin',
      role: 'admin',
      description: 'Platform operator with every admin right',
      user: { sub: 'ops-admin', groups: ['admin'] },
    },
  ];
  return { identities, extraEntitlements };
}
