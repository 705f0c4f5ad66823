/**
 * Writing a file whole: readers see the old content or the new, never half of either. The content goes to a
 * temporary file beside the target, named for this process and write, so that writes at once (a schedule's and a
 * person's, or another process's) never share one, and is then renamed over the target (or linked, to create it
 * only if it is missing). A failed write removes its temporary file.
 */
import { link, rename, rm, writeFile } from 'node:fs/promises';
import { threadId } from 'node:worker_threads';

let writes = 0;

const temporaryFor = (path: string) => `${path}.${process.pid}.${threadId}.${++writes}.tmp`;

async function throughTemporary(
  path: string,
  data: string | Uint8Array,
  place: (temporary: string) => Promise<void>,
): Promise<void> {
  const temporary = temporaryFor(path);
  try {
    await writeFile(temporary, data);
    await place(temporary);
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Replaces `path` with `data` in one step (last writer wins). The directory must exist. */
export function replaceFile(path: string, data: string | Uint8Array): Promise<void> {
  return throughTemporary(path, data, (temporary) => rename(temporary, path));
}

/**
 * Creates `path` with `data` unless a file is there by then (written meanwhile by someone else, never replaced);
 * whether it did. The directory must exist.
 */
export async function createFileOnce(path: string, data: string | Uint8Array): Promise<boolean> {
  let created = true;
  await throughTemporary(path, data, async (temporary) => {
    try {
      await link(temporary, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      created = false;
    }
  });
  return created;
}
