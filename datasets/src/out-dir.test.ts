import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from './errors.ts';
import { intoEmptyDir } from './out-dir.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'boundless-out-dir-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('Function: intoEmptyDir', () => {
  it('creates the directory, runs the writer and returns its result', async () => {
    const dir = join(root, 'new', 'nested');
    const result = await intoEmptyDir(dir, async () => {
      await writeFile(join(dir, 'a.gz'), 'x');
      return 7;
    });
    expect(result).toBe(7);
    expect(await readdir(dir)).toEqual(['a.gz']);
  });

  it('refuses a directory that holds anything, and leaves what it holds alone', async () => {
    const dir = join(root, 'taken');
    await mkdir(dir);
    await writeFile(join(dir, 'keep.txt'), 'mine');
    let ran = false;
    const run = intoEmptyDir(dir, async () => {
      ran = true;
    });
    await expect(run).rejects.toThrow(
      /output directory .*taken is not empty; choose a new or empty directory/,
    );
    expect(ran).toBe(false);
    expect(await readdir(dir)).toEqual(['keep.txt']);
  });

  it('empties the directory when the writer fails, rethrows its error, and takes a retry there', async () => {
    const dir = join(root, 'failed');
    const failure = new DatasetError('does not fit in memory');
    const run = intoEmptyDir(dir, async () => {
      await writeFile(join(dir, 'E1.2026-11-02-00.gz'), 'partial');
      await mkdir(join(dir, 'sub'));
      await writeFile(join(dir, 'sub', 'x'), 'y');
      throw failure;
    });
    await expect(run).rejects.toBe(failure);
    expect(await readdir(dir)).toEqual([]);
    await expect(intoEmptyDir(dir, async () => 'again')).resolves.toBe('again');
  });

  it('names a directory it cannot make', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    await expect(intoEmptyDir(join(file, 'below'), async () => 1)).rejects.toThrow(
      /cannot prepare output directory .*a-file\/below/,
    );
  });
});
