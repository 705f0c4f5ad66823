import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalKeysError, loadOrCreateLocalKeys } from './local-keys.ts';

const root = mkdtempSync(join(tmpdir(), 'keys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('Function: loadOrCreateLocalKeys', () => {
  it('generates keys on first use, readable only by the owner, and returns the same ones after a restart', async () => {
    const dir = join(root, 'a');
    const first = await loadOrCreateLocalKeys(dir);
    const again = await loadOrCreateLocalKeys(dir);

    expect(again).toEqual(first);
    expect(first.cloudFront.keyPairId).toMatch(/^K[A-Z0-9]{13}$/);
    expect(first.edgeTokens.secrets[first.edgeTokens.currentKid]?.length).toBeGreaterThanOrEqual(32);
    const derived = createPublicKey(createPrivateKey(first.cloudFront.privateKeyPem)).export({
      type: 'spki',
      format: 'pem',
    });
    expect(derived.toString()).toBe(first.cloudFront.publicKeyPem);
    expect(statSync(join(dir, 'local-keys.json')).mode & 0o077).toBe(0);
  });

  it('refuses a damaged key file and says how to recover', async () => {
    const dir = join(root, 'b');
    await loadOrCreateLocalKeys(dir);
    writeFileSync(join(dir, 'local-keys.json'), '{"cloudFront":{}}');
    await expect(loadOrCreateLocalKeys(dir)).rejects.toThrow(LocalKeysError);
    await expect(loadOrCreateLocalKeys(dir)).rejects.toThrow(/--reset/);
  });
});
