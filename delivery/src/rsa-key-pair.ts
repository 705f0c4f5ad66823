import { generateKeyPairSync } from 'node:crypto';

export interface RsaKeyPairPem {
  /** PKCS#8 unless `pkcs1` was asked for. */
  privateKeyPem: string;
  /** SPKI. */
  publicKeyPem: string;
}

/**
 * A fresh RSA key pair, as PEM encoded by the generation itself. Make key objects from it with
 * createPrivateKey/createPublicKey; never export the key objects `generateKeyPairSync` returns. In Node 20 such
 * an export can deadlock the process: the export holds the key's lock while it allocates, a collection during
 * it destroys the finished generation job, and the job's destructor waits for the same lock (seen as a test
 * run that hung for good in `exportJWK`). Keys read back from PEM share no lock with any job.
 */
export function generateRsaKeyPairPem(
  options: { modulusLength?: number; privateKeyType?: 'pkcs1' | 'pkcs8' } = {},
): RsaKeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: options.modulusLength ?? 2048,
    privateKeyEncoding: { type: options.privateKeyType ?? 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}
