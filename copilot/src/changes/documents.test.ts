import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonFileDocument } from './documents.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('Class: JsonFileDocument', () => {
  it('seeds a missing file once from its defaults when several first reads come at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'json-document-'));
    dirs.push(dir);
    const path = join(dir, 'tunables.json');
    const defaults = { lambda: { memoryMb: 1024 } };
    // Two documents on one file, as the daily report and the change-set flow each hold one.
    const reads = [
      new JsonFileDocument(path, () => defaults),
      new JsonFileDocument(path, () => defaults),
    ].flatMap((document) => [document.read(), document.read()]);
    const results = await Promise.all(reads);
    expect(results.map((r) => r.content)).toEqual([defaults, defaults, defaults, defaults]);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(defaults);
    expect(readdirSync(dir)).toEqual(['tunables.json']);
  });

  it('never replaces a file written while a first read was seeding it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'json-document-'));
    dirs.push(dir);
    const path = join(dir, 'tunables.json');
    const applied = { lambda: { memoryMb: 1536 } };
    // A change set lands while the first read is still making the defaults.
    const document = new JsonFileDocument(path, () => {
      writeFileSync(path, JSON.stringify(applied));
      return { lambda: { memoryMb: 1024 } };
    });
    expect((await document.read()).content).toEqual(applied);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(applied);
    expect(readdirSync(dir)).toEqual(['tunables.json']);
  });
});
