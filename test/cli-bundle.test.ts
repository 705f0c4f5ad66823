import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIBRARY = new URL('../bin/cli-bundle.mjs', import.meta.url).href;

interface Options {
  root?: string;
  entry?: string;
  cacheDir: string;
}

/** Runs `code` in a fresh node process with the cache module imported as `lib` and `options` in scope. */
function script(code: string, options: Options) {
  return `import * as lib from ${JSON.stringify(LIBRARY)};\nconst options = ${JSON.stringify(options)};\n${code}`;
}

function run(code: string, options: Options, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', script(code, options)], {
    encoding: 'utf8',
    env: { ...process.env, BOUNDLESS_DEBUG: '1', ...env },
  });
}

function ok(result: ReturnType<typeof run>): string {
  expect(result.stderr.split('\n').filter((line) => line && !line.startsWith('boundless:'))).toEqual([]);
  expect(result.status).toBe(0);
  return result.stdout;
}

const BUILD = 'console.log(JSON.stringify(await lib.bundledCli(options)));';
const DESCRIBE = 'console.log(JSON.stringify(await (await lib.loadCli(options)).describe()));';

function build(options: Options): { url: string; rebuilt: boolean } {
  return JSON.parse(ok(run(BUILD, options)));
}

function builtAt(cacheDir: string): number {
  return JSON.parse(readFileSync(join(cacheDir, 'current', 'build.json'), 'utf8')).startedAt;
}

/** Sets a file's modification time, so "newer than the build" needs no waiting. */
function touch(path: string, ms: number): void {
  utimesSync(path, ms / 1000, ms / 1000);
}

const MAIN = `import { dataFile, whereUrl } from '@boundless/pkg/where';
import type { Lazy } from './lazy.ts';

export const greeting: string = 'one';

export async function describe() {
  const { lazy } = await import('./lazy.ts');
  const value: Lazy = lazy;
  return { greeting, main: import.meta.url, where: whereUrl, dataFile, lazy: value.url };
}
`;

/** A small project shaped like this one: a TypeScript entry, a lazily imported module, a workspace package. */
function fixture(): { root: string; cacheDir: string; files: string[] } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'boundless-bundle-')));
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'fixture', private: true, type: 'module', workspaces: ['pkg'] }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: { strict: true, verbatimModuleSyntax: true, allowImportingTsExtensions: true },
    }),
    'main.ts': MAIN,
    'lazy.ts':
      'export interface Lazy {\n  url: string;\n}\nexport const lazy: Lazy = { url: import.meta.url };\n',
    'pkg/package.json': JSON.stringify({
      name: '@boundless/pkg',
      type: 'module',
      exports: { './*': './src/*.ts' },
    }),
    'pkg/src/where.ts':
      "export const whereUrl: string = import.meta.url;\nexport const dataFile: string = new URL('../data.txt', import.meta.url).href;\n",
  };
  const hourAgo = Date.now() - 3_600_000;
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
    touch(join(root, name), hourAgo);
  }
  mkdirSync(join(root, 'node_modules', '@boundless'), { recursive: true });
  symlinkSync('../../pkg', join(root, 'node_modules', '@boundless', 'pkg'));
  return { root, cacheDir: join(root, 'cache'), files: Object.keys(files) };
}

const expectedDescription = (root: string, greeting = 'one') => ({
  greeting,
  main: pathToFileURL(join(root, 'main.ts')).href,
  where: pathToFileURL(join(root, 'pkg/src/where.ts')).href,
  dataFile: pathToFileURL(join(root, 'pkg/data.txt')).href,
  lazy: pathToFileURL(join(root, 'lazy.ts')).href,
});

