/**
 * The world the readers act in: signed edge tokens (DESIGN §4.1) issued per account, device and title, and the
 * requests they make, kept per hour of event time until the writer formats them as CloudFront log lines.
 */
import { deviceHashOf, issueEdgeToken } from '@boundless/delivery';
import { HeapGuard, type HeapStatistics } from '../heap-guard.ts';
import type { AddressBook } from './addresses.ts';
import type { Catalog, Title } from './catalog.ts';
import type { Draw } from './draw.ts';

export const SIGNING_KID = 'ind1';
export const SIGNING_SECRET = 'independent-population-signing-secret-0001';
const TOKEN_TTL_S = 3600;

export interface Request {
  t: number;
  ip: string;
  path: string;
  query: string;
  status: number;
  bytes: number;
  ua: string;
  contentType: string;
  range?: [number, number];
  hit: boolean;
}

export interface IssuedToken {
  bbt: string;
  /** `bbt=<token>`, built once: every request of the token shares the string. */
  query: string;
  tokenId: string;
  iat: number;
  exp: number;
}

/** Who is fetching: an account on a device with a client, connected through `ip(t)`. */
export interface Viewer {
  accountId: string;
  deviceId: string;
  ua: string;
  ip: (t: number) => string;
}

export interface ReadOptions {
  /** Multiplies each asset's dwell time (1 = ordinary speed). */
  pace: number;
  /** How many assets the client fetches ahead of the one being read. */
  prefetch?: number;
  /** Fixed seconds between fetches instead of dwell times (downloads, syncs, crawls). */
  gap?: number;
}

export class World {
  private readonly buckets = new Map<number, Request[]>();
  private readonly tokens = new Map<string, IssuedToken>();
  /** Every request is held until its hour is written: a population too large for the heap stops cleanly. */
  private readonly guard: HeapGuard;
  lines = 0;

  constructor(
    readonly draw: Draw,
    readonly addresses: AddressBook,
    readonly catalog: Catalog,
    readonly startMs: number,
    readonly endMs: number,
    heap?: HeapStatistics,
  ) {
    this.guard = new HeapGuard(
      'log lines held',
      'ask for fewer --readers or --hours, or give Node more heap',
      heap,
    );
  }

  /** The token a device holds for a title at `t`: reused until a minute before expiry, then reissued. */
  token(accountId: string, deviceId: string, title: Title, t: number): IssuedToken {
    const key = `${accountId}|${deviceId}|${title.id}`;
    const held = this.tokens.get(key);
    // Sessions are generated out of time order: a token is reused only inside its own lifetime.
    if (held && held.iat * 1000 <= t && held.exp * 1000 - 60_000 > t) return held;
    const iat = Math.floor(t / 1000) - this.draw.int(0, 20);
    const tokenId = this.draw.id(26, '0123456789ABCDEFGHJKMNPQRSTVWXYZ');
    const exp = iat + TOKEN_TTL_S;
    const bbt = issueEdgeToken(
      {
        kid: SIGNING_KID,
        tokenId,
        accountId,
        deviceHash: deviceHashOf(accountId, deviceId),
        iat,
        exp,
        scope: `/titles/${title.id}/`,
      },
      SIGNING_SECRET,
    );
    const issued = { bbt, query: `bbt=${bbt}`, tokenId, iat, exp };
    this.tokens.set(key, issued);
    return issued;
  }

  /** Records one request; outside the simulated window it is dropped. */
  record(request: Request): void {
    if (request.t < this.startMs || request.t >= this.endMs) return;
    const hour = Math.floor((request.t - this.startMs) / 3_600_000);
    const bucket = this.buckets.get(hour);
    if (bucket) bucket.push(request);
    else this.buckets.set(hour, [request]);
    this.lines++;
    this.guard.tick(this.lines);
  }

  /** One asset fetch with a token; large media are fetched in byte ranges, a few fail and are retried. */
  fetch(viewer: Viewer, title: Title, assetIndex: number, t: number, bbt?: string): void {
    const asset = title.assets[assetIndex]!;
    const query = bbt ? `bbt=${bbt}` : this.token(viewer.accountId, viewer.deviceId, title, t).query;
    const base = {
      ip: viewer.ip(t),
      path: `/titles/${title.id}/${asset.name}`,
      query,
      ua: viewer.ua,
      contentType: asset.contentType,
      hit: this.draw.chance(0.55 + 0.4 * Math.exp(-title.rank / 80)),
    };
    if (this.draw.chance(0.006)) {
      this.record({
        ...base,
        t,
        status: this.draw.pick([502, 504]),
        bytes: 900,
        contentType: 'text/html',
        hit: false,
      });
      t += this.draw.between(1_000, 6_000);
    }
    if (asset.bytes <= 4_000_000) {
      this.record({ ...base, t, status: 200, bytes: asset.bytes + 420 });
      return;
    }
    // Media players ask for the file in ranges as playback advances.
    const chunk = 2_097_152;
    const spacing = (asset.dwell * 1000 * chunk) / asset.bytes;
    for (let from = 0, i = 0; from < asset.bytes; from += chunk, i++) {
      const to = Math.min(asset.bytes, from + chunk) - 1;
      this.record({
        ...base,
        t: t + i * spacing * 0.8,
        status: 206,
        bytes: to - from + 1 + 480,
        range: [from, to],
      });
    }
  }

  /**
   * A viewer going through `count` assets of a title from `from`, at the pace the options give; returns the time
   * it stopped. Dwell-less assets (manifests, covers) come right after the previous one.
   */
  read(viewer: Viewer, title: Title, from: number, count: number, t: number, options: ReadOptions): number {
    const last = Math.min(title.assets.length, from + count);
    let fetchedUpTo = from - 1;
    for (let i = from; i < last; i++) {
      if (t >= this.endMs) return t;
      const ahead = Math.min(last - 1, i + (options.prefetch ?? 0));
      for (let j = Math.max(i, fetchedUpTo + 1); j <= ahead; j++) {
        this.fetch(viewer, title, j, t + (j - i) * this.draw.between(80, 600));
        fetchedUpTo = j;
      }
      const asset = title.assets[i]!;
      const wait =
        options.gap !== undefined
          ? options.gap * this.draw.between(0.6, 1.4)
          : asset.dwell > 0
            ? asset.dwell * options.pace * this.draw.between(0.6, 1.5)
            : this.draw.between(0.1, 1.5);
      t += wait * 1000;
    }
    return t;
  }

  /** Buckets in hour order, each sorted by time; a bucket is released once handed out. */
  *hours(): Generator<{ hour: number; requests: Request[] }> {
    const hours = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const hour of hours) {
      const requests = this.buckets.get(hour)!;
      this.buckets.delete(hour);
      requests.sort((a, b) => a.t - b.t);
      yield { hour, requests };
    }
  }
}
