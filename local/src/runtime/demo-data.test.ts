import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedDynamo } from '../dynamo/embedded-dynamo.ts';
import { LocalError } from '../errors.ts';
import { loadOrSeedDemo } from './demo-data.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A data dir whose demo-users.json holds `text`; a saved file is read without touching the table. */
function load(text: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'demo-data-'));
  dirs.push(dataDir);
  writeFileSync(join(dataDir, 'demo-users.json'), text);
  return loadOrSeedDemo({
    dataDir,
    dynamo: {} as EmbeddedDynamo,
    tableName: 'unused',
    originDir: join(dataDir, 'origin'),
    seed: 1,
  });
}

describe('demo users of a data dir', () => {
  it('reads the saved identities back as they were written, without seeding', async () => {
    const users = [
      {
        name: 'student',
        role: 'reader',
        description: 'on campus only',
        deviceId: 'd1',
        sourceIp: '198.51.100.20',
        identity: { sub: 'nb-student-001', orgId: 'org-northbridge', tokenUse: 'access' },
      },
    ];
    await expect(load(JSON.stringify(users))).resolves.toEqual({ users, seeded: false });
  });

  it('names the file and the way out when it is cut short or of the wrong shape, instead of a bare parse error', async () => {
    for (const text of [
      '[{"name": ',
      JSON.stringify([{ name: 'x', role: 'emperor', description: '', identity: { sub: 's' } }]),
    ]) {
      const error = await load(text).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LocalError);
      expect((error as Error).message).toMatch(
        /demo-users\.json is not a valid list of demo users; .*--reset/,
      );
      expect((error as Error).cause).toBeDefined();
    }
  });
});
