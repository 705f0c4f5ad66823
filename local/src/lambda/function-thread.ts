import { startTsWorker } from '@boundless/common/ts-worker';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { EdgeKeyValueStore, EdgeTokenKeys } from '@boundless/delivery';
import type { IdentitySettings } from '@boundless/delivery/identity';
import { currentOutputScope, type OutputScope } from './function-output.ts';

/**
 * The execution environments' code (every access API handler, with its SDK clients) runs in one worker thread
 * of the runtime, as Lambda runs it apart from the service in front of it. The main thread keeps the HTTP API,
 * the emulator's bookkeeping, logs and traces; on two cores the handlers, dynalite and the API then each get a
 * thread instead of queueing on one event loop. Nothing about a handler changes: it gets the event and a
 * context, its printed lines go to its invocation's log stream, and the edge KeyValueStore it writes (admin
 * levers) is the runtime's one, reached through messages.
 */
export interface FunctionThreadSettings {
  dynamo: { endpoint: string; socketPath: string; region: string; tableName: string };
  cloudFront: { keyPairId: string; privateKeyPem: string };
  edgeBaseUrl: string;
  edgeTokens: EdgeTokenKeys;
  identity: IdentitySettings;
  serviceName: string;
  namespace: string;
}

export interface FunctionThreadOptions extends FunctionThreadSettings {
  keyValueStore: EdgeKeyValueStore;
  /** Lines a function prints outside any invocation (module scope at load, say). */
  outsideInvocation(functionName: string, line: string): void;
}

/** The plain fields of a Lambda context (the functions are rebuilt on the other side). */
export interface ContextFields {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  remainingMs: number;
}

export type ToWorker =
  | { type: 'invoke'; id: number; event: APIGatewayProxyEventV2; context: ContextFields }
  | { type: 'kvs'; id: number; value?: string; error?: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; lines: string[]; result?: APIGatewayProxyResultV2; error?: ErrorFields }
  | { type: 'kvs'; id: number; op: 'get' | 'put' | 'delete'; key: string; value?: string }
  | { type: 'log'; functionName: string; line: string };

interface ErrorFields {
  name: string;
  message: string;
  stack?: string;
}

type FunctionHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

export interface FunctionThread {
  /** Runs the route of `event.routeKey` in the thread. */
  handler: FunctionHandler;
  close(): Promise<void>;
}

/**
 * Messages posted during one turn of the event loop travel as one array: waking the other thread is what a
 * message costs here, and under load several invocations start (or finish) in the same turn.
 */
export function batchedPoster<M>(post: (batch: M[]) => void): (message: M) => void {
  let batch: M[] = [];
  return (message) => {
    batch.push(message);
    if (batch.length > 1) return;
    setImmediate(() => {
      const sending = batch;
      batch = [];
      post(sending);
    });
  };
}

class FunctionThreadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FunctionThreadError';
  }
}

// Plain CommonJS evaluated in the worker: it registers the TypeScript loader there (tsx's ESM API, as
// bin/boundless.mjs does), then loads the entry.
interface Pending {
  resolve(result: APIGatewayProxyResultV2): void;
  reject(error: Error): void;
  scope: OutputScope | undefined;
}

export async function startFunctionThread(options: FunctionThreadOptions): Promise<FunctionThread> {
  const { keyValueStore, outsideInvocation, ...settings } = options;
  const worker = startTsWorker(new URL('./function-thread-entry.ts', import.meta.url), {
    resourceLimits: { maxYoungGenerationSizeMb: 64 },
    workerData: { settings },
  });
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let exited: Error | undefined;

  const ready = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new FunctionThreadError(`function thread exited with ${code}`)));
    worker.on('message', function first([message]: FromWorker[]) {
      if (message?.type === 'ready') resolve();
      else if (message?.type === 'failed') reject(new FunctionThreadError(message.error));
      else return;
      worker.off('message', first);
    });
  });
  await ready.catch(async (error: unknown) => {
    await worker.terminate();
    throw error instanceof FunctionThreadError
      ? error
      : new FunctionThreadError('function thread did not start', { cause: error });
  });

  const fail = (error: Error) => {
    exited = error;
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };
  worker.on('error', (error) => fail(new FunctionThreadError('function thread failed', { cause: error })));
  worker.on('exit', (code) => fail(new FunctionThreadError(`function thread exited with ${code}`)));
  const post = batchedPoster<ToWorker>((batch) => worker.postMessage(batch));
  worker.on('message', (batch: FromWorker[]) => {
    for (const message of batch) receive(message);
  });
  const receive = (message: FromWorker) => {
    if (message.type === 'result') {
      const call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      for (const line of message.lines) call.scope?.writeLine(line);
      if (message.error) call.reject(Object.assign(new Error(message.error.message), message.error));
      else call.resolve(message.result as APIGatewayProxyResultV2);
    } else if (message.type === 'kvs') {
      serveKeyValueStore(keyValueStore, message).then(
        (value) => post({ type: 'kvs', id: message.id, value }),
        (error: unknown) => post({ type: 'kvs', id: message.id, error: String(error) }),
      );
    } else if (message.type === 'log') {
      outsideInvocation(message.functionName, message.line);
    }
  };

  return {
    handler: (event, context) => {
      if (exited) return Promise.reject(exited);
      nextId += 1;
      const id = nextId;
      const scope = currentOutputScope();
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject, scope });
        post({ type: 'invoke', id, event, context: fieldsOf(context) });
      });
    },
    close: async () => {
      worker.removeAllListeners('exit');
      fail(new FunctionThreadError('function thread closed'));
      await worker.terminate();
    },
  };
}

function fieldsOf(context: Context): ContextFields {
  return {
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: context.memoryLimitInMB,
    awsRequestId: context.awsRequestId,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    remainingMs: context.getRemainingTimeInMillis(),
  };
}

async function serveKeyValueStore(
  store: EdgeKeyValueStore,
  request: { op: 'get' | 'put' | 'delete'; key: string; value?: string },
): Promise<string | undefined> {
  if (request.op === 'get') return store.get(request.key);
  if (request.op === 'put') await store.put(request.key, request.value ?? '');
  else await store.delete(request.key);
  return undefined;
}
