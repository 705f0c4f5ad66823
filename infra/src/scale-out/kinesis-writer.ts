import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { InfraError } from '../errors.ts';

export interface StreamRecord {
  partitionKey: string;
  data: Uint8Array;
}

/** Where the router writes packs; tests substitute an in-memory stream. */
export interface StreamWriter {
  /** Writes the records in rounds: every record of a round is written before any record of the next. */
  write(streamName: string, rounds: readonly (readonly StreamRecord[])[]): Promise<void>;
}

const MAX_RECORDS = 500;
const MAX_BYTES = 5 * 1024 * 1024;
const ATTEMPTS = 8;

/**
 * PutRecords with the retries Kinesis asks for: entries refused for throughput are sent again (with backoff)
 * before the next round starts. PutRecords does not order the entries of one call, so packs of one bucket that
 * must stay in order go in successive rounds.
 */
export class KinesisStreamWriter implements StreamWriter {
  constructor(private readonly client: KinesisClient) {}

  async write(streamName: string, rounds: readonly (readonly StreamRecord[])[]): Promise<void> {
    for (const round of rounds) {
      for (const call of calls(round)) await this.put(streamName, call);
    }
  }

  private async put(streamName: string, records: PutRecordsRequestEntry[]): Promise<void> {
    let pending = records;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === ATTEMPTS)
        throw new InfraError(`Kinesis refused ${pending.length} records of ${streamName} ${ATTEMPTS} times`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** attempt)));
      const answer = await this.client.send(
        new PutRecordsCommand({ StreamName: streamName, Records: pending }),
      );
      if (!answer.FailedRecordCount) return;
      pending = pending.filter((_, i) => answer.Records?.[i]?.ErrorCode !== undefined);
    }
  }
}

function* calls(records: readonly StreamRecord[]): Generator<PutRecordsRequestEntry[]> {
  let call: PutRecordsRequestEntry[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.data.byteLength + Buffer.byteLength(record.partitionKey);
    if (call.length > 0 && (call.length === MAX_RECORDS || bytes + size > MAX_BYTES)) {
      yield call;
      call = [];
      bytes = 0;
    }
    call.push({ PartitionKey: record.partitionKey, Data: record.data });
    bytes += size;
  }
  if (call.length > 0) yield call;
}
