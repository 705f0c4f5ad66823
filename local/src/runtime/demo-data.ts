import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROLES, type Role } from '@boundless/delivery';
import type { LocalUser } from '@boundless/delivery/identity';
import { type SeedSummary, seedDelivery } from '../seed/seed.ts';
import { z } from 'zod';
import type { EmbeddedDynamo } from '../dynamo/embedded-dynamo.ts';
import { LocalError } from '../errors.ts';

/**
 * The demo identities of a data dir. The seed runs on the first start only (it writes readers, devices,
 * entitlements and content); its identities are kept in `<dataDir>/demo-users.json` so later starts print the
 * same walkthrough without seeding again.
 */
export interface DemoUser {
  /** What `POST /local/token {"user": ...}` takes. */
  name: string;
  role: Role;
  description: string;
  identity: LocalUser;
  /** A device the seed registered for this user. */
  deviceId?: string;
  /** A title this user is entitled to, and the edge path of one of its assets (`/titles/<id>/<asset>`). */
  titleId?: string;
  assetPath?: string;
  /** A source address that satisfies the user's campus rule, when there is one. */
  sourceIp?: string;
}

const DEMO_FILE = 'demo-users.json';

/** The saved identities, checked on read: the walkthrough and the local sign-in trust them. */
const savedUsers = z.array(
  z
    .object({
      name: z.string().min(1),
      role: z.enum(ROLES),
      description: z.string(),
      identity: z
        .object({
          sub: z.string().min(1),
          groups: z.array(z.enum(ROLES)).optional(),
          orgId: z.string().optional(),
        })
        .loose(),
      deviceId: z.string().optional(),
      titleId: z.string().optional(),
      assetPath: z.string().optional(),
      sourceIp: z.string().optional(),
    })
    .loose(),
);

function parseSaved(text: string, file: string): DemoUser[] {
  try {
    return savedUsers.parse(JSON.parse(text)) as DemoUser[];
  } catch (error) {
    throw new LocalError(
      `${file} is not a valid list of demo users; start with --reset to seed a fresh data dir`,
      { cause: error },
    );
  }
}

export async function loadOrSeedDemo(input: {
  dataDir: string;
  dynamo: EmbeddedDynamo;
  tableName: string;
  originDir: string;
  seed: number;
}): Promise<{ users: DemoUser[]; seeded: boolean }> {
  const file = join(input.dataDir, DEMO_FILE);
  const saved = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    // Only a data dir never seeded has no file; any other failure must not seed over its data.
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (saved !== undefined) return { users: parseSaved(saved, file), seeded: false };
  const result = await seedDelivery({
    doc: input.dynamo.doc,
    tableName: input.tableName,
    originDir: input.originDir,
    seed: input.seed,
  });
  const users = toDemoUsers(result);
  await writeFile(file, `${JSON.stringify(users, null, 2)}\n`);
  return { users, seeded: true };
}

function toDemoUsers(summary: SeedSummary): DemoUser[] {
  return summary.identities.map(({ user, ...rest }) => ({ ...rest, identity: user }));
}
