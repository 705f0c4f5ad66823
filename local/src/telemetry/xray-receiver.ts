import { createSocket, type Socket } from 'node:dgram';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  segmentDay,
  querySegments,
  type SegmentDocument,
  type SegmentQuery,
} from '@boundless/copilot/telemetry-dir';
import { BatchedAppender } from './batched-appender.ts';

/**
 * A local X-Ray daemon: receives segment documents over UDP in the daemon protocol
 * (`{"format":"json","version":1}\n<segment document>`), which the X-Ray SDK and the Powertools tracer send to
 * AWS_XRAY_DAEMON_ADDRESS, and keeps them as JSON lines per UTC day under `<dir>/<YYYY-MM-DD>.jsonl`.
 * Documents are stored as received (full segments and independently sent subsegments alike).
 */
export interface XRayReceiver {
  /** `host:port`, the value for AWS_XRAY_DAEMON_ADDRESS. */
  readonly address: string;
  readonly port: number;
  segments(query: SegmentQuery): Promise<SegmentDocument[]>;
  stats(): { received: number; rejected: number };
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface XRayReceiverOptions {
  dir: string;
  host?: string;
  /** @default 0 (any free port) */
  port?: number;
  /** Called for each accepted document, after it is queued for storage. */
  onSegment?: (document: SegmentDocument) => void;
}

const HEADER = { format: 'json', version: 1 };

const HEADER_LINE = JSON.stringify(HEADER);

/** Splits a daemon datagram into its document; undefined when the header or the document is not valid. */
export function parseDaemonDatagram(datagram: string): SegmentDocument | undefined {
  const documents = parseDaemonDocuments(datagram);
  return documents?.length === 1 ? documents[0]?.document : undefined;
}

/**
 * The documents of a datagram with each one's JSON text (single-line, ready to store). Besides the daemon's
 * one document per datagram, a datagram may carry several, one per line after the header: the local emitter
 * batches that way (the daemon protocol has no batch form; PutTraceSegments does). Undefined when the header
 * is not the daemon's or any document is not valid.
 */
export function parseDaemonDocuments(
  datagram: string,
): { document: SegmentDocument; json: string }[] | undefined {
  const newline = datagram.indexOf('\n');
  if (newline < 0) return undefined;
  const header = datagram.slice(0, newline);
  if (header !== HEADER_LINE && !isDaemonHeader(header)) return undefined;
  const body = datagram.slice(newline + 1);
  const lines = body.includes('\n') ? body.split('\n') : [body];
  const documents: { document: SegmentDocument; json: string }[] = [];
  for (const line of lines) {
    const document = parseDocument(line);
    if (!document) {
      // One document spread over several lines (pretty-printed JSON is still one document to the daemon).
      const whole = lines.length > 1 ? parseDocument(body) : undefined;
      return whole ? [{ document: whole, json: JSON.stringify(whole) }] : undefined;
    }
    documents.push({ document, json: line });
  }
  return documents;
}

function isDaemonHeader(line: string): boolean {
  try {
    const header = JSON.parse(line) as Record<string, unknown>;
    return header.format === HEADER.format && header.version === HEADER.version;
  } catch {
    return false;
  }
}

function parseDocument(text: string): SegmentDocument | undefined {
  try {
    const document = JSON.parse(text) as Partial<SegmentDocument> | null;
    const valid =
      typeof document === 'object' &&
      document !== null &&
      typeof document.id === 'string' &&
      typeof document.trace_id === 'string' &&
      typeof document.start_time === 'number' &&
      Number.isFinite(document.start_time);
    return valid ? (document as SegmentDocument) : undefined;
  } catch {
    return undefined;
  }
}

export async function startXRayReceiver(options: XRayReceiverOptions): Promise<XRayReceiver> {
  await mkdir(options.dir, { recursive: true });
  const appender = new BatchedAppender();
  const counts = { received: 0, rejected: 0 };
  const socket = createSocket('udp4');
  socket.on('message', (message) => {
    const documents = parseDaemonDocuments(message.toString('utf8'));
    if (!documents) {
      counts.rejected += 1;
      return;
    }
    for (const { document, json } of documents) {
      counts.received += 1;
      appender.append(join(options.dir, `${segmentDay(document.start_time)}.jsonl`), json);
      options.onSegment?.(document);
    }
  });
  const host = options.host ?? '127.0.0.1';
  await bind(socket, options.port ?? 0, host);
  const { port } = socket.address() as AddressInfo;
  return {
    address: `${host}:${port}`,
    port,
    stats: () => ({ ...counts }),
    flush: () => appender.flush(),
    segments: async (query) => {
      await appender.flush();
      return querySegments(options.dir, query);
    },
    close: async () => {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      await appender.close();
    },
  };
}

function bind(socket: Socket, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

/**
 * Sends segment documents to a daemon address, fire-and-forget over UDP as the X-Ray SDK does. Documents are
 * batched for up to `batchWindowMs` into datagrams of several documents (see parseDaemonDocuments): one send
 * and one receive per batch rather than per invocation. The X-Ray SDK batches nothing, but its daemon
 * uploads in batches; segments reach the local store with about the delay they reach the X-Ray console with.
 */
export interface SegmentEmitter {
  /** A document, or a function that builds it when its batch is sent (the caller does not wait for it). */
  emit(document: object | (() => object)): void;
  /** Sends what is batched now. */
  flush(): void;
  close(): void;
}

/** Below the 65,507-byte UDP payload limit, with room for the header. */
const MAX_DATAGRAM_BYTES = 60_000;
/** Documents held before a batch is sent early (a few KB each at most). */
const MAX_BATCH_DOCUMENTS = 200;

export function createSegmentEmitter(
  address: string,
  options: { batchWindowMs?: number } = {},
): SegmentEmitter {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator);
  const port = Number(address.slice(separator + 1));
  if (separator < 1 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new RangeError(`X-Ray daemon address must be host:port, got "${address}"`);
  }
  const socket = createSocket('udp4');
  socket.unref();
  // UDP sends fail only locally (e.g. closed socket); X-Ray tracing never fails a request.
  socket.on('error', () => undefined);
  const batchWindowMs = options.batchWindowMs ?? 50;
  let batch: (object | (() => object))[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const send = (lines: string[]) =>
    socket.send(Buffer.from(`${HEADER_LINE}\n${lines.join('\n')}`), port, host, () => undefined);
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (batch.length === 0 || closed) return;
    const documents = batch;
    batch = [];
    // Serialised only now, off the path of the invocations that emitted them; split to fit datagrams.
    let lines: string[] = [];
    let bytes = 0;
    for (const document of documents) {
      let json: string;
      try {
        json = JSON.stringify(typeof document === 'function' ? document() : document);
      } catch (error) {
        // A document that cannot be built is dropped, as a daemon drops what it cannot send, and said so.
        process.stderr.write(
          `local X-Ray: segment not sent: ${error instanceof Error ? error.message : error}\n`,
        );
        continue;
      }
      if (lines.length > 0 && bytes + json.length + 1 > MAX_DATAGRAM_BYTES) {
        send(lines);
        lines = [];
        bytes = 0;
      }
      lines.push(json);
      bytes += json.length + 1;
    }
    // None left when every document failed to build: a header alone is a datagram the receiver rejects.
    if (lines.length > 0) send(lines);
  };
  return {
    emit: (document) => {
      batch.push(document);
      if (batchWindowMs <= 0 || batch.length >= MAX_BATCH_DOCUMENTS) flush();
      else if (!timer) {
        timer = setTimeout(flush, batchWindowMs);
        timer.unref();
      }
    },
    flush,
    close: () => {
      flush();
      closed = true;
      socket.close();
    },
  };
}
