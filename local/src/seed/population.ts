import type { Device, Entitlement, OrganisationAccount, ReaderAccount, Title } from '@boundless/delivery';
import { COLLECTIONS } from './catalog.ts';
import { createRandom } from './random.ts';

export interface Population {
  readers: ReaderAccount[];
  organisations: OrganisationAccount[];
  devices: Device[];
  entitlements: Entitlement[];
  members: Array<{ orgId: string; memberId: string; claimedAt: number }>;
}

interface OrgPlan {
  accountId: string;
  name: string;
  seats: number;
  campusCidrs: string[];
  members: number;
  prefix: string;
  collections: string[];
}

/** Campus ranges are documentation prefixes (RFC 5737 / 3849): safe to publish, never routed. */
export const ORGANISATIONS: readonly OrgPlan[] = [
  {
    accountId: 'org-northbridge',
    name: 'Northbridge University',
    seats: 400,
    campusCidrs: ['198.51.100.0/24', '2001:db8:100::/48'],
    members: 40,
    prefix: 'nb-student',
    collections: ['c-science', 'c-medicine'],
  },
  {
    accountId: 'org-lakeside',
    name: 'Lakeside College',
    seats: 25,
    campusCidrs: ['203.0.113.0/25'],
    members: 20,
    prefix: 'lc-student',
    collections: ['c-business', 'c-law'],
  },
  {
    accountId: 'org-cityreads',
    name: 'City Reads Library',
    seats: 60,
    campusCidrs: [],
    members: 15,
    prefix: 'cr-member',
    collections: ['c-fiction', 'c-children'],
  },
];

const PLATFORMS = ['ios', 'android', 'kindle', 'web'] as const;
const DAY = 86_400;

export function generatePopulation(
  seed: number,
  readerCount: number,
  titles: readonly Title[],
  now: number,
): Population {
  const random = createRandom(seed ^ 0x5eed);
  const population: Population = {
    readers: [],
    organisations: [],
    devices: [],
    entitlements: [],
    members: [],
  };
  const addDevices = (accountId: string, count: number) => {
    for (let d = 1; d <= count; d += 1) {
      const platform = random.pick(PLATFORMS);
      population.devices.push({
        accountId,
        deviceId: `${accountId}-d${d}`,
        name: `${platform} ${d}`,
        platform,
        registeredAt: now - random.int(1, 400) * DAY,
      });
    }
  };

  for (let i = 1; i <= readerCount; i += 1) {
    const accountId = `reader-${String(i).padStart(3, '0')}`;
    population.readers.push({ kind: 'reader', accountId, name: `Reader ${i}` });
    addDevices(accountId, i === 1 ? 2 : random.int(1, 3));
    const owned = new Set<string>();
    for (let k = random.int(3, 12); k > 0; k -= 1) owned.add(random.pick(titles).titleId);
    for (const titleId of owned) {
      const roll = random.next();
      // Most purchases are perpetual; some are rentals still running, a few rentals already lapsed.
      const expiresAt =
        roll < 0.1 ? now + random.int(1, 30) * DAY : roll < 0.15 ? now - random.int(1, 30) * DAY : undefined;
      population.entitlements.push({
        accountId,
        target: { type: 'title', id: titleId },
        channel: 'b2c',
        startsAt: now - random.int(31, 700) * DAY,
        ...(expiresAt === undefined ? {} : { expiresAt }),
        grantedBy: 'store',
      });
    }
    if (random.chance(0.08)) {
      population.entitlements.push({
        accountId,
        target: { type: 'collection', id: random.pick(COLLECTIONS) },
        channel: 'b2c',
        startsAt: now - 5 * DAY,
        expiresAt: now + 25 * DAY,
        grantedBy: 'subscription',
      });
    }
  }

  for (const org of ORGANISATIONS) {
    const { members, prefix, collections, ...account } = org;
    population.organisations.push({ kind: 'organisation', ...account });
    for (const collection of collections) {
      population.entitlements.push({
        accountId: org.accountId,
        target: { type: 'collection', id: collection },
        channel: 'b2b',
        startsAt: now - 200 * DAY,
        expiresAt: now + 165 * DAY,
        grantedBy: `${org.accountId}-admin`,
      });
    }
    for (let m = 1; m <= members; m += 1) {
      const accountId = `${prefix}-${String(m).padStart(3, '0')}`;
      population.readers.push({
        kind: 'reader',
        accountId,
        name: `${org.name} member ${m}`,
        orgId: org.accountId,
      });
      addDevices(accountId, random.int(1, 2));
      // Half the members have opened something already and hold a seat.
      if (m % 2 === 1)
        population.members.push({ orgId: org.accountId, memberId: accountId, claimedAt: now - m * DAY });
    }
  }
  return population;
}
