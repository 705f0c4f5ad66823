import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackStandIn } from './loopback-stand-in.ts';

/**
 * A small S3 that speaks the REST wire format the SDK's S3Client sends with `forcePathStyle`: PutObject (with
 * `If-Match` / `If-None-Match` conditional writes), GetObject, HeadObject, DeleteObject and ListObjectsV2, on
 * buckets that exist from the start. Enough for the copilot's S3 adapters to be tested with the real client; it
 * checks no signature and keeps objects in memory.
 */
export class S3StandIn extends LoopbackStandIn {
  private readonly buckets = new Map<string, Map<string, { body: Buffer; etag: string; type: string }>>();
  /** Requests served, as `METHOD bucket/key` (tests read what the adapter did). */
  readonly requests: string[] = [];

  constructor(buckets: readonly string[]) {
    super();
    for (const name of buckets) this.buckets.set(name, new Map());
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
    if (key === '' && method === 'GET') return reply(response, 200, listXml(bucketName, bucket, url));
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
      const body = await readBody(request);
      const etag = `"${createHash('md5').update(body).digest('hex')}"`;
      bucket.set(key, { body, etag, type: request.headers['content-type'] ?? 'binary/octet-stream' });
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

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
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

/** ListObjectsV2 (`list-type=2`), prefix only, one page: the stand-in holds test-sized buckets. */
function listXml(name: string, bucket: Map<string, { body: Buffer; etag: string }>, url: URL): string {
  const prefix = url.searchParams.get('prefix') ?? '';
  const keys = [...bucket.keys()].filter((key) => key.startsWith(prefix)).sort();
  const contents = keys
    .map((key) => {
      const object = bucket.get(key) as { body: Buffer; etag: string };
      return `<Contents><Key>${xmlText(key)}</Key><ETag>${xmlText(object.etag)}</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlText(name)}</Name><Prefix>${xmlText(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`;
}
