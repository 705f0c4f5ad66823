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
 * A worker thread running a TypeScript entry (through tsx's loader, as the sources run everywhere here). The
 * entry reads its own data from `workerData` beside `tsx` and `entry`. The process has already printed the AWS
 * SDK's once-per-process Node version notice: the thread does not repeat it.
 */
export function startTsWorker(
  entry: URL,
  options: Omit<WorkerOptions, 'eval' | 'workerData'> & { workerData?: Record<string, unknown> } = {},
): Worker {
  return new Worker(BOOTSTRAP, {
    ...options,
    eval: true,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    workerData: { ...options.workerData, tsx: tsxEsmApi(), entry: entry.href },
  });
}
