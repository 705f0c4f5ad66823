import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * DynamoDB on one machine: dynalite over LevelDB under `path`, reached through the same SDK clients as in AWS.
 * It runs in a worker thread: its validation and LevelDB work then use the second core instead of competing
 * with the handlers on the main thread. One open per path per process: LevelDB refuses a second one.
 */
export interface EmbeddedDynamo {
  endpoint: string;
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

// Plain CommonJS evaluated in the worker, so it needs no TypeScript loader there.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.dynalite);
const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.on('error', (error) => parentPort.postMessage({ error: String((error && error.stack) || error) }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (message) => {
  if (message === 'close') server.close(() => parentPort.postMessage({ closed: true }));
});
`;

export async function startEmbeddedDynamo(path: string, region: string): Promise<EmbeddedDynamo> {
  const dynalite = createRequire(import.meta.url).resolve('dynalite');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, dynalite } });
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
  const client = new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    endpoint,
    client,
    doc,
    close: async () => {
      client.destroy();
      const closed = new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage('close');
      await closed;
      // Terminating runs LevelDB's cleanup, which releases the directory for the next open.
      await worker.terminate();
    },
  };
}
