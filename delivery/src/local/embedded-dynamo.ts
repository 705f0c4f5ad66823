import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { createRequire } from 'node:module';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoClients } from '../store/delivery-store.ts';

/**
 * DynamoDB on one machine: dynalite over LevelDB under `path`, reached through the same SDK clients as in AWS.
 * It runs in a worker thread: its validation and LevelDB work then use the second core instead of competing
 * with the handlers on the main thread. One open per path per process: LevelDB refuses a second one.
 */
export interface EmbeddedDynamo {
  endpoint: string;
  /** Low-level commands, middleware cached (the access hot path). */
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  close(): Promise<void>;
}

export class EmbeddedDynamoError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EmbeddedDynamoError';
  }
}

// Plain CommonJS evaluated in the worker, so it needs no TypeScript loader there. One dynalite (one LevelDB
// open) answers on two listeners: a Unix socket for this process's client, and TCP for any other tool.
const WORKER_SOURCE = `
const { createServer } = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.dynalite);
const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const local = createServer(server.listeners('request')[0]);
local.keepAliveTimeout = server.keepAliveTimeout;
const fail = (error) => parentPort.postMessage({ error: String((error && error.stack) || error) });
server.on('error', fail);
local.on('error', fail);
server.listen(0, '127.0.0.1', () =>
  local.listen(workerData.socketPath, () => parentPort.postMessage({ port: server.address().port })),
);
parentPort.on('message', (message) => {
  if (message === 'close') local.close(() => server.close(() => parentPort.postMessage({ closed: true })));
});
`;

/**
 * Loopback TCP runs the kernel's TCP send and receive path on every write, billed to the writing thread; a
 * Unix socket carries the same HTTP bytes more cheaply (a few percent of the event loop's CPU per access
 * request). The SDK is unchanged: the endpoint stays an http URL (it is what gets signed), only the agent's
 * connections go to the socket.
 */
class UnixSocketAgent extends Agent {
  constructor(private readonly socketPath: string) {
    // As the SDK's default agent: kept-alive connections, at most 50 at a time.
    super({ keepAlive: true, maxSockets: 50 });
  }

  /** Returning the socket is enough: the agent takes a returned socket as created (the callback is for async). */
  override createConnection(): Socket {
    return createConnection(this.socketPath);
  }
}

export async function startEmbeddedDynamo(path: string, region: string): Promise<EmbeddedDynamo> {
  const dynalite = createRequire(import.meta.url).resolve('dynalite');
  // Socket paths are limited to ~100 bytes: a short name in the temp dir rather than under the data dir.
  const socketPath = join(
    tmpdir(),
    `boundless-dynalite-${process.pid}-${randomBytes(4).toString('hex')}.sock`,
  );
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, dynalite, socketPath } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (message: { port?: number; error?: string }) => {
      if (message.port) resolve(message.port);
      else reject(new EmbeddedDynamoError(`dynalite did not start under ${path}: ${message.error}`));
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error instanceof EmbeddedDynamoError
      ? error
      : new EmbeddedDynamoError(`dynalite did not start under ${path}`, { cause: error });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  // Both clients share one agent, so one pool of kept-alive connections.
  const { client, doc } = createDynamoClients({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
    requestHandler: { httpAgent: new UnixSocketAgent(socketPath) },
  });
  return {
    endpoint,
    client,
    doc,
    close: async () => {
      client.destroy();
      doc.destroy();
      const closed = new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage('close');
      await closed;
      // Terminating runs LevelDB's cleanup, which releases the directory for the next open.
      await worker.terminate();
      await rm(socketPath, { force: true });
    },
  };
}
