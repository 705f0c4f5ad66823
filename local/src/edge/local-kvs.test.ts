import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyValueStoreError, putSigningSecrets } from '@boundless/delivery';
import { KVS_LIMITS, LocalKeyValueStore } from './local-kvs.ts';

const dir = mkdtempSync(join(tmpdir(), 'bb-kvs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Class: LocalKeyValueStore', () => {
  it('makes writes visible to the synchronous view at once', async () => {
    const kvs = new LocalKeyValueStore();
    await kvs.put('rv:t1', '1');
    expect(kvs.getSync('rv:t1')).toBe('1');
    await kvs.delete('rv:t1');
    expect(kvs.getSync('rv:t1')).toBeUndefined();
    expect(await kvs.get('rv:t1')).toBeUndefined();
  });

  it('persists to a JSON file and loads it back', async () => {
    const file = join(dir, 'nested/edge-kvs.json');
    const kvs = new LocalKeyValueStore({ file });
    await putSigningSecrets(kvs, { k1: 'secret-one' });
    await Promise.all([kvs.put('rv:a', '1'), kvs.put('rv:b', '1'), kvs.delete('rv:a')]);
    await kvs.flush();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ 'k:k1': 'secret-one', 'rv:b': '1' });
    expect(new LocalKeyValueStore({ file }).snapshot()).toEqual({ 'k:k1': 'secret-one', 'rv:b': '1' });
  });

  it('enforces the CloudFront key and value limits with a typed error', async () => {
    const kvs = new LocalKeyValueStore();
    await expect(kvs.put('x'.repeat(KVS_LIMITS.keyBytes + 1), '1')).rejects.toBeInstanceOf(
      KeyValueStoreError,
    );
    await expect(kvs.put('k', 'v'.repeat(KVS_LIMITS.valueBytes + 1))).rejects.toBeInstanceOf(
      KeyValueStoreError,
    );
    await expect(kvs.put('', '1')).rejects.toBeInstanceOf(KeyValueStoreError);
  });

  it('refuses a corrupt persistence file instead of starting empty', () => {
    const file = join(dir, 'corrupt.json');
    writeFileSync(file, '[1, 2');
    expect(() => new LocalKeyValueStore({ file })).toThrow(KeyValueStoreError);
  });
});
