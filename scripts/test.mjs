#!/usr/bin/env node
// `npm test`: make sure Chromium is there for the browser tests, then type-check, lint and run every test.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function run(command, args, options = {}) {
  process.stdout.write(`\n> ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) {
    process.stderr.write(
      `Chromium is missing at ${CHROMIUM}; install it (apt-get install chromium) or set CHROMIUM_PATH.\n`,
    );
    process.exit(1);
  }
  process.stdout.write('Chromium is missing: installing it with apt-get (about a minute)...\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (
    run('apt-get', ['update', '-q'], { env }) !== 0 ||
    run('apt-get', ['install', '-y', '-q', 'chromium'], { env }) !== 0
  ) {
    process.stderr.write('Installing Chromium failed; browser tests cannot run.\n');
    process.exit(1);
  }
}

ensureChromium();
const extra = process.argv.slice(2);
const steps = [
  ['npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['npx', ['biome', 'check', '.']],
  // Unused files, exports and dependencies, and undeclared imports (knip.jsonc).
  ['npx', ['knip']],
  ['npx', ['vitest', 'run', ...extra]],
];
for (const [command, args] of steps) {
  const status = run(command, args);
  if (status !== 0) process.exit(status);
}
