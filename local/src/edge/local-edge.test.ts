import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { getSignedCookies } from '@aws-sdk/cloudfront-signer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CLOUDFRONT_LOG_FIELDS,
  deviceHashOf,
  generateRsaKeyPairPem,
  issueEdgeToken,
  type RealtimeLogRecord,
} from '@boundless/delivery';
import { type LocalEdge, type LocalEdgeOptions, startLocalEdge } from './local-edge.ts';
import { LocalKeyValueStore } from './local-kvs.ts';
import { IpSetRegistry } from '../waf/ip-sets.ts';
import { WebAcl } from '../waf/web-acl.ts';

const { privateKeyPem: PRIVATE, publicKeyPem: PUBLIC } = generateRsaKeyPairPem({ privateKeyType: 'pkcs1' });
const SECRET = 'edge-secret-for-tests-0123456789abcdef';
const START = Date.UTC(2027, 0, 4, 10, 15, 0);
const BOOK = Buffer.from('The quick brown fox jumps over the lazy dog.');

let dir: string;
let edge: LocalEdge;
let now: number;
let kvs: LocalKeyValueStore;
let realtime: RealtimeLogRecord[];

async function start(overrides: Partial<LocalEdgeOptions> = {}) {
  edge = await startLocalEdge({
    port: 0,
    originDir: join(dir, 'origin'),
    kvs,
    trustedKeys: { K1: PUBLIC },
    logDir: join(dir, 'logs'),
    clock: () => now,
    cache: { maxEntries: 100, maxBytes: 1_000_000, defaultTtlSeconds: 60 },
    logFlushIntervalMs: 0,
    realtimeLogSink: (r) => realtime.push(r),
    ...overrides,
  });
}

function cookiesFor(options: { ip?: string; expiresIn?: number; resource?: string } = {}): string {
  const policy = {
    Statement: [
      {
        Resource: options.resource ?? `${edge.url}/titles/t-1/*`,
        Condition: {
          DateLessThan: { 'AWS:EpochTime': Math.floor(now / 1000) + (options.expiresIn ?? 600) },
          ...(options.ip ? { IpAddress: { 'AWS:SourceIp': options.ip } } : {}),
        },
      },
    ],
  };
  const cookies = getSignedCookies({ keyPairId: 'K1', privateKey: PRIVATE, policy: JSON.stringify(policy) });
  return Object.entries(cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
}

function token(tokenId = 'tok_abcdef123'): string {
  const iat = Math.floor(now / 1000) - 5;
  return issueEdgeToken(
    {
      kid: 'k1',
      tokenId,
      accountId: 'acct-1',
      deviceHash: deviceHashOf('acct-1', 'dev-1'),
      iat,
      exp: iat + 3600,
      scope: '/titles/t-1/',
    },
    SECRET,
  );
}

function get(path: string, headers: Record<string, string> = {}) {
  return fetch(`${edge.url}${path}`, { headers: { 'x-bb-device': 'dev-1', ...headers } });
}

const asset = (t = token()) => `/titles/t-1/book.epub?bbt=${t}`;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bb-edge-'));
  mkdirSync(join(dir, 'origin/titles/t-1'), { recursive: true });
  mkdirSync(join(dir, 'origin/public'), { recursive: true });
  writeFileSync(join(dir, 'origin/titles/t-1/book.epub'), BOOK);
  writeFileSync(join(dir, 'origin/public/robots.txt'), 'User-agent: *');
  now = START;
  realtime = [];
  kvs = new LocalKeyValueStore({ initial: { 'k:k1': SECRET } });
});

