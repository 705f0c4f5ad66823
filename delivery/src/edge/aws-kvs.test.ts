import {
  CloudFrontKeyValueStoreClient,
  ConflictException,
  DeleteKeyCommand,
  DescribeKeyValueStoreCommand,
  GetKeyCommand,
  PutKeyCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsKeyValueStore } from './aws-kvs.ts';
import { KeyValueStoreError } from './errors.ts';

const ARN = 'arn:aws:cloudfront::123456789012:key-value-store/abc';
const kvsMock = mockClient(CloudFrontKeyValueStoreClient);
const conflict = () => new ConflictException({ message: 'etag moved', $metadata: {} });
const notFound = () => new ResourceNotFoundException({ message: 'no such key', $metadata: {} });

function store() {
  return new AwsKeyValueStore({
    kvsArn: ARN,
    client: new CloudFrontKeyValueStoreClient({ region: 'us-east-1' }),
  });
}

describe('Class: AwsKeyValueStore', () => {
  beforeEach(() => kvsMock.reset());

  describe('Method: get', () => {
    it('returns the value, or undefined for a missing key', async () => {
      kvsMock.on(GetKeyCommand, { Key: 'rv:t1' }).resolves({ Key: 'rv:t1', Value: '1' });
      kvsMock.on(GetKeyCommand, { Key: 'rv:t2' }).rejects(notFound());
      expect(await store().get('rv:t1')).toBe('1');
      expect(await store().get('rv:t2')).toBeUndefined();
    });
  });

  describe('Method: put', () => {
    it('writes with the described ETag and reuses the returned one for the next write', async () => {
      kvsMock.on(DescribeKeyValueStoreCommand).resolves({ ETag: 'e1' });
      kvsMock.on(PutKeyCommand, { IfMatch: 'e1' }).resolves({ ETag: 'e2' });
      kvsMock.on(PutKeyCommand, { IfMatch: 'e2' }).resolves({ ETag: 'e3' });
      const kvs = store();
      await kvs.put('rv:t1', '1');
      await kvs.put('ra:a1', '1700000000');
      expect(kvsMock.commandCalls(DescribeKeyValueStoreCommand)).toHaveLength(1);
      expect(kvsMock.commandCalls(PutKeyCommand).map((c) => c.args[0].input)).toEqual([
        { KvsARN: ARN, Key: 'rv:t1', Value: '1', IfMatch: 'e1' },
        { KvsARN: ARN, Key: 'ra:a1', Value: '1700000000', IfMatch: 'e2' },
      ]);
    });

    it('re-reads the ETag and retries when another writer moved it', async () => {
      kvsMock.on(DescribeKeyValueStoreCommand).resolvesOnce({ ETag: 'stale' }).resolves({ ETag: 'fresh' });
      kvsMock.on(PutKeyCommand, { IfMatch: 'stale' }).rejects(conflict());
      kvsMock.on(PutKeyCommand, { IfMatch: 'fresh' }).resolves({ ETag: 'next' });
      await store().put('rv:t1', '1');
      expect(kvsMock.commandCalls(PutKeyCommand)).toHaveLength(2);
    });

    it('gives up after the attempt budget with a typed error', async () => {
      kvsMock.on(DescribeKeyValueStoreCommand).resolves({ ETag: 'e' });
      kvsMock.on(PutKeyCommand).rejects(conflict());
      const kvs = new AwsKeyValueStore({
        kvsArn: ARN,
        client: new CloudFrontKeyValueStoreClient({ region: 'us-east-1' }),
        maxAttempts: 3,
      });
      const error = await kvs.put('rv:t1', '1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KeyValueStoreError);
      expect((error as Error).cause).toBeInstanceOf(ConflictException);
      expect(kvsMock.commandCalls(PutKeyCommand)).toHaveLength(3);
    });
  });

  describe('Method: delete', () => {
    it('treats deleting a missing key as done', async () => {
      kvsMock.on(DescribeKeyValueStoreCommand).resolves({ ETag: 'e1' });
      kvsMock.on(DeleteKeyCommand).rejects(notFound());
      await expect(store().delete('rv:t1')).resolves.toBeUndefined();
    });
  });
});
