/**
 * A simulator's output directory: new or empty before a run, and emptied again when the run fails, so a partial
 * set of logs is never mistaken for a whole one and a retry into the same directory needs no cleaning first.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError } from './errors.ts';

/** Runs `write` into `outDir`, which must be new or empty; on failure removes what it wrote and rethrows. */
export async function intoEmptyDir<T>(outDir: string, write: () => Promise<T>): Promise<T> {
  await prepare(outDir);
  try {
    return await write();
  } catch (error) {
    await removeContents(outDir, error);
    throw error;
  }
}

async function prepare(outDir: string): Promise<void> {
  let existing: string[];
  try {
    await mkdir(outDir, { recursive: true });
    existing = await readdir(outDir);
  } catch (error) {
    throw new DatasetError(`cannot prepare output directory ${outDir}`, { cause: error });
  }
  if (existing.length > 0)
    throw new DatasetError(`output directory ${outDir} is not empty; choose a new or empty directory`);
}

/** Empties the directory a failed run wrote into; a failure to do so is named beside the run's own error. */
async function removeContents(outDir: string, failure: unknown): Promise<void> {
  try {
    for (const name of await readdir(outDir)) await rm(join(outDir, name), { recursive: true, force: true });
  } catch (error) {
    const why = failure instanceof Error ? failure.message : String(failure);
    throw new DatasetError(`${why} (its partial output in ${outDir} could not be removed)`, {
      cause: new AggregateError([failure, error]),
    });
  }
}
