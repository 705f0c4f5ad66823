/**
 * Golden files for tests: the pinned text of a fixture, which a test compares its output with. Writing a
 * fixture is always deliberate (`update`), so a deleted or never-committed fixture fails instead of passing
 * against itself.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export class MissingFixtureError extends Error {
  constructor(path: string) {
    super(`fixture ${path} is missing: regenerate it with UPDATE_DETECT_FIXTURES=1 and commit it`);
    this.name = 'MissingFixtureError';
  }
}

/** The fixture at `path`; with `update`, `actual` is written there first. */
export function pinnedFixture(path: string, actual: string, update: boolean): string {
  if (update) writeFileSync(path, actual);
  if (!existsSync(path)) throw new MissingFixtureError(path);
  return readFileSync(path, 'utf8');
}
