import { describe, expect, it } from 'vitest';
import { buildHttpApiEvent, type HttpRequestFacts, RouteTable, toHttpResponse } from './http-api-event.ts';

const routes = [
  { routeKey: 'POST /v1/access' },
  { routeKey: 'DELETE /v1/devices/{deviceId}' },
  { routeKey: 'GET /v1/devices/mine' },
  { routeKey: 'ANY /v1/devices/{deviceId}' },
  { routeKey: 'GET /files/{path+}' },
];

function facts(overrides: Partial<HttpRequestFacts> = {}): HttpRequestFacts {
  return {
    method: 'POST',
    url: '/v1/access',
    rawHeaders: [],
    body: Buffer.alloc(0),
    sourceIp: '203.0.113.9',
    requestId: 'req-1',
    timeEpoch: Date.UTC(2026, 2, 12, 19, 3, 58),
    domainName: 'localhost:3000',
    routeKey: 'POST /v1/access',
    pathParameters: {},
    ...overrides,
  };
}

describe('Class: RouteTable', () => {
  const table = new RouteTable(routes);

  it('matches path parameters, decoding them', () => {
    expect(table.match('DELETE', '/v1/devices/my%20phone')).toEqual({
      route: routes[1],
      pathParameters: { deviceId: 'my phone' },
    });
  });

  it('prefers a literal segment over a parameter, and an exact method over ANY', () => {
    expect(table.match('GET', '/v1/devices/mine')?.route.routeKey).toBe('GET /v1/devices/mine');
    expect(table.match('PUT', '/v1/devices/d1')?.route.routeKey).toBe('ANY /v1/devices/{deviceId}');
  });

  it('captures the rest of the path in a greedy parameter', () => {
    expect(table.match('GET', '/files/a/b/c.epub')?.pathParameters).toEqual({ path: 'a/b/c.epub' });
  });

  it('finds nothing for unknown paths or methods when there is no $default', () => {
    expect(table.match('GET', '/v1/access')).toBeUndefined();
    expect(table.match('POST', '/v2/access')).toBeUndefined();
  });

  it('falls back to $default', () => {
    const withDefault = new RouteTable([...routes, { routeKey: '$default' }]);
    expect(withDefault.match('GET', '/anything')?.route.routeKey).toBe('$default');
  });

  it('rejects a malformed route key', () => {
    expect(() => new RouteTable([{ routeKey: 'post v1' }])).toThrow(/post v1/);
  });
});

describe('Function: buildHttpApiEvent', () => {
  it('builds a 2.0 event: lower-cased headers, cookies array, raw and parsed query', () => {
    const event = buildHttpApiEvent(
      facts({
        url: '/v1/access?title=t-1&x=a&x=b',
        rawHeaders: [
          'Content-Type',
          'application/json',
          'Cookie',
          'a=1; b=2',
          'X-Multi',
          'one',
          'x-multi',
          'two',
        ],
        body: Buffer.from('{"titleId":"t-1"}'),
      }),
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/access',
      rawPath: '/v1/access',
      rawQueryString: 'title=t-1&x=a&x=b',
      cookies: ['a=1', 'b=2'],
      headers: { 'content-type': 'application/json', 'x-multi': 'one,two' },
      queryStringParameters: { title: 't-1', x: 'a,b' },
      body: '{"titleId":"t-1"}',
      isBase64Encoded: false,
      requestContext: {
        requestId: 'req-1',
        http: { method: 'POST', path: '/v1/access', sourceIp: '203.0.113.9' },
        time: '12/Mar/2026:19:03:58 +0000',
        stage: '$default',
      },
    });
    expect(event.headers.cookie).toBeUndefined();
  });

  it('base64-encodes binary bodies', () => {
    const bytes = Buffer.from([0, 255, 10, 13]);
    const event = buildHttpApiEvent(
      facts({ rawHeaders: ['content-type', 'application/octet-stream'], body: bytes }),
    );
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
  });
});

describe('Function: toHttpResponse', () => {
  it('maps a structured result with cookies and a base64 body', () => {
    const parts = toHttpResponse({
      statusCode: 201,
      headers: { 'Content-Type': 'application/epub+zip' },
      cookies: ['CloudFront-Policy=p; Path=/titles/t-1/', 'CloudFront-Signature=s'],
      body: Buffer.from('PK').toString('base64'),
      isBase64Encoded: true,
    });
    expect(parts).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'application/epub+zip' },
      cookies: ['CloudFront-Policy=p; Path=/titles/t-1/', 'CloudFront-Signature=s'],
      body: Buffer.from('PK'),
    });
  });

  it('serves a bare object as a 200 JSON body, as HTTP API infers', () => {
    const parts = toHttpResponse({ ok: true } as never);
    expect(parts.statusCode).toBe(200);
    expect(JSON.parse(parts.body.toString())).toEqual({ ok: true });
  });
});
