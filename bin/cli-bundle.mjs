/**
 * The command line's bundle cache: one esbuild bundle of cli/main.ts, so a run loads plain JavaScript
 * instead of compiling the TypeScript sources through tsx on every start.
 *
 * - Where: node_modules/.cache/boundless/. Each build is a directory `b-XXXXXX` (main.mjs, its chunks,
 *   esbuild's metafile.json and build.json); the symlink `current` names the one in use.
 * - What: ESM for node, code splitting (each command's `await import(...)` stays a separate chunk), every
 *   package in node_modules left external except the workspace packages `@boundless/*`, whose
 *   TypeScript is bundled. In each bundled module `import.meta.url` (and `.dirname`, `.filename`) is
 *   replaced by its original file's, so files found next to a source are still found.
 * - When rebuilt: when the bundle is missing, or when any input esbuild's metafile lists, a workspace
 *   package.json, tsconfig.json, this file or esbuild's package.json is missing or newer than the
 *   start of the build (build.json keeps the list and the time; checking it is one stat per file).
 * - Concurrency: a build goes into a fresh temp directory; `current` is replaced by renaming a new
 *   symlink over it. A run that finds a fresh `current` when its own build is done uses that one and
 *   drops its own. Builds no longer current are removed once they are ten minutes old, so runs still
 *   loading chunks of a replaced build keep working.
 * - Failure: on any error (a build error, an unwritable cache) and with BOUNDLESS_NO_BUNDLE=1,
 *   loadCli runs the sources through tsx instead; with BOUNDLESS_DEBUG=1 it prints why on stderr.
 */
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const KEEP_REPLACED_MS = 10 * 60_000;

/** The project's own cache: the bundle of cli/main.ts in node_modules/.cache/boundless. */
export const DEFAULTS = Object.freeze({
  root: ROOT,
  entry: 'cli/main.ts',
  cacheDir: join(ROOT, 'node_modules', '.cache', 'boundless'),
});

/**
 * Worker-thread entries the command line starts (by their source's URL): bundled beside main.mjs, so that
 * a thread starts from plain JavaScript instead of registering tsx's loader first (about a second each).
 */
const WORKER_ENTRIES = ['copilot/src/logs/scan-thread-entry.ts'];

/** Where startTsWorker (common/src/ts-worker.ts) finds the bundled entry of a source URL. */
const BUNDLED_WORKERS = Symbol.for('boundless.bundledWorkers');

/**
 * The command line's module (cli/main.ts): the bundle when it can be had, else the sources through tsx
 * (BOUNDLESS_NO_BUNDLE=1, a build error, an unwritable cache), so errors in them show as tsx shows them.
 * @param {{ root?: string, entry?: string, cacheDir?: string }} [options]
 */