describe('CLI bundle cache', () => {
  let project: ReturnType<typeof fixture>;
  let options: Options;

  beforeEach(() => {
    project = fixture();
    options = { root: project.root, entry: 'main.ts', cacheDir: project.cacheDir };
  });

  afterEach(() => {
    rmSync(project.root, { recursive: true, force: true });
  });

  it('builds once, then reuses the bundle while no input changes', () => {
    const first = build(options);
    expect(first.rebuilt).toBe(true);
    const second = build(options);
    expect(second).toEqual({ url: first.url, rebuilt: false });
    expect(existsSync(join(project.cacheDir, 'current', 'metafile.json'))).toBe(true);
  });

  it("keeps each module's own import.meta.url and the lazy import a separate chunk", () => {
    const described = JSON.parse(ok(run(DESCRIBE, options)));
    expect(described).toEqual(expectedDescription(project.root));
    const dir = join(project.cacheDir, 'current');
    const chunks = readdirSync(dir).filter((name) => name.endsWith('.mjs'));
    const lazyUrl = JSON.stringify(expectedDescription(project.root).lazy);
    expect(readFileSync(join(dir, 'main.mjs'), 'utf8')).not.toContain(lazyUrl);
    expect(chunks.some((name) => readFileSync(join(dir, name), 'utf8').includes(lazyUrl))).toBe(true);
  });

  it.each(['main.ts', 'lazy.ts', 'pkg/src/where.ts', 'pkg/package.json', 'tsconfig.json', 'package.json'])(
    'rebuilds when %s is newer than the build, then reuses the new build',
    (name) => {
      const first = build(options);
      const path = join(project.root, name);
      if (name === 'main.ts') writeFileSync(path, MAIN.replace("'one'", "'two'"));
      touch(path, builtAt(project.cacheDir) + 1);
      const second = build(options);
      expect(second.rebuilt).toBe(true);
      expect(second.url).not.toBe(first.url);
      expect(build(options)).toEqual({ url: second.url, rebuilt: false });
      const greeting = name === 'main.ts' ? 'two' : 'one';
      expect(JSON.parse(ok(run(DESCRIBE, options)))).toEqual(expectedDescription(project.root, greeting));
    },
  );

  it('calls a build stale when an input is gone', () => {
    build(options);
    rmSync(join(project.root, 'lazy.ts'));
    const reason = ok(
      run('console.log(lib.staleReason(options.cacheDir + "/current", options.root));', options),
    );
    expect(reason.trim()).toBe('input lazy.ts is gone');
  });

  it('falls back to the sources through tsx when the build fails, with the error tsx shows', () => {
    build(options);
    const before = readdirSync(project.cacheDir).sort();
    const stamp = builtAt(project.cacheDir);
    writeFileSync(join(project.root, 'main.ts'), MAIN.replace("'one';", "'one' +;"));
    const bundled = run(DESCRIBE, options);
    const direct = run(DESCRIBE, options, { BOUNDLESS_NO_BUNDLE: '1' });
    expect(bundled.status).not.toBe(0);
    expect(bundled.stderr).toContain('boundless: no bundle, running the sources through tsx');
    expect(bundled.stderr).toContain('main.ts');
    const withoutDebug = (text: string) =>
      text
        .split('\n')
        .filter((line) => !line.startsWith('boundless:'))
        .join('\n');
    expect(withoutDebug(bundled.stderr)).toBe(withoutDebug(direct.stderr));
    // The failed build left nothing behind and the previous one is still current.
    expect(readdirSync(project.cacheDir).sort()).toEqual(before);
    expect(builtAt(project.cacheDir)).toBe(stamp);
  });

  it('falls back to the sources through tsx when the cache dir cannot be written', () => {
    writeFileSync(join(project.root, 'not-a-dir'), '');
    const unwritable = { ...options, cacheDir: join(project.root, 'not-a-dir', 'cache') };
    const result = run(DESCRIBE, unwritable);
    expect(result.stderr).toContain('boundless: no bundle, running the sources through tsx');
    expect(JSON.parse(ok(result))).toEqual(expectedDescription(project.root));
  });

  it('neither builds nor reads a bundle with BOUNDLESS_NO_BUNDLE=1', () => {
    const result = run(DESCRIBE, options, { BOUNDLESS_NO_BUNDLE: '1' });
    expect(JSON.parse(ok(result))).toEqual(expectedDescription(project.root));
    expect(result.stderr).toContain('BOUNDLESS_NO_BUNDLE=1');
    expect(existsSync(project.cacheDir)).toBe(false);
  });

  it('gives every one of several runs started together on a missing cache a working bundle', async () => {
    const runs = Array.from(
      { length: 4 },
      () =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script(DESCRIBE, options)], {
            env: { ...process.env, BOUNDLESS_DEBUG: '1' },
          });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (chunk) => {
            stdout += chunk;
          });
          child.stderr.on('data', (chunk) => {
            stderr += chunk;
          });
          child.on('close', (status) => done({ status, stdout, stderr }));
        }),
    );
    for (const result of await Promise.all(runs)) {
      expect(result.stderr).not.toContain('through tsx');
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual(expectedDescription(project.root));
    }
    expect(build(options).rebuilt).toBe(false);
    expect(readdirSync(project.cacheDir).filter((name) => name.endsWith('.link'))).toEqual([]);
  });
});