afterEach(async () => {
  await edge?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Function: startLocalEdge', () => {
  it('serves a token + signed cookie request as Miss then Hit', async () => {
    await start();
    const cookie = cookiesFor();
    const first = await get(asset(), { cookie });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('Miss from cloudfront');
    expect(first.headers.get('content-type')).toBe('application/epub+zip');
    expect(Buffer.from(await first.arrayBuffer())).toEqual(BOOK);
    const second = await get(asset(), { cookie });
    expect(second.headers.get('x-cache')).toBe('Hit from cloudfront');
    await second.arrayBuffer();
    expect(edge.stats()).toMatchObject({ requests: 2, hits: 1, misses: 1 });
  });

  it('refuses missing, tampered and expired cookies with 403 before the function runs', async () => {
    await start();
    expect((await get(asset())).status).toBe(403);
    const tampered = cookiesFor().replace(
      /CloudFront-Signature=(.)/,
      (_m, c: string) => `CloudFront-Signature=${c === 'A' ? 'B' : 'A'}`,
    );
    expect((await get(asset(), { cookie: tampered })).status).toBe(403);
    const cookie = cookiesFor({ expiresIn: 30 });
    expect((await get(asset(), { cookie })).status).toBe(200);
    now += 30_000;
    const expired = await get(asset(), { cookie });
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('AccessDenied');
    expect(edge.stats().refused).toEqual({
      signature_missing: 1,
      signature_invalid: 1,
      signature_expired: 1,
    });
    expect(edge.stats().functionInvocations).toBe(1);
  });

  it('enforces the IpAddress condition against the viewer address', async () => {
    await start();
    expect((await get(asset(), { cookie: cookiesFor({ ip: '127.0.0.1/32' }) })).status).toBe(200);
    const refused = await get(asset(), { cookie: cookiesFor({ ip: '10.0.0.0/8' }) });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-bb-refused')).toBe('signature_ip');
  });

  it('refuses a revoked token on the next request after the KVS write, even when cached', async () => {
    await start();
    const cookie = cookiesFor();
    expect((await get(asset(), { cookie })).status).toBe(200);
    await kvs.put('rv:tok_abcdef123', String(Math.floor(now / 1000)));
    const refused = await get(asset(), { cookie });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-bb-refused')).toBe('revoked');
    expect(refused.headers.get('x-cache')).toBe('FunctionGeneratedResponse from cloudfront');
  });

  it('answers a range request with 206 and the slice', async () => {
    await start();
    const response = await get(asset(), { cookie: cookiesFor(), range: 'bytes=4-8' });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes 4-8/${BOOK.length}`);
    expect(await response.text()).toBe('quick');
    const unsatisfiable = await get(asset(), { cookie: cookiesFor(), range: `bytes=${BOOK.length}-` });
    expect(unsatisfiable.status).toBe(416);
  });

  it('serves public paths without token or cookie and 404s missing objects', async () => {
    await start();
    const robots = await fetch(`${edge.url}/public/robots.txt`);
    expect(robots.status).toBe(200);
    expect(await robots.text()).toBe('User-agent: *');
    expect((await get('/titles/t-1/none.epub?bbt=' + token(), { cookie: cookiesFor() })).status).toBe(404);
    const head = await fetch(`${edge.url}/public/robots.txt`, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('13');
    expect((await fetch(`${edge.url}/public/%E0%A4%A`)).status).toBe(400);
    expect((await fetch(`${edge.url}/public/robots.txt`, { method: 'POST', body: 'x' })).status).toBe(403);
  });

  it('revalidates after the TTL: RefreshHit when unchanged, Miss when the object changed', async () => {
    await start();
    const cookie = cookiesFor({ expiresIn: 3600 });
    await (await get(asset(), { cookie })).arrayBuffer();
    now += 61_000;
    expect((await get(asset(), { cookie })).headers.get('x-cache')).toBe('RefreshHit from cloudfront');
    expect((await get(asset(), { cookie })).headers.get('x-cache')).toBe('Hit from cloudfront');
    writeFileSync(join(dir, 'origin/titles/t-1/book.epub'), 'second edition, longer than the first one was');
    now += 61_000;
    const changed = await get(asset(), { cookie });
    expect(changed.headers.get('x-cache')).toBe('Miss from cloudfront');
    expect(await changed.text()).toBe('second edition, longer than the first one was');
  });

  it('writes 33-field standard logs under the #Fields header and real-time records', async () => {
    await start();
    const cookie = cookiesFor();
    await (await get(asset(), { cookie, 'user-agent': 'reader app/1.0' })).arrayBuffer();
    await (await get(asset(), { cookie, range: 'bytes=0-3' })).arrayBuffer();
    await edge.close();
    const files = readdirSync(join(dir, 'logs'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^ELOCALEDGE\.2027-01-04-10\.[0-9a-z]+\.gz$/);
    const text = gunzipSync(readFileSync(join(dir, 'logs', files[0]!))).toString('utf8');
    const [version, fields, ...lines] = text.trimEnd().split('\n');
    expect(version).toBe('#Version: 1.0');
    const names = fields!.replace('#Fields: ', '').split(' ');
    expect(names).toEqual([...CLOUDFRONT_LOG_FIELDS]);
    const rows = lines.map((line) => Object.fromEntries(line.split('\t').map((v, i) => [names[i], v])));
    expect(lines.every((line) => line.split('\t').length === 33)).toBe(true);
    expect(rows[0]).toMatchObject({
      date: '2027-01-04',
      time: '10:15:00',
      'c-ip': '127.0.0.1',
      'cs-uri-stem': '/titles/t-1/book.epub',
      'sc-status': '200',
      'x-edge-result-type': 'Miss',
      'cs(User-Agent)': 'reader%20app/1.0',
    });
    expect(rows[0]!['cs-uri-query']).toBe(`bbt=${token()}`);
    expect(rows[1]).toMatchObject({ 'sc-status': '206', 'sc-range-start': '0', 'sc-range-end': '3' });
    expect(realtime).toHaveLength(2);
    expect(realtime[0]).toMatchObject({
      timestamp: `${START / 1000}.000`,
      'sc-status': '200',
      'c-country': '-',
    });
    expect(realtime[1]!['x-edge-result-type']).toBe('Hit');
    expect(realtime[0]!['cs-headers']).toContain('x-bb-device:dev-1');
  });

  it('takes the viewer from X-Forwarded-For when told to, geolocates it, and survives a failing log consumer', async () => {
    const failures: [string, string][] = [];
    await start({
      onError: (error, where) => failures.push([where, (error as Error).message]),
      viewerIpFrom: 'x-forwarded-for',
      geo: (ip) => (ip === '203.0.113.9' ? { country: 'NZ', asn: 64500 } : undefined),
      realtimeLogSink: (record) => {
        realtime.push(record);
        throw new Error('consumer down');
      },
    });
    const response = await fetch(`${edge.url}/public/robots.txt`, {
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(response.status).toBe(200);
    const refused = await get(asset(), {
      cookie: cookiesFor({ ip: '127.0.0.1/32' }),
      'x-forwarded-for': '203.0.113.9',
    });
    expect(refused.headers.get('x-bb-refused')).toBe('signature_ip');
    await edge.close();
    const file = readdirSync(join(dir, 'logs'))[0]!;
    const line = gunzipSync(readFileSync(join(dir, 'logs', file)))
      .toString()
      .split('\n')[2]!;
    expect(line.split('\t')[4]).toBe('203.0.113.9');
    expect(realtime[0]).toMatchObject({ 'c-ip': '203.0.113.9', 'c-country': 'NZ', asn: '64500' });
    // Each dropped record is reported with its cause, not swallowed.
    expect(failures).toEqual([
      ['realtime_log', 'consumer down'],
      ['realtime_log', 'consumer down'],
    ]);
  });

  it('reports an access log it cannot write, and keeps serving', async () => {
    const failures: string[] = [];
    const blocked = join(dir, 'not-a-directory');
    writeFileSync(blocked, 'a file where the log directory should be');
    await start({ logDir: blocked, onError: (_error, where) => failures.push(where) });
    expect((await fetch(`${edge.url}/public/robots.txt`)).status).toBe(200);
    await edge.close();
    expect(failures).toEqual(['access_log']);
  });
});

describe('Function: startLocalEdge options', () => {
  it('refuses trusted proxies that are not CIDRs, naming the option', async () => {
    await expect(
      startLocalEdge({
        port: 0,
        originDir: dir,
        kvs,
        trustedKeys: {},
        logDir: join(dir, 'logs'),
        viewerIpFrom: 'x-forwarded-for',
        trustedProxies: ['10.0.0.0/33'],
      }),
    ).rejects.toThrow(/trustedProxies\.0: must be a CIDR/);
  });
});

describe('Function: startLocalEdge with a web ACL', () => {
  async function startWithAcl() {
    const registry = new IpSetRegistry();
    const blocked = registry.ensure('blocked', 'CLOUDFRONT', 'IPV4');
    const limited = registry.ensure('limited', 'CLOUDFRONT', 'IPV4');
    const put = (ref: typeof blocked, addresses: string[]) =>
      registry.update({
        Name: ref.Name,
        Id: ref.Id,
        Scope: 'CLOUDFRONT',
        Addresses: addresses,
        LockToken: registry.get({ ...ref, Scope: 'CLOUDFRONT' }).LockToken,
      });
    const webAcl = new WebAcl(registry, [
      { name: 'blocked-addresses', kind: 'ip_set_block', ipSetId: blocked.Id },
      {
        name: 'rate-limited-addresses',
        kind: 'rate_limit',
        ipSetId: limited.Id,
        limit: 10,
        windowSeconds: 300,
      },
    ]);
    await start({ viewerIpFrom: 'x-forwarded-for', webAcl });
    return {
      blockAll: (cidrs: string[]) => put(blocked, cidrs),
      limit: (cidrs: string[]) => put(limited, cidrs),
    };
  }
  const from = (ip: string, cookie?: string) =>
    get(asset(), { 'x-forwarded-for': ip, ...(cookie ? { cookie } : {}) });

  it('blocks a listed address before the signed check and the function, and serves everyone else', async () => {
    const acl = await startWithAcl();
    const cookie = cookiesFor();
    acl.blockAll(['203.0.113.0/24']);
    const blocked = await from('203.0.113.9', cookie);
    expect(blocked.status).toBe(403);
    expect(await blocked.text()).toContain('RequestBlocked');
    expect(blocked.headers.get('x-bb-refused')).toBe('waf_blocked');
    expect((await from('198.51.100.7', cookie)).status).toBe(200);
    acl.blockAll([]);
    expect((await from('203.0.113.9', cookie)).status).toBe(200);
    expect(edge.stats().refused).toEqual({ waf_blocked: 1 });
    expect(edge.stats().functionInvocations).toBe(2);
    expect(realtime[0]).toMatchObject({
      'c-ip': '203.0.113.9',
      'sc-status': '403',
      'x-edge-result-type': 'Error',
    });
  });

  it('serves a rate-limited address up to the limit, then refuses it while its neighbours are served', async () => {
    const acl = await startWithAcl();
    const cookie = cookiesFor();
    acl.limit(['198.51.100.7/32']);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const response = await from('198.51.100.7', cookie);
      await response.arrayBuffer();
      statuses.push(response.status);
      now += 1000;
    }
    expect(statuses).toEqual([...Array(10).fill(200), 403, 403]);
    expect((await from('198.51.100.8', cookie)).status).toBe(200);
    now += 310_000;
    expect((await from('198.51.100.7', cookie)).status).toBe(200);
    expect(edge.stats().refused).toEqual({ waf_rate_limited: 2 });
  });
});
