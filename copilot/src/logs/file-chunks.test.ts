import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultInflation, FILE_CHUNK, fileChunks, type Inflation } from './file-chunks.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'boundless-chunks-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Log-like text of about `bytes` bytes that compresses well but not trivially (distinct counters). */
function text(bytes: number, seed = 1): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `2026-11-21\t10:00:${String(i % 60).padStart(2, '0')}\t203.0.113.${(i * seed) % 251}\t/books/b${i % 977}/c${i}.xhtml\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join(''));
}

/** Every chunk copied as it comes (each is valid only until the next), and the bytes read from disk. */
async function readAll(
  path: string,
  inflation?: Inflation,
): Promise<{ bytes: Buffer; chunks: number; read: number }> {
  const copies: Buffer[] = [];
  let read = 0;
  for await (const chunk of fileChunks(path, (n) => (read += n), inflation)) copies.push(Buffer.from(chunk));
  return { bytes: Buffer.concat(copies), chunks: copies.length, read };
}

async function file(name: string, content: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe.each<Inflation>(['reused-buffer', 'stream'])('fileChunks, gzip inflated by %s', (inflation) => {
  it('gives back every byte of a file many chunks long, and counts the compressed bytes read', async () => {
    const plain = text(5 * FILE_CHUNK + 12345);
    const gz = gzipSync(plain);
    const { bytes, chunks, read } = await readAll(await file(`big-${inflation}.gz`, gz), inflation);
    expect(bytes.equals(plain)).toBe(true);
    expect(chunks).toBeGreaterThanOrEqual(6);
    expect(read).toBe(gz.length);
  });

  it('reads concatenated members, and zero padding after the last one', async () => {
    const a = text(3000, 3);
    const b = text(FILE_CHUNK + 7, 5);
    const padded = Buffer.concat([gzipSync(a), gzipSync(b), Buffer.alloc(64)]);
    const { bytes } = await readAll(await file(`members-${inflation}.gz`, padded), inflation);
    expect(bytes.equals(Buffer.concat([a, b]))).toBe(true);
  });

  it('reads an empty gzip file as no bytes', async () => {
    const { bytes } = await readAll(
      await file(`empty-${inflation}.gz`, gzipSync(Buffer.alloc(0))),
      inflation,
    );
    expect(bytes.length).toBe(0);
  });

  it("fails with zlib's error on a file cut short, after handing out what it could inflate", async () => {
    const gz = gzipSync(text(2 * FILE_CHUNK));
    const path = await file(`cut-${inflation}.gz`, gz.subarray(0, gz.length >> 1));
    let seen = 0;
    const read = async () => {
      for await (const chunk of fileChunks(path, undefined, inflation)) seen += chunk.length;
    };
    await expect(read()).rejects.toMatchObject({ message: 'unexpected end of file', code: 'Z_BUF_ERROR' });
    expect(seen).toBeGreaterThan(0);
  });

  it('fails on bytes that are not gzip, and on garbage after a member', async () => {
    const notGzip = await file(`not-${inflation}.gz`, Buffer.from('definitely not gzip\n'));
    await expect(readAll(notGzip, inflation)).rejects.toMatchObject({ code: 'Z_DATA_ERROR' });
    const trailing = await file(
      `trailing-${inflation}.gz`,
      Buffer.concat([gzipSync(text(100)), Buffer.from('junk')]),
    );
    await expect(readAll(trailing, inflation)).rejects.toMatchObject({ code: 'Z_DATA_ERROR' });
  });
});

describe('fileChunks, plain files and early stops', () => {
  it('reads a plain file as it is, in chunks of at most FILE_CHUNK bytes', async () => {
    const plain = text(2 * FILE_CHUNK + 99);
    const { bytes, chunks, read } = await readAll(await file('plain.log', plain));
    expect(bytes.equals(plain)).toBe(true);
    expect(chunks).toBe(3);
    expect(read).toBe(plain.length);
  });

  it('hands out every chunk in one reused buffer (plain, and gzip unless inflated by the stream)', async () => {
    const content = text(4 * FILE_CHUNK);
    const buffers = async (path: string, inflation?: Inflation) => {
      const seen = new Set<ArrayBufferLike>();
      for await (const chunk of fileChunks(path, undefined, inflation)) seen.add(chunk.buffer);
      return seen.size;
    };
    const gz = await file('reuse.gz', gzipSync(content));
    expect(await buffers(await file('reuse.log', content))).toBe(1);
    expect(await buffers(gz, 'reused-buffer')).toBe(1);
    expect(await buffers(gz, 'stream')).toBeGreaterThan(1);
  });

  it('closes the file when the reader stops early (plain and gzip)', async () => {
    const gz = await file('early.gz', gzipSync(text(3 * FILE_CHUNK)));
    const plain = await file('early.log', text(3 * FILE_CHUNK));
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 20; i++) {
      for (const path of [gz, plain]) {
        for await (const chunk of fileChunks(path, undefined, 'reused-buffer')) {
          expect(chunk.length).toBe(FILE_CHUNK);
          break;
        }
      }
    }
    expect(open()).toBe(before);
  });

  it('inflates beside the reader when a second core is there, into the reused buffer on one core', () => {
    expect(defaultInflation(1)).toBe('reused-buffer');
    expect(defaultInflation(2)).toBe('scan-thread');
    expect(defaultInflation(64)).toBe('scan-thread');
  });

  it('inflates a gzip file by its first bytes whatever its name, and reads a plain one as it is', async () => {
    const content = text(2 * FILE_CHUNK + 7);
    for (const inflation of ['reused-buffer', 'stream'] as const) {
      for (const name of [`renamed-${inflation}.log`, `no-extension-${inflation}`]) {
        const { bytes } = await readAll(await file(name, gzipSync(content)), inflation);
        expect(bytes.equals(content), name).toBe(true);
      }
    }
    // One byte of the magic is not gzip; a file shorter than the magic is plain.
    const almost = Buffer.from([0x1f, 0x41, 0x0a]);
    expect((await readAll(await file('almost.log', almost))).bytes.equals(almost)).toBe(true);
    const tiny = Buffer.from([0x1f]);
    expect((await readAll(await file('tiny.log', tiny))).bytes.equals(tiny)).toBe(true);
  });

  it('rejects a missing file with its path', async () => {
    await expect(readAll(join(dir, 'nope.log'))).rejects.toThrow(/nope\.log/);
    await expect(readAll(join(dir, 'nope.gz'))).rejects.toThrow(/nope\.gz/);
  });
});
