import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { FunctionLoadError } from '../errors.ts';
import type { CfRequest, CfResponse, CfViewerRequestEvent } from './function-event.ts';

/** CloudFront's maximum function size. */
export const MAX_FUNCTION_BYTES = 10 * 1024;

/** The deployed function's source, found through the delivery package's exports as any consumer finds it. */
export const DEFAULT_VIEWER_REQUEST_SOURCE = pathToFileURL(
  createRequire(import.meta.url).resolve('@boundless/delivery/viewer-request'),
);

/** The synchronous view of a KeyValueStore that the function shim reads (the store lives in this process). */
export interface KeyValueReader {
  getSync(key: string): string | undefined;
}

export type FunctionResult =
  | { kind: 'request'; request: CfRequest }
  | { kind: 'response'; response: CfResponse }
  | { kind: 'error'; code: 'FunctionExecutionError' | 'FunctionValidationError'; message: string };

/** What a run produced and what it cost in nanoseconds of wall time. */
export type FunctionOutcome = FunctionResult & { costNs: number };

interface FunctionStats {
  invocations: number;
  errors: number;
  totalNs: number;
}

export interface ViewerRequestFunction {
  readonly sourceBytes: number;
  /** Runs the function on one request; `kvs` replaces the store for this run only (an injected fault's view). */
  invoke(event: CfViewerRequestEvent, kvs?: KeyValueReader): Promise<FunctionOutcome>;
  stats(): FunctionStats;
}

export interface LoadFunctionOptions {
  kvs: KeyValueReader;
  /** Epoch milliseconds; sampled once per invocation, as CloudFront freezes time during a run. */
  clock?: () => number;
  source?: string;
  sourcePath?: string | URL;
  log?: (line: string) => void;
}

const IMPORT_LINE = /^import\s+([A-Za-z_$][\w$]*)\s+from\s+['"]([^'"]+)['"];?[ \t]*$/gm;
const RUNTIME_MODULES = new Set(['crypto', 'cloudfront']);

/** Rewrites only the `import x from 'module'` lines into bindings the runner injects; line numbers are kept. */
export function toScript(source: string): string {
  const rewritten = source.replace(IMPORT_LINE, (_line, name: string, module: string) => {
    if (!RUNTIME_MODULES.has(module)) {
      throw new FunctionLoadError(`function imports "${module}", which CloudFront Functions do not provide`);
    }
    return `const ${name} = __cfModules[${JSON.stringify(module)}];`;
  });
  // CloudFront runs functions in strict mode; the prefix stays on line 1.
  return `'use strict';${builtinBindings(rewritten)}${rewritten}`;
}

/**
 * Builtins a function reads per request. A node:vm context answers every global lookup through an interceptor
 * (a call out of the engine), which made `String.fromCharCode` in a loop cost a microsecond; a script-scope
 * binding to the same object is read like any other constant. Names the source declares itself are left alone.
 */
const HOT_BUILTINS = [
  'String',
  'Number',
  'Math',
  'JSON',
  'Object',
  'Array',
  'RegExp',
  'Date',
  'Promise',
  'Error',
];

function builtinBindings(source: string): string {
  const bound = HOT_BUILTINS.filter(
    (name) => !new RegExp(`\\b(?:const|let|var|function|class)\\s+${name}\\b`).test(source),
  );
  return bound.length === 0 ? '' : `const ${bound.map((name) => `${name} = globalThis.${name}`).join(', ')};`;
}

interface Realm {
  Promise: PromiseConstructor;
  Error: ErrorConstructor;
  Date: DateConstructor;
}

function createKvsShim(readerOf: () => KeyValueReader, realm: Realm) {
  const handle = {
    get(key: string, options?: { format?: 'string' | 'json' | 'bytes' }): Promise<unknown> {
      const value = readerOf().getSync(String(key));
      if (value === undefined) return realm.Promise.reject(new realm.Error(`Key "${key}" does not exist`));
      if (options?.format === 'json') return realm.Promise.resolve(JSON.parse(value));
      if (options?.format === 'bytes') return realm.Promise.resolve(Buffer.from(value, 'utf8'));
      return realm.Promise.resolve(value);
    },
    exists(key: string): Promise<boolean> {
      return realm.Promise.resolve(readerOf().getSync(String(key)) !== undefined);
    },
    meta(): Promise<unknown> {
      return realm.Promise.resolve({ creationDateTime: '', lastUpdatedDateTime: '', keyCount: -1 });
    },
  };
  return { kvs: () => handle };
}

