import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `npm run bench [name...]`: runs every bench/<name>.ts (or the named ones) one after another, so they do not
 * compete for the CPU, and writes bench/results/<name>.json plus a summary of all of them.
 */
type BenchResult = Record<string, number | string>;

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = join(BENCH_DIR, 'results');

async function benchNames(): Promise<string[]> {
  const files = await readdir(BENCH_DIR);
  return files
    .filter(
      (file) =>
        file.endsWith('.ts') &&
        !file.endsWith('.test.ts') &&
        !file.endsWith('.d.ts') &&
        file !== basename(import.meta.url),
    )
    .map((file) => file.slice(0, -3))
    .sort();
}

async function runOne(name: string): Promise<BenchResult> {
  const module = (await import(pathToFileURL(join(BENCH_DIR, `${name}.ts`)).href)) as {
    run?: () => Promise<BenchResult>;
  };
  if (typeof module.run !== 'function') throw new Error(`bench/${name}.ts exports no run() function`);
  return module.run();
}

async function main(argv: string[]): Promise<number> {
  const available = await benchNames();
  const unknown = argv.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown bench(es): ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
    return 2;
  }
  const selected = argv.length > 0 ? argv : available;
  await mkdir(RESULTS_DIR, { recursive: true });
  const summary: Record<string, BenchResult | { error: string }> = {};
  let failures = 0;
  for (const name of selected) {
    process.stdout.write(`\n== bench ${name}\n`);
    const started = performance.now();
    try {
      const result = await runOne(name);
      const record = { ...result, wallSeconds: Math.round((performance.now() - started) / 10) / 100 };
      summary[name] = record;
      await writeFile(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
      for (const [key, value] of Object.entries(record))
        process.stdout.write(`  ${key.padEnd(32)} ${value}\n`);
    } catch (error) {
      failures += 1;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      summary[name] = { error: message.split('\n')[0] ?? message };
      process.stderr.write(`bench ${name} failed: ${message}\n`);
    }
  }
  const summaryFile = join(RESULTS_DIR, 'summary.json');
  await writeFile(
    summaryFile,
    `${JSON.stringify({ at: new Date().toISOString(), benches: summary }, null, 2)}\n`,
  );
  process.stdout.write(`\nwrote ${summaryFile}\n`);
  return failures === 0 ? 0 : 1;
}

// Exit explicitly: a bench that leaves a socket open must not hang the run.
process.exit(await main(process.argv.slice(2)));