export async function loadCli(options = {}) {
  if (process.env.BOUNDLESS_NO_BUNDLE === '1') {
    debug('BOUNDLESS_NO_BUNDLE=1: running the sources through tsx');
  } else {
    try {
      const { url } = await bundledCli(options);
      // Stack traces name the TypeScript sources, as they do under tsx.
      process.setSourceMapsEnabled(true);
      globalThis[BUNDLED_WORKERS] = bundledWorkers(url);
      return await import(url);
    } catch (error) {
      debug(`no bundle, running the sources through tsx: ${error instanceof Error ? error.message : error}`);
      process.setSourceMapsEnabled(false);
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  const { root, entry } = { ...DEFAULTS, ...options };
  return import(pathToFileURL(resolve(root, entry)).href);
}

/** Writes a line to stderr when BOUNDLESS_DEBUG=1. */
export function debug(message) {
  if (process.env.BOUNDLESS_DEBUG !== '1') return;
  process.stderr.write(`${message.replace(/^/gm, 'boundless: ')}\n`);
}

/**
 * The file URL of a fresh bundle of `entry`, built first when missing or stale. Throws when there is
 * none and it cannot be built. `rebuilt` says whether this call built it.
 * @param {{ root?: string, entry?: string, cacheDir?: string }} [options]
 * @returns {Promise<{ url: string, rebuilt: boolean }>}
 */
export async function bundledCli(options = {}) {
  const { entry, cacheDir } = { ...DEFAULTS, ...options };
  const root = resolve(options.root ?? DEFAULTS.root);
  const current = join(cacheDir, 'current');
  const stale = staleReason(current, root);
  if (stale === undefined) return { url: mainUrl(current), rebuilt: false };
  debug(`bundle ${stale}; building it`);
  const began = performance.now();
  const built = await build(root, entry, cacheDir);
  if (staleReason(current, root) === undefined) {
    // Another run finished a fresh build first: use that one.
    rmSync(built, { recursive: true, force: true });
    debug('another run built the bundle first; using it');
    return { url: mainUrl(current), rebuilt: false };
  }
  const link = `${built}.link`;
  symlinkSync(basename(built), link);
  renameSync(link, current);
  debug(`bundle built in ${Math.round(performance.now() - began)} ms: ${built}`);
  pruneReplaced(cacheDir, basename(built));
  return { url: mainUrl(built), rebuilt: true };
}

/** Source URL -> bundled URL of the worker entries built beside the bundle's main.mjs at `url`. */
function bundledWorkers(url) {
  const dir = dirname(fileURLToPath(url));
  const { workers = {} } = JSON.parse(readFileSync(join(dir, 'build.json'), 'utf8'));
  return Object.fromEntries(
    Object.entries(workers).map(([source, file]) => [source, pathToFileURL(join(dir, file)).href]),
  );
}

function mainUrl(dir) {
  return pathToFileURL(join(realpathSync(dir), 'main.mjs')).href;
}

/** Why the build in `dir` cannot be used, or undefined when it is fresh. */
export function staleReason(dir, root) {
  let build;
  try {
    build = JSON.parse(readFileSync(join(dir, 'build.json'), 'utf8'));
  } catch {
    return 'missing';
  }
  // Bundled modules carry absolute file URLs: a moved or copied project needs its own build.
  if (build.root !== root) return `was built for ${build.root}`;
  for (const input of build.inputs) {
    const stats = statSync(input, { throwIfNoEntry: false });
    if (stats === undefined) return `input ${relative(root, input)} is gone`;
    if (stats.mtimeMs > build.startedAt) return `input ${relative(root, input)} changed`;
  }
  return undefined;
}

/** Files beyond the metafile's inputs whose change can change the bundle. */
function configInputs(root) {
  const files = ['package.json', 'tsconfig.json'].map((file) => join(root, file));
  const { workspaces = [] } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const workspace of workspaces) files.push(join(root, workspace, 'package.json'));
  files.push(fileURLToPath(import.meta.url), createRequire(import.meta.url).resolve('esbuild/package.json'));
  return files.filter((file) => statSync(file, { throwIfNoEntry: false }) !== undefined);
}

/** Builds into a new directory in `cacheDir` and returns it; removes it again when the build fails. */
async function build(root, entry, cacheDir) {
  mkdirSync(cacheDir, { recursive: true });
  // Inputs changed from here on are newer than the build and make it stale.
  const startedAt = Date.now();
  const out = mkdtempSync(join(cacheDir, 'b-'));
  try {
    const esbuild = await import('esbuild');
    const workers = WORKER_ENTRIES.filter((file) => statSync(join(root, file), { throwIfNoEntry: false }));
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: {
        main: entry,
        ...Object.fromEntries(workers.map((file) => [basename(file, '.ts'), file])),
      },
      outdir: out,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      metafile: true,
      sourcemap: true,
      logLevel: 'silent',
      // The workspace packages resolve from the project's node_modules, also for an entry outside it.
      nodePaths: [join(root, 'node_modules')],
      plugins: [externalPackages(), ownImportMeta()],
    });
    const inputs = [
      ...Object.keys(result.metafile.inputs).map((file) => resolve(root, file)),
      ...configInputs(root),
    ];
    writeFileSync(join(out, 'metafile.json'), JSON.stringify(result.metafile));
    const bundled = Object.fromEntries(
      workers.map((file) => [pathToFileURL(join(root, file)).href, `${basename(file, '.ts')}.mjs`]),
    );
    writeFileSync(join(out, 'build.json'), JSON.stringify({ root, startedAt, inputs, workers: bundled }));
    return out;
  } catch (error) {
    rmSync(out, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Leaves every package import to Node at run time except the workspace packages `@boundless/*`, whose
 * TypeScript esbuild resolves (through their package.json exports) and bundles.
 */
function externalPackages() {
  return {
    name: 'boundless-external-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) =>
        args.path.startsWith('@boundless/') ? undefined : { path: args.path, external: true },
      );
    },
  };
}

const LOADERS = { ts: 'ts', mts: 'ts', cts: 'ts', tsx: 'tsx', js: 'js', mjs: 'js', cjs: 'js', jsx: 'jsx' };
const IMPORT_META = /\bimport\.meta\.(url|dirname|filename)\b/g;

/** Gives every bundled module its own file's `import.meta.url`, `.dirname` and `.filename`. */
function ownImportMeta() {
  return {
    name: 'boundless-own-import-meta',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        const loader = LOADERS[args.path.slice(args.path.lastIndexOf('.') + 1)];
        if (!text.includes('import.meta')) return { contents: text, loader };
        const values = {
          url: pathToFileURL(args.path).href,
          dirname: dirname(args.path),
          filename: args.path,
        };
        return { contents: text.replace(IMPORT_META, (_, key) => JSON.stringify(values[key])), loader };
      });
    },
  };
}

/** Removes builds and leftover links other than `keep` and the current one once they are old enough. */
function pruneReplaced(cacheDir, keep) {
  try {
    const inUse = basename(realpathSync(join(cacheDir, 'current')));
    const now = Date.now();
    for (const name of readdirSync(cacheDir)) {
      if (!name.startsWith('b-') || name === keep || name === inUse) continue;
      const path = join(cacheDir, name);
      if (now - lstatSync(path).mtimeMs > KEEP_REPLACED_MS) rmSync(path, { recursive: true, force: true });
    }
  } catch (error) {
    debug(`could not prune old bundles: ${error instanceof Error ? error.message : String(error)}`);
  }
}
