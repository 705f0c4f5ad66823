import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContentStoreError } from '@boundless/delivery';
import { DirectoryContentStore } from './directory-store.ts';

const root = mkdtempSync(join(tmpdir(), 'bb-origin-'));
writeFileSync(join(tmpdir(), 'bb-outside.txt'), 'secret');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('Class: DirectoryContentStore', () => {
  const store = new DirectoryContentStore(root);

  it('stores and reads objects with size, etag and content type', async () => {
    await store.put('titles/t-1/book.epub', Buffer.from('0123456789'));
    const object = await store.get('titles/t-1/book.epub');
    expect(object?.body.toString()).toBe('0123456789');
    expect(object).toMatchObject({ size: 10, contentType: 'application/epub+zip' });
    expect(object?.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
  });

  it('takes two puts of one key at once, the last writer winning as in S3', async () => {
    const bodies = ['first version', 'second version', 'third version'];
    await Promise.all(bodies.map((body) => store.put('titles/t-2/cover.jpg', body)));
    expect(bodies).toContain((await store.get('titles/t-2/cover.jpg'))?.body.toString());
  });

  it('reads an inclusive byte range and clamps its end to the object', async () => {
    await store.put('titles/t-1/range.txt', '0123456789');
    expect((await store.get('titles/t-1/range.txt', { start: 2, end: 4 }))?.body.toString()).toBe('234');
    const tail = await store.get('titles/t-1/range.txt', { start: 8, end: 100 });
    expect(tail?.range).toEqual({ start: 8, end: 9 });
    await expect(store.get('titles/t-1/range.txt', { start: 10, end: 12 })).rejects.toBeInstanceOf(
      ContentStoreError,
    );
  });

  it('answers undefined for missing objects and directories', async () => {
    expect(await store.get('titles/none.epub')).toBeUndefined();
    expect(await store.head('titles/t-1')).toBeUndefined();
  });

  it('refuses keys that would leave the root', async () => {
    for (const key of ['../bb-outside.txt', 'titles/../../bb-outside.txt', '/etc/passwd', 'a\\b', 'a//b']) {
      await expect(store.get(key)).rejects.toBeInstanceOf(ContentStoreError);
    }
  });
});
