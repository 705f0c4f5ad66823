import { mkdir, open, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import {
  assertContentKey,
  type ByteRange,
  type ContentInfo,
  type ContentObject,
  type ContentStore,
  ContentStoreError,
  contentTypeFor,
} from '@boundless/delivery';
import { replaceFile } from '@boundless/common/files';

/** The local origin: one file per object under a root directory, metadata from the file system. */
export class DirectoryContentStore implements ContentStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = resolve(root);
  }

  async head(key: string): Promise<ContentInfo | undefined> {
    const path = this.#path(key);
    try {
      const info = await stat(path);
      if (!info.isFile()) return undefined;
      return {
        key,
        size: info.size,
        // Size and mtime identify a version well enough for revalidation, without reading the file.
        etag: `"${info.size.toString(16)}-${Math.trunc(info.mtimeMs).toString(16)}"`,
        lastModified: new Date(Math.trunc(info.mtimeMs / 1000) * 1000),
        contentType: contentTypeFor(key),
      };
    } catch (cause) {
      if (isMissing(cause)) return undefined;
      throw new ContentStoreError(`cannot stat object ${key}`, { cause });
    }
  }

  async get(key: string, range?: ByteRange): Promise<ContentObject | undefined> {
    const info = await this.head(key);
    if (!info) return undefined;
    const span = clampRange(range, info.size);
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(this.#path(key), 'r');
      const body = Buffer.alloc(Math.max(span.end - span.start + 1, 0));
      if (body.length > 0) await handle.read(body, 0, body.length, span.start);
      return range ? { ...info, body, range: span } : { ...info, body };
    } catch (cause) {
      if (isMissing(cause)) return undefined;
      throw new ContentStoreError(`cannot read object ${key}`, { cause });
    } finally {
      await handle?.close();
    }
  }

  async put(key: string, body: Buffer | string): Promise<void> {
    const path = this.#path(key);
    await mkdir(dirname(path), { recursive: true });
    // Whole: two puts of one key at once are last-writer-wins, as in S3.
    await replaceFile(path, body);
  }

  #path(key: string): string {
    assertContentKey(key);
    const path = join(this.#root, key);
    if (!path.startsWith(this.#root + sep))
      throw new ContentStoreError(`content key ${key} leaves the origin`);
    return path;
  }
}

function clampRange(range: ByteRange | undefined, size: number): ByteRange {
  if (!range) return { start: 0, end: size - 1 };
  const end = Math.min(range.end, size - 1);
  if (range.start < 0 || range.start > end) {
    throw new ContentStoreError(`range ${range.start}-${range.end} is outside an object of ${size} bytes`);
  }
  return { start: range.start, end };
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
