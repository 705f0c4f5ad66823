import { createPublicKey, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { generateRsaKeyPairPem } from '@boundless/delivery';

/**
 * The secrets a local runtime needs, generated on first start and kept under `<dataDir>/keys` (mode 0600, never
 * committed: .data/ is ignored) so that cookies and tokens issued before a restart stay valid after it.
 */
export interface LocalKeys {
  cloudFront: { keyPairId: string; privateKeyPem: string; publicKeyPem: string };
  edgeTokens: { currentKid: string; secrets: Record<string, string> };
}

export class LocalKeysError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalKeysError';
  }
}

const storedKeys = z.object({
  cloudFront: z.object({
    keyPairId: z.string().regex(/^[A-Z0-9]{8,32}$/),
    privateKeyPem: z.string().includes('PRIVATE KEY'),
  }),
  edgeTokens: z.object({
    currentKid: z.string().regex(/^[A-Za-z0-9]{1,8}$/),
    secrets: z.record(z.string(), z.string().min(32)),
  }),
});

const KEYS_FILE = 'local-keys.json';

export async function loadOrCreateLocalKeys(keyDir: string): Promise<LocalKeys> {
  const file = join(keyDir, KEYS_FILE);
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing !== undefined) return parseStored(existing, file);
  const keys = generateLocalKeys();
  await mkdir(keyDir, { recursive: true, mode: 0o700 });
  const stored = {
    cloudFront: { keyPairId: keys.cloudFront.keyPairId, privateKeyPem: keys.cloudFront.privateKeyPem },
  };
  await writeFile(file, JSON.stringify({ ...stored, edgeTokens: keys.edgeTokens }, null, 2), { mode: 0o600 });
  return keys;
}

function generateLocalKeys(): LocalKeys {
  const { privateKeyPem, publicKeyPem } = generateRsaKeyPairPem();
  // CloudFront public key ids look like K2JCJMDEHXQW5F: upper-case letters and digits.
  const keyPairId = `K${randomBytes(16).toString('hex').toUpperCase().slice(0, 13)}`;
  return {
    cloudFront: {
      keyPairId,
      privateKeyPem,
      publicKeyPem,
    },
    edgeTokens: { currentKid: 'k1', secrets: { k1: randomBytes(32).toString('base64url') } },
  };
}

function parseStored(text: string, file: string): LocalKeys {
  let parsed: z.infer<typeof storedKeys>;
  try {
    parsed = storedKeys.parse(JSON.parse(text));
  } catch (error) {
    throw new LocalKeysError(
      `${file} is not a valid key file; delete it (or start with --reset) to regenerate`,
      {
        cause: error,
      },
    );
  }
  if (!(parsed.edgeTokens.currentKid in parsed.edgeTokens.secrets)) {
    throw new LocalKeysError(`${file} has no secret for its current kid "${parsed.edgeTokens.currentKid}"`);
  }
  const publicKeyPem = createPublicKey(parsed.cloudFront.privateKeyPem).export({
    type: 'spki',
    format: 'pem',
  });
  return {
    cloudFront: { ...parsed.cloudFront, publicKeyPem: publicKeyPem.toString() },
    edgeTokens: parsed.edgeTokens,
  };
}
