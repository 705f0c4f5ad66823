import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackStandIn } from './loopback-stand-in.ts';

interface StoredObject {
  body: Buffer;
  etag: string;
  type: string;
  lastModified: Date;
}

/**
 * A small S3 that speaks the REST wire format the SDK's S3Client sends with `forcePathStyle`: PutObject (with
 * `If-Match` / `If-None-Match` conditional writes), GetObject, HeadObject, DeleteObject and ListObjectsV2
 * (prefix, start-after, pages of `pageSize` keys), on buckets that exist from the start. Enough for the
 * copilot's S3 adapters to be tested with the real client; it checks no signature and keeps objects in memory.
 */
export class S3StandIn extends LoopbackStandIn {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  /** Requests served, as `METHOD bucket/key` (tests read what the adapter did). */
  readonly requests: string[] = [];

  constructor(
    buckets: readonly string[],
    private readonly pageSize = 1000,
  ) {
    super();
    for (const name of buckets) this.buckets.set(name, new Map());
  }

  /** Puts an object directly, as a service delivering logs would, with the time it was written. */
  put(bucket: string, key: string, body: string | Uint8Array, lastModified = new Date()): void {
    const objects = this.buckets.get(bucket);
    if (!objects) throw new RangeError(`no bucket ${bucket}`);
    const bytes = Buffer.from(body);
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    objects.set(key, { body: bytes, etag, type: 'binary/octet-stream', lastModified });
  }

  protected internalError(response: ServerResponse, error: unknown): void {
    reply(response, 500, errorXml('InternalError', String(error)));
  }

  /** An object's body as text, or undefined. */
  object(bucket: string, key: string): string | undefined {
    return this.buckets.get(bucket)?.get(key)?.body.toString('utf8');
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://s3.local');
    const [bucketName = '', ...rest] = url.pathname.slice(1).split('/');
    const key = decodeURIComponent(rest.join('/'));
    const method = request.method ?? 'GET';
    this.requests.push(`${method} ${bucketName}/${key}`);
    const bucket = this.buckets.get(bucketName);
    if (!bucket) return reply(response, 404, errorXml('NoSuchBucket', bucketName));
    if (key === '' && method === 'GET')
      return reply(response, 200, listXml(bucketName, bucket, url, this.pageSize));
    const found = bucket.get(key);
    if (method === 'PUT') {
      const ifMatch = request.headers['if-match'];
      const ifNoneMatch = request.headers['if-none-match'];
      if ((ifMatch && found?.etag !== ifMatch) || (ifNoneMatch === '*' && found)) {
        // S3 answers a failed condition this way; an If-Match on a missing key is a 404 there.
        return !found && ifMatch
          ? reply(response, 404, errorXml('NoSuchKey', key))
          : reply(response, 412, errorXml('PreconditionFailed', key));
      }
      const body = await this.body(request);
      const etag = `"${createHash('md5').update(body).digest('hex')}"`;
      bucket.set(key, {
        body,
        etag,
        type: request.headers['content-type'] ?? 'binary/octet-stream',
        lastModified: new Date(),
      });
      response.setHeader('ETag', etag);
      return reply(response, 200, '');
    }
    if (method === 'DELETE') {
      bucket.delete(key);
      return reply(response, 204, '');
    }
    if (!found) return reply(response, 404, method === 'HEAD' ? '' : errorXml('NoSuchKey', key));
    response.setHeader('ETag', found.etag);
    response.setHeader('Content-Type', found.type);
    response.setHeader('Content-Length', String(found.body.length));
    response.statusCode = 200;
    response.end(method === 'HEAD' ? undefined : found.body);
  }
}

function reply(response: ServerResponse, status: number, body: string): void {
  response.statusCode = status;
  if (body) response.setHeader('Content-Type', 'application/xml');
  response.end(body);
}

const xmlText = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function errorXml(code: string, resource: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message><Resource>${xmlText(resource)}</Resource></Error>`;
}

/** ListObjectsV2 (`list-type=2`): prefix, start-after, max-keys, and a continuation token (the last key sent). */
function listXml(name: string, bucket: Map<string, StoredObject>, url: URL, pageSize: number): string {
  const prefix = url.searchParams.get('prefix') ?? '';
  const after = url.searchParams.get('continuation-token') ?? url.searchParams.get('start-after') ?? '';
  const maxKeys = Math.min(pageSize, Number(url.searchParams.get('max-keys') ?? pageSize));
  const matching = [...bucket.keys()].filter((key) => key.startsWith(prefix) && key > after).sort();
  const keys = matching.slice(0, maxKeys);
  const truncated = matching.length > keys.length;
  const contents = keys
    .map((key) => {
      const object = bucket.get(key) as StoredObject;
      return `<Contents><Key>${xmlText(key)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified><ETag>${xmlText(object.etag)}</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    })
    .join('');
  const next = truncated
    ? `<NextContinuationToken>${xmlText(keys.at(-1) as string)}</NextContinuationToken>`
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlText(name)}</Name><Prefix>${xmlText(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${next}${contents}</ListBucketResult>`;
}
