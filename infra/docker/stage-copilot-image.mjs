#!/usr/bin/env node
// Lays out what the copilot image holds in /app: the repository's sources without tests, benches and the
// dashboard's sources, the dashboard's production build, and the production dependencies. The Dockerfile runs it
// (`--node-modules install`, a real `npm ci --omit=dev`); infra's image test runs the same script
// (`--node-modules link`: the production packages of the lockfile linked from this checkout, dev-only ones left
// out, so an import of a dev dependency fails there as it would in the image) and then the image's entry point.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const manifest = JSON.parse(readFileSync(join(HERE, 'copilot-image.json'), 'utf8'));

function usage(message) {
  process.stderr.write(
    `${message ? `${message}\n` : ''}usage: stage-copilot-image.mjs --out <dir> [--node-modules install|link|none]\n`,
  );
  process.exit(2);
}

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
if (args.includes('--help')) usage();
const out = option('--out');
const nodeModules = option('--node-modules') ?? 'install';
if (!out) usage('--out is required');
if (!['install', 'link', 'none'].includes(nodeModules)) usage(`unknown --node-modules ${nodeModules}`);
const target = resolve(out);
if (target === ROOT || target.startsWith(`${ROOT}${sep}`)) usage('--out must be outside the repository');

/**
 * The manifest's patterns as .dockerignore reads them: a pattern starting with two stars and a slash matches the last segment at any depth, anything
 * else the whole path from the root; `*` stands for any characters within one segment.
 */
const SPECIAL = /[.+^$(){}|[\]\\]/g;
const glob = (pattern) => new RegExp(`^${pattern.replace(SPECIAL, '\\$&').replace(/\*/g, '[^/]*')}$`);
const matcher = (patterns) => {
  const anywhere = patterns.filter((p) => p.startsWith('**/')).map((p) => glob(p.slice(3)));
  const rooted = patterns.filter((p) => !p.startsWith('**/')).map(glob);
  return (path) =>
    rooted.some((r) => r.test(path)) || anywhere.some((r) => r.test(path.slice(path.lastIndexOf('/') + 1)));
};
// The dashboard's build is left out of the build context (the image builds its own) and copied in below.
const excluded = matcher([
  ...manifest.contextExcludes.filter((p) => p !== manifest.dashboardDist),
  ...manifest.imageExcludes,
]);

const dist = join(ROOT, manifest.dashboardDist);
if (!existsSync(join(dist, 'index.html')))
  usage(`${manifest.dashboardDist}/index.html is missing: run \`npm run build -w dashboard\` first`);

rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
const workspaces = new Set(manifest.workspaces);
const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
for (const entry of readdirSync(ROOT, { withFileTypes: true })) {
  const name = entry.name;
  if (name.startsWith('.') || excluded(name)) continue;
  // A workspace the image does not run ships its package.json only (npm ci needs every workspace's).
  if (rootPackage.workspaces.includes(name) && !workspaces.has(name)) {
    mkdirSync(join(target, name));
    cpSync(join(ROOT, name, 'package.json'), join(target, name, 'package.json'));
    continue;
  }
  cpSync(join(ROOT, name), join(target, name), {
    recursive: true,
    filter: (source) => {
      const path = relative(ROOT, source).split(sep).join('/');
      return path === '' || !excluded(path);
    },
  });
}
cpSync(dist, join(target, manifest.dashboardDist), { recursive: true });

if (nodeModules === 'install') {
  const flags = manifest.workspaces.flatMap((w) => ['-w', w]);
  const result = spawnSync(
    'npm',
    ['ci', '--omit=dev', '--no-audit', '--no-fund', '--include-workspace-root', ...flags],
    { cwd: target, stdio: 'inherit' },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
} else if (nodeModules === 'link') {
  linkProductionPackages();
}
process.stdout.write(`${JSON.stringify({ staged: target, nodeModules, entry: manifest.entry })}\n`);

/**
 * The lockfile's production packages (not `dev`), each linked from this checkout's install: top-level ones
 * under node_modules/, workspace-local ones under <workspace>/node_modules/, workspaces to their staged copy.
 */
function linkProductionPackages() {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  for (const [path, meta] of Object.entries(lock.packages)) {
    if (path === '' || meta.dev) continue;
    const segments = path.split('node_modules/');
    // Only the first level under a node_modules: deeper ones come with the package they are nested in.
    if (segments.length !== 2) continue;
    const [owner, name] = segments;
    if (owner !== '' && !manifest.workspaces.includes(owner.replace(/\/$/, ''))) continue;
    const link = join(target, path);
    mkdirSync(dirname(link), { recursive: true });
    if (meta.link) {
      symlinkSync(join(target, meta.resolved), link, 'dir');
      continue;
    }
    const source = join(ROOT, path);
    // Optional packages for other platforms are not installed here, nor would they be in the image.
    if (!existsSync(source)) continue;
    if (!name) continue;
    symlinkSync(source, link, 'dir');
  }
}
