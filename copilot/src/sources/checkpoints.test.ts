import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from './checkpoints.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('Class: FileCheckpointStore', () => {
  it('keeps every source position when sources save at the same moment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'checkpoints-'));
    dirs.push(dir);
    const path = join(dir, 'checkpoints.json');
    const store = new FileCheckpointStore(path);
    const sources = Array.from({ length: 20 }, (_, i) => `source-${i}`);
    await Promise.all(sources.map((id, i) => store.save(id, `position-${i}`)));
    // A restart reads what was written.
    const again = new FileCheckpointStore(path);
    for (const [i, id] of sources.entries()) expect(await again.load(id)).toBe(`position-${i}`);
    expect(readdirSync(dir)).toEqual(['checkpoints.json']);
  });
});
