import {
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { deadline } from '../sources/aws-client.ts';
import { ChangeSetError } from './errors.ts';
import { hashOf } from './plan.ts';
import type { DocumentRepository } from './ports.ts';

/** Where the deployed copilot keeps the tunables its change sets apply, in the reports bucket. */
export const DEPLOYED_TUNABLES_KEY = 'change-sets/tunables.json';

export interface S3JsonDocumentOptions {
  bucket: string;
  key: string;
  /** The document on first read when the object does not exist yet (the repository's defaults). */
  initial?: () => Promise<unknown> | unknown;
  /** Deadline of each call, retries included. @default OUTBOUND_TIMEOUT_MS (10 s) */
  timeoutMs?: number;
}

/**
 * A JSON document in S3 (the copilot in AWS: the tunables the deployed stacks were synthesized from). Its
 * version is the hash of its content, as for `JsonFileDocument`; a write is a conditional put on the ETag just
 * read, so two copilots (or a hand upload) racing on it cannot both win: the loser gets `stale_plan`.
 */
export class S3JsonDocument implements DocumentRepository {
  constructor(
    private readonly client: S3Client,
    private readonly options: S3JsonDocumentOptions,
  ) {}

  async read(): Promise<{ content: unknown; version: string }> {
    const { content } = await this.fetch();
    return { content, version: hashOf(content) };
  }

  async write(content: unknown, expectedVersion: string): Promise<string> {
    const current = await this.fetch();
    if (hashOf(current.content) !== expectedVersion)
      throw new ChangeSetError(
        'stale_plan',
        `${this.where} is at ${hashOf(current.content)}, not ${expectedVersion}`,
      );
    await this.put(content, current.etag ? { IfMatch: current.etag } : { IfNoneMatch: '*' });
    return hashOf(content);
  }

  private get where(): string {
    return `s3://${this.options.bucket}/${this.options.key}`;
  }

  private async fetch(): Promise<{ content: unknown; etag?: string }> {
    let text: string;
    let etag: string | undefined;
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.options.key }),
        deadline(this.options.timeoutMs),
      );
      text = (await object.Body?.transformToString('utf8')) ?? '';
      etag = object.ETag;
    } catch (error) {
      if (!(error instanceof NoSuchKey) || !this.options.initial) throw error;
      const content = await this.options.initial();
      // Created only if still absent: a concurrent first read keeps whichever landed first.
      await this.put(content, { IfNoneMatch: '*' }).catch((cause: unknown) => {
        if (!isPreconditionFailure(cause)) throw cause;
      });
      return this.fetch();
    }
    try {
      return { content: JSON.parse(text), ...(etag ? { etag } : {}) };
    } catch (cause) {
      throw new ChangeSetError(
        'invalid_document',
        `${this.where} is not valid JSON (${(cause as Error).message})`,
        undefined,
        { cause },
      );
    }
  }

  private async put(
    content: unknown,
    condition: { IfMatch: string } | { IfNoneMatch: string },
  ): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: this.options.key,
          Body: `${JSON.stringify(content, null, 2)}\n`,
          ContentType: 'application/json',
          ...condition,
        }),
        deadline(this.options.timeoutMs),
      );
    } catch (cause) {
      if (isPreconditionFailure(cause))
        throw new ChangeSetError('stale_plan', `${this.where} moved while it was written`, undefined, {
          cause,
        });
      throw cause;
    }
  }
}

/** S3 answers a failed `If-Match` with 412 (or 404 when the object went away), `If-None-Match: *` with 412. */
function isPreconditionFailure(error: unknown): boolean {
  if (error instanceof ChangeSetError) return error.code === 'stale_plan';
  return (
    error instanceof S3ServiceException &&
    (error.$metadata.httpStatusCode === 412 || error.$metadata.httpStatusCode === 409)
  );
}
