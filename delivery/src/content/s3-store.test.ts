import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ContentStoreError } from './content-store.ts';
import { S3ContentStore } from './s3-store.ts';

const s3 = mockClient(S3Client);
const store = new S3ContentStore({
  bucket: 'catalog',
  prefix: 'v1/',
  client: new S3Client({ region: 'us-east-1' }),
});
// Only the part of the SDK stream mixin the store uses.
const body = (text: string) =>
  ({
    transformToByteArray: async () => new Uint8Array(Buffer.from(text)),
  }) as unknown as GetObjectCommandOutput['Body'];

describe('Class: S3ContentStore', () => {
  beforeEach(() => s3.reset());

  it('gets a range with the prefix and reports the served span and the full size', async () => {
    s3.on(GetObjectCommand, { Bucket: 'catalog', Key: 'v1/titles/t-1/a.epub', Range: 'bytes=2-4' }).resolves({
      Body: body('234'),
      ContentRange: 'bytes 2-4/10',
      ContentLength: 3,
      ETag: '"abc"',
      ContentType: 'application/epub+zip',
    });
    const object = await store.get('titles/t-1/a.epub', { start: 2, end: 4 });
    expect(object?.body.toString()).toBe('234');
    expect(object).toMatchObject({ size: 10, etag: '"abc"', range: { start: 2, end: 4 } });
  });

  it('maps NoSuchKey and NotFound to undefined, other failures to a ContentStoreError', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'none', $metadata: {} }));
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'none', $metadata: {} }));
    expect(await store.get('titles/x')).toBeUndefined();
    expect(await store.head('titles/x')).toBeUndefined();
    s3.on(GetObjectCommand).rejects(new Error('socket hang up'));
    await expect(store.get('titles/x')).rejects.toBeInstanceOf(ContentStoreError);
  });

  it('puts with the content type of the extension', async () => {
    s3.on(PutObjectCommand).resolves({});
    await store.put('titles/t-1/cover.png', Buffer.from('png'));
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Key: 'v1/titles/t-1/cover.png',
      ContentType: 'image/png',
    });
  });
});
