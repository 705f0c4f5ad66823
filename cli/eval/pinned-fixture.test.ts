import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MissingFixtureError, pinnedFixture } from './pinned-fixture.ts';

describe('Function: pinnedFixture', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinned-fixture-'));

  it('fails when the fixture is missing, instead of writing what it is compared with', () => {
    const path = join(dir, 'missing.jsonl');
    expect(() => pinnedFixture(path, 'anything', false)).toThrow(MissingFixtureError);
    expect(() => readFileSync(path)).toThrow();
  });

  it('writes the fixture only when asked to, and returns what is pinned', () => {
    const path = join(dir, 'pinned.jsonl');
    expect(pinnedFixture(path, 'first', true)).toBe('first');
    expect(pinnedFixture(path, 'second', false)).toBe('first');
  });
});
