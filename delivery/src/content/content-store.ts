/**
 * The origin of the delivery core: S3 in AWS, a directory locally. Keys are object keys without a leading
 * slash (`titles/t-1/book.epub`); ranges are inclusive byte offsets, as in HTTP.
 */
export interface ContentInfo {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
  contentType: string;
}

export interface ByteRange {
  start: number;
  end: number;
}

export interface ContentObject extends ContentInfo {
  body: Buffer;
  /** Present when a range was asked for: the bytes in `body`. */
  range?: ByteRange;
}

export interface ContentStore {
  /** Metadata only; undefined when there is no such object. */
  head(key: string): Promise<ContentInfo | undefined>;
  /** The object (or the asked range of it); undefined when there is no such object. */
  get(key: string, range?: ByteRange): Promise<ContentObject | undefined>;
  put(key: string, body: Buffer | string, options?: { contentType?: string }): Promise<void>;
}

export class ContentStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ContentStoreError';
  }
}

// Keys that could climb out of a directory origin or confuse S3 tooling are refused outright.
const UNSAFE_KEY = /(^|\/)\.\.?(\/|$)|\\|\0|^\/|\/\//;

export function assertContentKey(key: string): void {
  if (key.length === 0 || key.length > 1024 || UNSAFE_KEY.test(key)) {
    throw new ContentStoreError(`content key ${JSON.stringify(key.slice(0, 80))} is not a safe object key`);
  }
}
