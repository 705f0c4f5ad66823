import { writeFile } from 'node:fs/promises';
import { CliError, writeFailure } from './errors.ts';

/**
 * Writes a command's output file. A failure is a usage error (exit 2) naming the flag when one is given, the
 * path and why, in a user's words.
 */
export async function writeOutput(path: string, text: string, flag?: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    const what = flag === undefined ? path : `${flag} ${path}`;
    throw new CliError(`cannot write ${what}: ${writeFailure(error)}`, 2, { cause: error });
  }
}
