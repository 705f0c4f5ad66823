// The KeyValueStore data plane signs with SigV4a; importing the JS signer registers it with the SDK.
import '@aws-sdk/signature-v4a';
import {
  CloudFrontKeyValueStoreClient,
  ConflictException,
  DeleteKeyCommand,
  DescribeKeyValueStoreCommand,
  GetKeyCommand,
  PutKeyCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { KeyValueStoreError } from './errors.ts';
import type { EdgeKeyValueStore } from './key-value-store.ts';

export interface AwsKeyValueStoreOptions {
  kvsArn: string;
  client?: CloudFrontKeyValueStoreClient;
  /** Attempts per write when another writer moved the store's ETag in between. */
  maxAttempts?: number;
}

/**
 * The CloudFront KeyValueStore through its data-plane API. Every write is conditional on the store's current
 * ETag (IfMatch); when another writer got there first (ConflictException) the ETag is re-read and the write
 * retried, so concurrent revocations from the admin API and the copilot never overwrite each other blindly.
 */
export class AwsKeyValueStore implements EdgeKeyValueStore {
  readonly #arn: string;
  readonly #client: CloudFrontKeyValueStoreClient;
  readonly #maxAttempts: number;
  #etag: string | undefined;

  constructor(options: AwsKeyValueStoreOptions) {
    this.#arn = options.kvsArn;
    this.#client = options.client ?? new CloudFrontKeyValueStoreClient({});
    this.#maxAttempts = options.maxAttempts ?? 5;
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const out = await this.#client.send(new GetKeyCommand({ KvsARN: this.#arn, Key: key }));
      return out.Value;
    } catch (cause) {
      if (cause instanceof ResourceNotFoundException) return undefined;
      throw new KeyValueStoreError(`cannot read key "${key}" from the edge key value store`, { cause });
    }
  }

  put(key: string, value: string): Promise<void> {
    return this.#conditional(`put key "${key}"`, async (etag) => {
      const out = await this.#client.send(
        new PutKeyCommand({ KvsARN: this.#arn, Key: key, Value: value, IfMatch: etag }),
      );
      return out.ETag;
    });
  }

  delete(key: string): Promise<void> {
    return this.#conditional(`delete key "${key}"`, async (etag) => {
      try {
        const out = await this.#client.send(
          new DeleteKeyCommand({ KvsARN: this.#arn, Key: key, IfMatch: etag }),
        );
        return out.ETag;
      } catch (error) {
        // Deleting what is already gone is the outcome the caller wanted.
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      }
    });
  }

  async #currentEtag(): Promise<string> {
    if (this.#etag) return this.#etag;
    const out = await this.#client.send(new DescribeKeyValueStoreCommand({ KvsARN: this.#arn }));
    if (!out.ETag) throw new KeyValueStoreError('DescribeKeyValueStore returned no ETag');
    this.#etag = out.ETag;
    return out.ETag;
  }

  async #conditional(what: string, write: (etag: string) => Promise<string | undefined>): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      try {
        const next = await write(await this.#currentEtag());
        this.#etag = next;
        return;
      } catch (error) {
        lastError = error;
        this.#etag = undefined;
        if (!(error instanceof ConflictException)) break;
      }
    }
    throw new KeyValueStoreError(`cannot ${what} in the edge key value store`, { cause: lastError });
  }
}
