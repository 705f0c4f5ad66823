import { createHash } from 'node:crypto';
import type { Detection } from '@boundless/copilot/detect';
import { tokenClaimsOf } from '@boundless/copilot/detect';
import type { EdgeLogRecord } from '@boundless/copilot/logs';

/**
 * How the abuse detectors are spread over Kinesis shards (SCALE-OUT.md). Every detector follows one subject,
 * and sees every request of it only if all of them reach the same consumer. Three families, each a copy of the
 * request stream keyed by its own subject:
 *
 * - `account`: requests carrying an edge token, keyed by the token's account. Token sharing (per token and per
 *   account: one account's tokens must meet).
 * - `address`: every request, keyed by the client address. Address-level scraping and crawling, including
 *   requests without a token.
 * - `global`: every request, in one bucket. Geo spikes compare a country with everyone else's volume, and a
 *   reader's scraping is judged against its cohort's pace and the catalog's titles, so neither can be split by
 *   subject; one consumer sees the whole stream, packed and compressed.
 *
 * Keys hash into a fixed number of buckets; state (and the replay log) is kept per bucket, so it follows the
 * subjects when shards split or merge. The detections a family owns are the ones about its subject.
 */
export const FAMILIES = ['account', 'address', 'global'] as const;
export type Family = (typeof FAMILIES)[number];

export interface FamilyKey {
  family: Family;
  bucket: number;
}

/** A stable bucket in [0, buckets) for a subject key (first 32 bits of its MD5, as Kinesis hashes keys). */
export function bucketOf(key: string, buckets: number): number {
  return createHash('md5').update(key).digest().readUInt32BE(0) % buckets;
}

/** The families (and buckets) one request belongs to. */
export function familiesOf(record: EdgeLogRecord, buckets: number): FamilyKey[] {
  const keys: FamilyKey[] = [{ family: 'address', bucket: bucketOf(record.clientIp, buckets) }];
  const claims = tokenClaimsOf(record.query);
  if (claims !== undefined && claims.tokenId.length > 0) {
    // All tokens of one account meet in one bucket; a token without a readable account is its own subject.
    const subject = claims.accountId.length > 0 ? `a:${claims.accountId}` : `t:${claims.tokenId}`;
    keys.push({ family: 'account', bucket: bucketOf(subject, buckets) });
  }
  keys.push({ family: 'global', bucket: 0 });
  return keys;
}

/**
 * Which family's consumer reports a detection: the one that saw every request it was judged on. Token sharing
 * follows accounts; a reader's scraping (any subject naming an account) is judged against its cohort's pace and
 * the catalog's titles, learned from every reader, so the global family reports it; address scraping (an address
 * alone) follows addresses; geo spikes are global.
 */
export function ownerOf(detection: Detection): Family {
  switch (detection.kind) {
    case 'token_sharing':
      return 'account';
    case 'geo_spike':
      return 'global';
    case 'scraping':
      // A reader's scraping (it names the account) is judged against the cohort's pace and the catalog's
      // titles, which only a consumer of every request knows; an address's is judged on the address alone.
      return detection.subject.accountId !== undefined ? 'global' : 'address';
  }
}

/** A deterministic id: the same detection from a retried batch carries the same id, so readers can dedupe. */
export function detectionId(detection: Detection): string {
  const subject = Object.entries(detection.subject)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return createHash('sha256')
    .update(`${detection.kind}|${subject}|${detection.firstSeen}|${detection.detectedAt}`)
    .digest('base64url')
    .slice(0, 32);
}
