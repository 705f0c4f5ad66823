import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateRsaKeyPairPem } from './rsa-key-pair.ts';

describe('generateRsaKeyPairPem', () => {
  it('gives a matching PKCS#8 private key and SPKI public key, 2048 bits by default', () => {
    const { privateKeyPem, publicKeyPem } = generateRsaKeyPairPem();
    expect(privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const privateKey = createPrivateKey(privateKeyPem);
    expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const signature = sign('sha256', Buffer.from('chapter 1'), privateKey);
    expect(verify('sha256', Buffer.from('chapter 1'), createPublicKey(publicKeyPem), signature)).toBe(true);
    expect(verify('sha256', Buffer.from('chapter 2'), createPublicKey(publicKeyPem), signature)).toBe(false);
  });

  it('encodes the private key as PKCS#1 when asked, and gives a new pair each time', () => {
    const a = generateRsaKeyPairPem({ privateKeyType: 'pkcs1', modulusLength: 1024 });
    const b = generateRsaKeyPairPem({ privateKeyType: 'pkcs1', modulusLength: 1024 });
    expect(a.privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(createPrivateKey(a.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(1024);
    expect(a.publicKeyPem).not.toBe(b.publicKeyPem);
  });
});
