import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileOnce, replaceFile } from './files.ts';

const dir = mkdtempSync(join(tmpdir(), 'files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('replaceFile and createFileOnce', () => {
  it('replaces a file whole when several writes come at once, the last one winning, no temporary file left', async () => {
    const path = join(dir, 'report.json');
    const bodies = Array.from({ length: 8 }, (_, i) => `{"version":${i}}`);
    await Promise.all(bodies.map((body) => replaceFile(path, body)));
    expect(bodies).toContain(readFileSync(path, 'utf8'));
    expect(readdirSync(dir).filter((name) => name.startsWith('report'))).toEqual(['report.json']);
  });

  it('creates a file only where none is, and leaves one written meanwhile as it is', async () => {
    const path = join(dir, 'tunables.json');
    expect(await createFileOnce(path, 'defaults')).toBe(true);
    writeFileSync(path, 'applied');
    expect(await createFileOnce(path, 'defaults')).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('applied');
    expect(readdirSync(dir).filter((name) => name.startsWith('tunables'))).toEqual(['tunables.json']);
  });

  it('fails as the file system does, and leaves no temporary file behind', async () => {
    // Renaming onto a directory fails after the temporary file was written: it must be removed.
    const target = join(dir, 'a-directory');
    mkdirSync(target);
    await expect(replaceFile(target, 'x')).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST|EPERM/);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