// Only what the runtime's crypto module offers: hashes and HMACs with md5, sha1 or sha256.
const cryptoShim = Object.freeze({
  createHash: (algorithm: string) => createHash(allowedAlgorithm(algorithm)),
  createHmac: (algorithm: string, key: string | Buffer) => createHmac(allowedAlgorithm(algorithm), key),
});

function allowedAlgorithm(algorithm: string): string {
  if (algorithm !== 'md5' && algorithm !== 'sha1' && algorithm !== 'sha256') {
    throw new Error(`Unsupported hash algorithm "${algorithm}"`);
  }
  return algorithm;
}

function readSource(options: LoadFunctionOptions): string {
  if (options.source !== undefined) return options.source;
  const path = options.sourcePath ?? DEFAULT_VIEWER_REQUEST_SOURCE;
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new FunctionLoadError(`cannot read function source ${String(path)}`, { cause });
  }
}

function compile(source: string, options: LoadFunctionOptions, runReader: AsyncLocalStorage<KeyValueReader>) {
  const context = vm.createContext(
    { Buffer, console: { log: options.log ?? (() => {}) } },
    { codeGeneration: { strings: false, wasm: false }, name: 'cloudfront-function' },
  );
  const realm = vm.runInContext('({ Promise, Error, Date })', context) as Realm;
  const clock = options.clock ?? Date.now;
  let frozenNow = clock();
  realm.Date.now = () => frozenNow;
  // The function takes its store handle once, at module scope: a run's own view is found by async context.
  const readerOf = () => runReader.getStore() ?? options.kvs;
  context.__cfModules = { crypto: cryptoShim, cloudfront: createKvsShim(readerOf, realm) };
  const script = toScript(source);
  try {
    new vm.Script(script, { filename: 'viewer-request.js' }).runInContext(context);
  } catch (cause) {
    throw new FunctionLoadError('function source does not evaluate', { cause });
  }
  const handler = context.handler as unknown;
  if (typeof handler !== 'function') throw new FunctionLoadError('function source defines no handler(event)');
  return {
    handler: handler as (event: CfViewerRequestEvent) => unknown,
    freezeClock: () => {
      frozenNow = clock();
    },
  };
}

function classify(result: unknown): FunctionResult {
  if (result && typeof result === 'object') {
    const r = result as Record<string, unknown>;
    if (typeof r.statusCode === 'number') return { kind: 'response', response: r as unknown as CfResponse };
    if (typeof r.uri === 'string' && r.uri.startsWith('/') && typeof r.querystring === 'object') {
      return { kind: 'request', request: r as unknown as CfRequest };
    }
  }
  return {
    kind: 'error',
    code: 'FunctionValidationError',
    message: 'function returned neither request nor response',
  };
}

/** Loads a viewer-request function once and runs it per request in node:vm, as the local edge does. */
export function loadViewerRequestFunction(options: LoadFunctionOptions): ViewerRequestFunction {
  const source = readSource(options);
  const sourceBytes = Buffer.byteLength(source, 'utf8');
  if (sourceBytes > MAX_FUNCTION_BYTES) {
    throw new FunctionLoadError(`function is ${sourceBytes} bytes; CloudFront allows ${MAX_FUNCTION_BYTES}`);
  }
  const runReader = new AsyncLocalStorage<KeyValueReader>();
  const { handler, freezeClock } = compile(source, options, runReader);
  const totals: FunctionStats = { invocations: 0, errors: 0, totalNs: 0 };
  return {
    sourceBytes,
    async invoke(event, kvs) {
      const started = process.hrtime.bigint();
      freezeClock();
      let outcome: FunctionResult;
      try {
        outcome = classify(await (kvs ? runReader.run(kvs, () => handler(event)) : handler(event)));
      } catch (error) {
        outcome = { kind: 'error', code: 'FunctionExecutionError', message: String(error) };
      }
      const costNs = Number(process.hrtime.bigint() - started);
      totals.invocations += 1;
      totals.totalNs += costNs;
      if (outcome.kind === 'error') totals.errors += 1;
      return { ...outcome, costNs };
    },
    stats: () => ({ ...totals }),
  };
}
