import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateRequests } from '../simulator.ts';
import { driveEdgeLive } from './live-driver.ts';
import type { SimulatedRequest } from './request.ts';
import type { IssuedToken } from './tokens.ts';

/** A stand-in edge: serves `/titles/...` only when the live token's device matches the device header. */
function edgeStub(seen: IncomingMessage[]): Server {
  return createServer((req, res) => {
    seen.push(req);
    const url = new URL(req.url ?? '/', 'http://edge');
    if (!url.pathname.startsWith('/titles/')) return void res.writeHead(200).end('page');
    const [, device] = (url.searchParams.get('bbt') ?? '').split('~');
    res.writeHead(device !== undefined && device === req.headers['x-bb-device'] ? 200 : 403).end();
  });
}

const token = (accountId: string, deviceId: string): IssuedToken => ({
  bbt: 'simulated',
  tokenId: `tok-${accountId}-${deviceId}`,
  grant: { accountId, deviceId, titleId: 't00001' },
  deviceHash: '0123456789abcdef',
  exp: 2_000_000_000,
  scope: '/titles/t00001/',
});

const asset = (actor: string, time: number, deviceId: string, owner = 'dev-1'): SimulatedRequest => ({
  time,
  actor,
  population: actor.startsWith('abuse') ? 'abuse' : 'b2c',
  label: actor.startsWith('abuse') ? 'token-replay-1' : undefined,
  ip: '198.51.100.7',
  country: 'US',
  path: '/titles/t00001/epub/ch001.xhtml',
  token: token('acc-1', owner),
  deviceId,
  userAgent: 'test-agent',
  port: 50000,
});

describe('Function: driveEdgeLive', () => {
  const seen: IncomingMessage[] = [];
  const server = edgeStub(seen);
  let edgeUrl = '';
  const grants: string[] = [];
  const obtainAccess = async (g: { accountId: string; deviceId: string; titleId: string }) => {
    grants.push(`${g.accountId}/${g.deviceId}`);
    return { bbt: `live~${g.deviceId}` };
  };

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    edgeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('counts served and refused requests per actor, reusing one live token per simulated token', async () => {
    const requests = [
      asset('reader:acc-1', 0, 'dev-1'),
      asset('abuse:token-replay-1:replayer', 100, 'dev-evil'),
      asset('reader:acc-1', 200, 'dev-1'),
      asset('abuse:token-replay-1:replayer', 300, 'dev-evil'),
    ];
    const result = await driveEdgeLive({ edgeUrl, obtainAccess, requests, speedup: 100, concurrency: 1 });
    expect(result.actors['reader:acc-1']).toMatchObject({ served: 2, refused: 0 });
    expect(result.actors['abuse:token-replay-1:replayer']).toMatchObject({
      served: 0,
      refused: 2,
      label: 'token-replay-1',
    });
    expect(grants).toEqual(['acc-1/dev-1']);
    expect(seen.at(-1)?.headers['x-forwarded-for']).toBe('198.51.100.7');
    expect(result.stoppedBy).toBe('exhausted');
  });

  it('stops at the request bound when replaying a simulation', async () => {
    const requests = simulateRequests({ seed: 3, durationHours: 1, readers: 200, scenarios: ['scraping'] });
    const result = await driveEdgeLive({
      edgeUrl,
      obtainAccess,
      requests,
      speedup: Number.POSITIVE_INFINITY,
      maxRequests: 120,
    });
    expect(result.requests).toBe(120);
    expect(result.served + result.refused + result.other).toBe(120);
    expect(result.stoppedBy).toBe('max_requests');
  });

  it('rejects a bad edge URL', async () => {
    await expect(driveEdgeLive({ edgeUrl: 'ftp://x', obtainAccess, requests: [] })).rejects.toThrow(
      /edgeUrl/,
    );
  });
});
