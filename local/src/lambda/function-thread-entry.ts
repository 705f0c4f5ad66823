import '../runtime/process-defaults.ts';
import { parentPort, workerData } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import { createDeliveryRoutes, type DeliveryRoute, systemClock } from '@boundless/delivery/api';
import type { EdgeKeyValueStore } from '@boundless/delivery';
import { createTelemetryFactory } from '@boundless/delivery/telemetry';
import { embeddedDynamoClients } from '../dynamo/embedded-dynamo.ts';
import { captureFunctionOutput, invocationLogSink, runWithOutputScope } from './function-output.ts';
import {
  batchedPoster,
  type ContextFields,
  type FromWorker,
  type FunctionThreadSettings,
  type ToWorker,
} from './function-thread.ts';

/**
 * Inside the function thread (see function-thread.ts): builds the routes as a Lambda's module scope would,
 * then runs invocations as they arrive, several at once, each in its own output scope so its printed lines
 * travel back with its result.
 */
const port = parentPort;
if (!port) throw new Error('function-thread-entry runs in a worker thread');
const settings = (workerData as { settings: FunctionThreadSettings }).settings;
const send = batchedPoster<FromWorker>((batch) => port.postMessage(batch));
const keyValueCalls = new Map<
  number,
  { resolve(value: string | undefined): void; reject(error: Error): void }
>();
let nextKeyValueCall = 0;

try {
  const { client, doc } = embeddedDynamoClients(settings.dynamo);
  captureFunctionOutput();
  const routes = createDeliveryRoutes({
    dynamo: { doc, client, tableName: settings.dynamo.tableName },
    keyValueStore: keyValueStoreOverMessages(),
    cloudFront: settings.cloudFront,
    edgeBaseUrl: settings.edgeBaseUrl,
    edgeTokens: settings.edgeTokens,
    identity: settings.identity,
    clock: systemClock,
    telemetry: createTelemetryFactory({
      serviceName: settings.serviceName,
      namespace: settings.namespace,
      sinkFor: (functionName) => invocationLogSink((line) => send({ type: 'log', functionName, line })),
    }),
  });
  const byRouteKey = new Map<string, DeliveryRoute>(routes.map((route) => [route.routeKey, route]));
  port.on('message', (batch: ToWorker[]) => {
    for (const message of batch) {
      if (message.type === 'invoke') void invoke(byRouteKey, message.id, message.event, message.context);
      else if (message.type === 'kvs') settleKeyValueCall(message);
    }
  });
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'failed', error: String((error as Error)?.stack ?? error) });
}

async function invoke(
  byRouteKey: Map<string, DeliveryRoute>,
  id: number,
  event: Parameters<DeliveryRoute['handler']>[0],
  fields: ContextFields,
): Promise<void> {
  const lines: string[] = [];
  try {
    const route = byRouteKey.get(event.routeKey);
    if (!route) throw new Error(`${fields.functionName} has no handler for route ${event.routeKey}`);
    const result = await runWithOutputScope({ writeLine: (line) => lines.push(line) }, () =>
      route.handler(event, contextOf(fields)),
    );
    send({ type: 'result', id, lines, result });
  } catch (error) {
    const { name = 'Error', message = String(error), stack } = (error ?? {}) as Partial<Error>;
    send({ type: 'result', id, lines, error: { name, message, ...(stack ? { stack } : {}) } });
  }
}

function contextOf(fields: ContextFields): Context {
  const deadline = Date.now() + fields.remainingMs;
  const { remainingMs: _remaining, ...plain } = fields;
  return {
    ...plain,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function keyValueStoreOverMessages(): EdgeKeyValueStore {
  const call = (op: 'get' | 'put' | 'delete', key: string, value?: string) =>
    new Promise<string | undefined>((resolve, reject) => {
      nextKeyValueCall += 1;
      keyValueCalls.set(nextKeyValueCall, { resolve, reject });
      send({ type: 'kvs', id: nextKeyValueCall, op, key, ...(value !== undefined ? { value } : {}) });
    });
  return {
    get: (key) => call('get', key),
    put: async (key, value) => {
      await call('put', key, value);
    },
    delete: async (key) => {
      await call('delete', key);
    },
  };
}

function settleKeyValueCall(message: { id: number; value?: string; error?: string }): void {
  const pending = keyValueCalls.get(message.id);
  if (!pending) return;
  keyValueCalls.delete(message.id);
  if (message.error !== undefined) pending.reject(new Error(message.error));
  else pending.resolve(message.value);
}
