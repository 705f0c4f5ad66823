/** An error the command line reports as one line on stderr, with its own exit code (2: bad usage or input). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Why a file could not be written, in a user's words where Node has a code for it. */
export function writeFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'its directory does not exist';
  if (code === 'ENOTDIR') return 'a part of its path is a file, not a directory';
  if (code === 'EEXIST') return 'a file of that name is in the way';
  return readFailure(error);
}

/**
 * A directory flag that names something other than a directory (a file, a typo for one): said in the flag's
 * words before anything opens a path inside it, whose error would name that path instead.
 */
export function notADirectory(
  flag: string,
  path: string,
  stats: { isDirectory(): boolean } | undefined,
): CliError | undefined {
  if (stats === undefined || stats.isDirectory()) return undefined;
  return new CliError(`${flag} ${path} is a file, not a directory`, 2);
}

/** Why a file could not be read, in a user's words where Node has a code for it. */
export function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
