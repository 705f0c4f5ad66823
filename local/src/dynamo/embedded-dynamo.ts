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
import { createDynamoClients } from '@boundless/delivery/store';

/**
 * DynamoDB on one machine: dynalite over LevelDB under `path`, reached through the same SDK clients as in AWS.
 * It runs in a worker thread: its validation and LevelDB work then use the second core instead of competing
 * with the handlers on the main thread. One open per path per process: LevelDB refuses a second one.
 */
export interface EmbeddedDynamo {
  endpoint: string;
  /** Injected faults: every request meanwhile may be throttled, fail or wait (undefined lifts them). */
  setFault(plan: { throttleP: number; errorP: number; delayMs: number } | undefined): void;
  /** Requests since the last call: how many, throttled, failed, and their summed latency. */
  takeStats(): Promise<TableStats>;
  /** The Unix socket the clients' connections go to (see embeddedDynamoClients). */
  socketPath: string;
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
//
// dynalite reads the table's description from LevelDB for every key it touches (a BatchGetItem of five keys
// reads it six times, a conditional PutItem twice): half of its LevelDB reads on the access path. Its store is
// wrapped so those reads come from memory, decoded from the stored JSON on every read as LevelDB would, and
// dropped on every write or delete of a description (CreateTable, UpdateTable, DeleteTable and their status
// changes all write it); a read that overlapped a write is not kept. Items and indexes are untouched.
//
// Every LevelDB read was also a round trip through libuv's threadpool: a wake-up of a pool thread and one back,
// which on this kind of VM cost more than the read itself (a lookup in LevelDB's memtable or block cache).
// Reads now use classic-level's getSync on dynalite's own thread, which exists to do this work; they answer
// through the same callback, after the same setImmediate, with the same value. Writes stay asynchronous.
const WORKER_SOURCE = `
const { createServer } = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const store = require(workerData.dynaliteDb);
const create = store.create;
store.create = function (options) {
  const created = create(options);
  cacheTableDescriptions(created.tableDb);
  readSynchronously(created.db);
  return created;
};
function readSynchronously(db) {
  const get = db.get;
  if (typeof db.getSync !== 'function') return;
  db.get = function (key, callback) {
    if (typeof callback !== 'function' || db.status !== 'open') return get.call(db, key, callback);
    let value;
    try {
      value = db.getSync(key);
    } catch (error) {
      return setImmediate(callback, error);
    }
    setImmediate(callback, null, value);
  };
}
function cacheTableDescriptions(tableDb) {
  const cache = new Map();
  let version = 0;
  const { get, put, del, batch } = tableDb;
  tableDb.get = function (key, callback) {
    if (cache.has(key)) return setImmediate(callback, null, JSON.parse(cache.get(key)));
    const started = version;
    get.call(tableDb, key, function (error, value) {
      if (!error && value && started === version) cache.set(key, JSON.stringify(value));
      callback(error, value);
    });
  };
  const writing = (write) => function (...args) {
    version += 1;
    cache.clear();
    const callback = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
    write.call(tableDb, ...args, function (...results) {
      version += 1;
      cache.clear();
      if (callback) callback(...results);
    });
  };
  tableDb.put = writing(put);
  tableDb.del = writing(del);
  tableDb.batch = writing(batch);
}
const dynalite = require(workerData.dynalite);
const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
// Injected faults (local/src/faults): a request may be refused as throttled, fail, or wait first, as DynamoDB
// itself answers; counts per period go back to the parent as the table's CloudWatch metrics.
const answer = server.listeners('request')[0];
let fault = null;
let stats = { requests: 0, throttled: 0, errors: 0, latencyMs: 0 };
function refuse(request, response, status, type, text) {
  request.resume();
  const body = JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#' + type, message: text });
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': String(Date.now()) + String(Math.random()).slice(2) });
  response.end(body);
}
function faulty(request, response) {
  const started = Date.now();
  response.on('finish', () => {
    stats.requests += 1;
    stats.latencyMs += Date.now() - started;
  });
  if (fault) {
    if (Math.random() < fault.throttleP) {
      stats.throttled += 1;
      return refuse(request, response, 400, 'ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.');
    }
    if (Math.random() < fault.errorP) {
      stats.errors += 1;
      return refuse(request, response, 500, 'InternalServerError', 'Internal server error');
    }
    if (fault.delayMs > 0) return void setTimeout(() => answer(request, response), fault.delayMs);
  }
  answer(request, response);
}
server.removeAllListeners('request');
server.on('request', faulty);
const local = createServer(faulty);
local.keepAliveTimeout = server.keepAliveTimeout;
const fail = (error) => parentPort.postMessage({ error: String((error && error.stack) || error) });
server.on('error', fail);
local.on('error', fail);
server.listen(0, '127.0.0.1', () =>
  local.listen(workerData.socketPath, () => parentPort.postMessage({ port: server.address().port })),
);
parentPort.on('message', (message) => {
  if (message === 'close') local.close(() => server.close(() => parentPort.postMessage({ closed: true })));
  else if (message && message.type === 'fault') fault = message.plan || null;
  else if (message && message.type === 'stats') {
    parentPort.postMessage({ stats });
    stats = { requests: 0, throttled: 0, errors: 0, latencyMs: 0 };
  }
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

/**
 * Clients of a running embedded DynamoDB, from any thread of the process (function worker threads make their
 * own). Both share one agent, so one pool of kept-alive connections.
 */
export function embeddedDynamoClients(target: { endpoint: string; socketPath: string; region: string }) {
  return createDynamoClients({
    endpoint: target.endpoint,
    region: target.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
    requestHandler: { httpAgent: new UnixSocketAgent(target.socketPath) },
  });
}

interface TableStats {
  requests: number;
  throttled: number;
  errors: number;
  latencyMs: number;
}

export async function startEmbeddedDynamo(path: string, region: string): Promise<EmbeddedDynamo> {
  const require = createRequire(import.meta.url);
  const dynalite = require.resolve('dynalite');
  // dynalite/db is not in an exports map (dynalite has none): resolvable by path.
  const dynaliteDb = require.resolve('dynalite/db');
  // Socket paths are limited to ~100 bytes: a short name in the temp dir rather than under the data dir.
  const socketPath = join(
    tmpdir(),
    `boundless-dynalite-${process.pid}-${randomBytes(4).toString('hex')}.sock`,
  );
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    resourceLimits: { maxYoungGenerationSizeMb: 64 },
    workerData: { path, dynalite, dynaliteDb, socketPath },
  });
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
  const { client, doc } = embeddedDynamoClients({ endpoint, socketPath, region });
  return {
    endpoint,
    socketPath,
    client,
    doc,
    setFault: (plan) => worker.postMessage({ type: 'fault', plan: plan ?? null }),
    takeStats: () =>
      new Promise<TableStats>((resolve) => {
        const listen = (message: { stats?: TableStats }) => {
          if (!message.stats) return;
          worker.off('message', listen);
          resolve(message.stats);
        };
        worker.on('message', listen);
        worker.postMessage({ type: 'stats' });
      }),
    close: async () => {
      client.destroy();
      doc.destroy();
      const closed = new Promise<void>((resolve) => {
        worker.on('message', (message: { closed?: boolean }) => {
          if (message.closed) resolve();
        });
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
