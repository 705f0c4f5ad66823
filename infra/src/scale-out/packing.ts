import { gunzipSync, gzipSync } from 'node:zlib';
import { InfraError } from '../errors.ts';
import { FAMILIES, type Family } from './families.ts';

/**
 * A pack: many real-time log records of one family bucket in one compressed Kinesis record (or replay-log
 * item), with where they came from. Log lines compress about tenfold, so one shard's 1 MB/s carries an order
 * of magnitude more requests than one Kinesis record per request would, and per-record costs fall alike.
 */
export interface PackSource {
  /** The CloudFront real-time log shard the router read. */
  shardId: string;
  /** Sequence numbers (decimal strings) of the first and last raw record of the router's batch. */
  firstSequence: string;
  lastSequence: string;
  /** Which of the bucket's packs from that batch, when its records did not fit one. */
  part: number;
}

export interface Pack {
  family: Family;
  bucket: number;
  source: PackSource;
  lines: string[];
}

export class PackError extends InfraError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PackError';
  }
}

const VERSION = 'v1';

/** Splits lines into runs of at most `maxBytes` UTF-8 bytes (a longer single line is a run of its own). */
export function chunkLines(lines: readonly string[], maxBytes: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const line of lines) {
    const bytes = Buffer.byteLength(line) + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(line);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export function encodePack(pack: Pack): Buffer {
  const { family, bucket, source } = pack;
  const header = [
    VERSION,
    family,
    bucket,
    source.shardId,
    source.firstSequence,
    source.lastSequence,
    source.part,
  ].join('\t');
  return gzipSync(`${header}\n${pack.lines.join('\n')}`);
}

export function decodePack(data: Uint8Array): Pack {
  let text: string;
  try {
    text = gunzipSync(data).toString('utf8');
  } catch (cause) {
    throw new PackError('pack is not gzip data', { cause });
  }
  const newline = text.indexOf('\n');
  const header = (newline < 0 ? text : text.slice(0, newline)).split('\t');
  const [version, family, bucket, shardId, firstSequence, lastSequence, part] = header;
  if (version !== VERSION || header.length !== 7)
    throw new PackError(`unknown pack header "${header.join(' ')}"`);
  if (!(FAMILIES as readonly string[]).includes(family!)) throw new PackError(`unknown family "${family}"`);
  const bucketNumber = Number(bucket);
  if (!Number.isInteger(bucketNumber) || bucketNumber < 0) throw new PackError(`bad bucket "${bucket}"`);
  if (!/^\d+$/.test(firstSequence!) || !/^\d+$/.test(lastSequence!) || !/^\d+$/.test(part!))
    throw new PackError('pack sequence numbers and part must be decimal');
  const body = newline < 0 ? '' : text.slice(newline + 1);
  return {
    family: family as Family,
    bucket: bucketNumber,
    source: {
      shardId: shardId!,
      firstSequence: firstSequence!,
      lastSequence: lastSequence!,
      part: Number(part),
    },
    lines: body.length === 0 ? [] : body.split('\n'),
  };
}
