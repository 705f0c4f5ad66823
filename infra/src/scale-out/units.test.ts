import { describe, expect, it } from 'vitest';
import type { Detection } from '@boundless/copilot/detect';
import { ScaleOutConsumer } from './consumer.ts';
import { bucketOf, detectionId, familiesOf, ownerOf } from './families.ts';
import { chunkLines, decodePack, encodePack, type Pack } from './packing.ts';
import { routeBatch } from './router.ts';
import { type BucketCheckpoint, type ConsumerStateStore, StaleCheckpointError } from './state-store.ts';
import { realtimeLineOf } from './test-support.ts';

const record = (over: Partial<Parameters<typeof realtimeLineOf>[0]> = {}) => ({
  timestampMs: Date.UTC(2026, 10, 2, 10, 0, 0),
  edgeLocation: 'FRA56-P1',
  bytes: 1200,
  clientIp: '203.0.113.7',
  method: 'GET',
  host: 'd111111abcdef8.cloudfront.net',
  uriStem: '/titles/t1/epub/ch001.xhtml',
  status: 200,
  referer: '',
  userAgent: 'BoundlessReader/4.12.1 (iPad)',
  query: 'bbt=v1.k1.tokAbCdEfGh12.acc-9.0123456789abcdef.1.2.L3RpdGxlcy8.sig',
  edgeResultType: 'Hit',
  requestId: 'req-1',
  timeTakenMs: 12,
  detailedResultType: 'Hit',
  contentType: 'application/xhtml+xml',
  ...over,
});

describe('Families', () => {
  it('sends a tokened request to its address, account and global buckets, and an anonymous one to two', () => {
    expect(familiesOf(record(), 8).map((k) => k.family)).toEqual(['address', 'account', 'global']);
    expect(familiesOf(record({ query: '' }), 8).map((k) => k.family)).toEqual(['address', 'global']);
    // Two tokens of one account meet in one bucket.
    const other = record({ query: 'bbt=v1.k1.tokZZZZZZZZZ99.acc-9.0123456789abcdef.1.2.L3RpdGxlcy8.sig' });
    expect(familiesOf(other, 64)[1]).toEqual(familiesOf(record(), 64)[1]);
    expect(bucketOf('a:acc-9', 64)).toBe(bucketOf('a:acc-9', 64));
  });

  it('gives each detection to the family that follows its subject', () => {
    const d = (kind: Detection['kind'], subject: Detection['subject']) => ({ kind, subject }) as Detection;
    expect(ownerOf(d('token_sharing', { tokenId: 't', accountId: 'a' }))).toBe('account');
    expect(ownerOf(d('scraping', { accountId: 'a', ip: '1.2.3.4' }))).toBe('global');
    expect(ownerOf(d('scraping', { accountId: 'a', tokenId: 't' }))).toBe('global');
    expect(ownerOf(d('scraping', { ip: '1.2.3.4' }))).toBe('address');
    expect(ownerOf(d('geo_spike', { country: 'AU' }))).toBe('global');
  });

  it('ids a detection by what it is, whatever the order of its subject keys', () => {
    const base = {
      kind: 'scraping',
      firstSeen: 'a',
      detectedAt: 'b',
      score: 1,
      evidence: {},
      mitigation: 'x',
    } as const;
    expect(detectionId({ ...base, subject: { ip: '1', tokenId: 't' } })).toBe(
      detectionId({ ...base, subject: { tokenId: 't', ip: '1' } }),
    );
    expect(detectionId({ ...base, subject: { ip: '1' } })).not.toBe(
      detectionId({ ...base, subject: { ip: '2' } }),
    );
  });
});

describe('Packs', () => {
  const pack: Pack = {
    family: 'address',
    bucket: 3,
    source: { shardId: 'shardId-000000000001', firstSequence: '100', lastSequence: '200', part: 1 },
    lines: ['a\tb', 'c\td'],
  };

  it('round-trip through gzip, and refuse what is not one', () => {
    expect(decodePack(encodePack(pack))).toEqual(pack);
    expect(() => decodePack(Buffer.from([0x1f, 0x8b, 0, 0]))).toThrow(/not gzip/);
    const foreign = encodePack({ ...pack, family: 'nope' as never });
    expect(() => decodePack(foreign)).toThrow(/unknown family "nope"/);
  });

  it('split lines by size without ever splitting a line', () => {
    expect(chunkLines(['aaaa', 'bbbb', 'cc', 'dddddddddd'], 10)).toEqual([
      ['aaaa', 'bbbb'],
      ['cc'],
      ['dddddddddd'],
    ]);
  });
});

describe('routeBatch', () => {
  it('counts records without the configured fields and routes the rest', () => {
    const batch = [
      realtimeLineOf(record()),
      'not\ta\trecord',
      realtimeLineOf(record({ query: '', clientIp: '198.51.100.1' })),
    ];
    const routed = routeBatch(
      'shardId-000000000000',
      batch.map((line, i) => ({ data: Buffer.from(`${line}\n`), sequenceNumber: String(i + 1) })),
      4,
    );
    expect(routed.unreadable).toBe(1);
    expect(routed.packs.filter((p) => p.family === 'global').flatMap((p) => p.lines)).toHaveLength(2);
    expect(new Set(routed.packs.map((p) => `${p.source.firstSequence}-${p.source.lastSequence}`))).toEqual(
      new Set(['1-3']),
    );
  });
});

describe('ScaleOutConsumer', () => {
  it('drops a bucket it could not checkpoint, so the retried batch rebuilds it', async () => {
    const saved = new Map<string, BucketCheckpoint>();
    let refuse = true;
    let replays = 0;
    const store: ConsumerStateStore = {
      checkpoints: async (keys) =>
        new Map(
          keys.flatMap((k) =>
            saved.has(`${k.family}#${k.bucket}`)
              ? [[`${k.family}#${k.bucket}`, saved.get(`${k.family}#${k.bucket}`)!]]
              : [],
          ),
        ),
      replayLog: async () => {
        replays++;
        return [];
      },
      appendLog: async () => {},
      saveCheckpoint: async (key, _previous, next) => {
        if (refuse) {
          // Another environment moved the bucket on meanwhile.
          saved.set(`${key.family}#${key.bucket}`, { ...next, version: next.version + 5 });
          throw new StaleCheckpointError(key);
        }
        saved.set(`${key.family}#${key.bucket}`, next);
      },
    };
    const consumer = new ScaleOutConsumer({
      store,
      sink: { emit: async () => {} },
      geo: {
        country: () => 'DE',
        asn: () => 3320,
        continent: () => 'EU',
        spansContinents: () => false,
        spansCountries: () => false,
      },
      replayHorizonMs: 3_600_000,
    });
    const pack: Pack = {
      family: 'global',
      bucket: 0,
      source: { shardId: 's', firstSequence: '1', lastSequence: '1', part: 0 },
      lines: [realtimeLineOf(record())],
    };
    await expect(consumer.process([pack])).rejects.toBeInstanceOf(StaleCheckpointError);
    refuse = false;
    const next = { ...pack, source: { ...pack.source, firstSequence: '2', lastSequence: '2' } };
    const result = await consumer.process([next]);
    expect(result.restoredBuckets).toBe(1);
    expect(replays).toBe(1);
  });
});
