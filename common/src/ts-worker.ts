import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

// Evaluated as CommonJS in the worker: registers tsx's loader, then imports the TypeScript entry.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((tsx) => {
  tsx.register();
  return import(workerData.entry);
});
`;

/** tsx's `esm/api` export for `import` (resolving through require would give its CommonJS build). */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('tsx/package.json'));
  const { exports } = require('tsx/package.json') as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(root, exports['./esm/api']?.import.default ?? 'dist/esm/api/index.mjs')).href;
}

/**
 * Bundled entries by source URL, set by the command line's bundle loader (bin/cli-bundle.mjs) for the
 * entries it bundles.
 */
const BUNDLED_WORKERS = Symbol.for('boundless.bundledWorkers');

/**
 * A worker thread running a TypeScript entry (through tsx's loader, as the sources run everywhere here; or,
 * under the command line's bundle, the entry's bundled JavaScript when it has one). The entry reads its own
 * data from `workerData` beside `tsx` and `entry`. The process has already printed the AWS SDK's
 * once-per-process Node version notice: the thread does not repeat it.
 */
export function startTsWorker(
  entry: URL,
  options: Omit<WorkerOptions, 'eval' | 'workerData'> & { workerData?: Record<string, unknown> } = {},
): Worker {
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const bundled = (globalThis as { [BUNDLED_WORKERS]?: Record<string, string> })[BUNDLED_WORKERS]?.[
    entry.href
  ];
  if (bundled !== undefined) {
    return new Worker(new URL(bundled), { ...options, env, workerData: { ...options.workerData } });
  }
  return new Worker(BOOTSTRAP, {
    ...options,
    eval: true,
    env,
    workerData: { ...options.workerData, tsx: tsxEsmApi(), entry: entry.href },
  });
}
