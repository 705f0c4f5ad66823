import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  assertContentKey,
  type ByteRange,
  type ContentInfo,
  type ContentObject,
  type ContentStore,
  ContentStoreError,
} from './content-store.ts';
import { contentTypeFor } from './content-types.ts';

export interface S3ContentStoreOptions {
  bucket: string;
  /** Prepended to every key, e.g. `catalog/`. */
  prefix?: string;
  client?: S3Client;
}

/** The AWS origin: objects in an S3 bucket, as CloudFront's S3 origin (OAC) reads them. */
export class S3ContentStore implements ContentStore {
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #client: S3Client;

  constructor(options: S3ContentStoreOptions) {
    this.#bucket = options.bucket;
    this.#prefix = options.prefix ?? '';
    this.#client = options.client ?? new S3Client({});
  }

  async head(key: string): Promise<ContentInfo | undefined> {
    assertContentKey(key);
    try {
      const out = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }),
      );
      return info(key, out, out.ContentLength ?? 0);
    } catch (cause) {
      if (isNotFound(cause)) return undefined;
      throw new ContentStoreError(`cannot head s3 object ${key}`, { cause });
    }
  }

  async get(key: string, range?: ByteRange): Promise<ContentObject | undefined> {
    assertContentKey(key);
    try {
      const out = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: this.#prefix + key,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      const body = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
      const total = totalSize(out.ContentRange) ?? out.ContentLength ?? body.length;
      const object: ContentObject = { ...info(key, out, total), body };
      const served = parseContentRange(out.ContentRange);
      if (range && served) object.range = served;
      return object;
    } catch (cause) {
      if (isNotFound(cause)) return undefined;
      throw new ContentStoreError(`cannot get s3 object ${key}`, { cause });
    }
  }

  async put(key: string, body: Buffer | string, options: { contentType?: string } = {}): Promise<void> {
    assertContentKey(key);
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: this.#prefix + key,
          Body: body,
          ContentType: options.contentType ?? contentTypeFor(key),
        }),
      );
    } catch (cause) {
      throw new ContentStoreError(`cannot put s3 object ${key}`, { cause });
    }
  }
}

function info(
  key: string,
  out: { ETag?: string | undefined; LastModified?: Date | undefined; ContentType?: string | undefined },
  size: number,
): ContentInfo {
  return {
    key,
    size,
    etag: out.ETag ?? '""',
    lastModified: out.LastModified ?? new Date(0),
    contentType: out.ContentType ?? contentTypeFor(key),
  };
}

function isNotFound(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404;
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/;

function parseContentRange(header: string | undefined): ByteRange | undefined {
  const m = header ? CONTENT_RANGE.exec(header) : null;
  return m ? { start: Number(m[1]), end: Number(m[2]) } : undefined;
}

function totalSize(header: string | undefined): number | undefined {
  const m = header ? CONTENT_RANGE.exec(header) : null;
  return m && m[3] !== '*' ? Number(m[3]) : undefined;
}
