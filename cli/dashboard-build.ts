import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The dashboard workspace, next to the command line in the repository. */
const DASHBOARD_DIR = fileURLToPath(new URL('../dashboard/', import.meta.url));
export const DASHBOARD_DIST = join(DASHBOARD_DIR, 'dist');

function newestMtime(path: string): number {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Why the build must be made again, or undefined when it is newer than every source it is made from. */
function dashboardBuildStaleness(dir = DASHBOARD_DIR): string | undefined {
  const built = statSync(join(dir, 'dist', 'index.html'), { throwIfNoEntry: false });
  if (!built) return 'no build yet';
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(dir, p));
  const newest = Math.max(...sources.map(newestMtime));
  return newest > built.mtimeMs ? 'sources changed since the last build' : undefined;
}

/**
 * Builds the dashboard (Vite, about 5 s) when its build is missing or older than its sources, as `npm start`
 * does before serving it. Resolves with what happened; a failed build is reported, not thrown, so the rest
 * of the system still starts (the API and the events work without the dashboard).
 */
export async function ensureDashboardBuild(
  log: (line: string) => void,
): Promise<{ built: boolean; ok: boolean; reason?: string }> {
  if (!dashboardBuildStaleness()) return { built: false, ok: true };
  // Two starts at once (test files run in parallel) must not empty each other's output: one builds, the
  // other waits and then finds the build fresh.
  const release = await lock(`${DASHBOARD_DIST}.lock`);
  try {
    return await buildWhenStale(log);
  } finally {
    release();
  }
}

const LOCK_STALE_MS = 180_000;

async function lock(path: string): Promise<() => void> {
  for (;;) {
    try {
      mkdirSync(path);
      return () => rmSync(path, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = statSync(path, { throwIfNoEntry: false });
      // A build killed half-way leaves its lock behind: no build takes this long.
      if (held && Date.now() - held.mtimeMs > LOCK_STALE_MS) rmSync(path, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function buildWhenStale(
  log: (line: string) => void,
): Promise<{ built: boolean; ok: boolean; reason?: string }> {
  const reason = dashboardBuildStaleness();
  if (!reason) return { built: false, ok: true };
  log(`dashboard: building (${reason})...`);
  const output: string[] = [];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.platform === 'win32' ? 'npm.cmd' : 'npm',
      ['run', 'build', '--silent', '-w', 'dashboard'],
      {
        cwd: join(DASHBOARD_DIR, '..'),
        // Vite builds for whatever NODE_ENV it inherits: under vitest (NODE_ENV=test) that was React's
        // development build, served afterwards by `npm start` as fresh (effects run twice, a socket opened and
        // closed at once on every page, dev warnings, a larger bundle).
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', (error) => {
      output.push(error.message);
      resolve(1);
    });
    child.on('close', (status) => resolve(status ?? 1));
  });
  if (code !== 0) {
    log(
      `dashboard: the build failed; the copilot runs without it.\n${output.join('').trim().split('\n').slice(-15).join('\n')}`,
    );
    return { built: true, ok: false, reason };
  }
  return { built: true, ok: true, reason };
}
