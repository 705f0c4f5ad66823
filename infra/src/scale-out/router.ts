import { chunkLines, type Pack } from './packing.ts';
import { familiesOf, type Family } from './families.ts';
import { recordFromRealtimeLine } from './realtime-records.ts';

/** A Kinesis record of the CloudFront real-time log stream, as a Lambda event source hands it over. */
export interface RawRecord {
  data: Uint8Array;
  sequenceNumber: string;
}

export interface RouteResult {
  packs: Pack[];
  records: number;
  /** Records without the configured fields (counted, not routed). */
  unreadable: number;
}

/** A pack's raw text stays under 1,000,000 bytes, so even incompressible data fits a 1 MiB Kinesis record. */
const MAX_PACK_BYTES = 1_000_000;

/**
 * Routes one batch of one real-time log shard: each record goes to every family it belongs to, grouped by
 * bucket in arrival order, one pack per bucket (more when large). Pure: the handler writes the packs.
 */
export function routeBatch(
  shardId: string,
  records: readonly RawRecord[],
  buckets: number,
  maxPackBytes = MAX_PACK_BYTES,
): RouteResult {
  const groups = new Map<string, { family: Family; bucket: number; lines: string[] }>();
  let unreadable = 0;
  for (const raw of records) {
    const line = Buffer.from(raw.data)
      .toString('utf8')
      .replace(/\r?\n$/, '');
    const record = recordFromRealtimeLine(line);
    if (record === undefined) {
      unreadable++;
      continue;
    }
    for (const { family, bucket } of familiesOf(record, buckets)) {
      const key = `${family}#${bucket}`;
      let group = groups.get(key);
      if (group === undefined) {
        group = { family, bucket, lines: [] };
        groups.set(key, group);
      }
      group.lines.push(line);
    }
  }
  const first = records[0]?.sequenceNumber ?? '0';
  const last = records.at(-1)?.sequenceNumber ?? '0';
  const packs: Pack[] = [];
  for (const group of groups.values()) {
    chunkLines(group.lines, maxPackBytes).forEach((lines, part) => {
      packs.push({
        family: group.family,
        bucket: group.bucket,
        source: { shardId, firstSequence: first, lastSequence: last, part },
        lines,
      });
    });
  }
  return { packs, records: records.length, unreadable };
}

/** The partition key of a pack: every pack of one bucket lands on one shard of its stream. */
export function partitionKeyOf(pack: Pack): string {
  return `${pack.family}#${pack.bucket}`;
}