describe('CLI bundle of this project', () => {
  // Inside this project's node_modules, so the bundle finds the packages it leaves external.
  let cacheDir: string;

  beforeEach(() => {
    mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
    cacheDir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'boundless-test-'));
  });

  afterEach(() => {
    rmSync(cacheDir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    `const { main } = await lib.loadCli(options);\nprocess.exitCode = await main(['node', 'boundless', ...${JSON.stringify(args)}]);`;

  it('prints the help of the sources, with paths found from the commands’ own files', () => {
    for (const args of [['--help'], ['eval', 'anomalies', '--help'], ['eval', 'prewarm', '--help']]) {
      const bundled = ok(run(cli(...args), { cacheDir }));
      expect(bundled).toBe(ok(run(cli(...args), { cacheDir }, { BOUNDLESS_NO_BUNDLE: '1' })));
    }
    expect(ok(run(cli('eval', 'anomalies', '--help'), { cacheDir }))).toContain(
      resolve(ROOT, '../shared/data/nab'),
    );
    // The detectors are a chunk of their own, loaded only by `detect`.
    const main = readFileSync(join(cacheDir, 'current', 'main.mjs'), 'utf8');
    expect(main).not.toContain('copilot/src/detect/run.ts');
  });

  it('resolves files next to the workspace sources from the bundle', () => {
    const entryDir = mkdtempSync(join(tmpdir(), 'boundless-bundle-entry-'));
    try {
      writeFileSync(
        join(entryDir, 'entry.ts'),
        `export { DEFAULT_VIEWER_REQUEST_SOURCE } from '@boundless/local/edge';
export { DEFAULT_POLICIES_PATH } from '@boundless/copilot/mitigation';
export { embeddedGeo } from '@boundless/copilot/geo';
`,
      );
      const code = `const { url } = await lib.bundledCli(options);
const m = await import(url);
console.log(JSON.stringify({
  viewerRequest: m.DEFAULT_VIEWER_REQUEST_SOURCE.href,
  policies: m.DEFAULT_POLICIES_PATH.href,
  country: m.embeddedGeo().country('8.8.8.8'),
}));`;
      const result = JSON.parse(ok(run(code, { cacheDir, entry: join(entryDir, 'entry.ts') })));
      expect(result).toEqual({
        viewerRequest: pathToFileURL(join(ROOT, 'delivery/edge/viewer-request.js')).href,
        policies: pathToFileURL(join(ROOT, 'copilot/policies.json')).href,
        country: expect.stringMatching(/^[A-Z]{2}$/),
      });
      expect(existsSync(fileURLToPath(result.viewerRequest))).toBe(true);
      expect(existsSync(fileURLToPath(result.policies))).toBe(true);
    } finally {
      rmSync(entryDir, { recursive: true, force: true });
    }
  });
});
