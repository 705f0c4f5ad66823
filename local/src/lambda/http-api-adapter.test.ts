import { connect } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpApi, type HttpApi } from './http-api-adapter.ts';
import { LambdaEmulator } from './lambda-emulator.ts';

const routes = [
  { routeKey: 'POST /echo', functionName: 'echo' },
  { routeKey: 'GET /things/{thingId}', functionName: 'echo' },
  { routeKey: 'GET /crash', functionName: 'crash' },
  { routeKey: 'GET /busy', functionName: 'busy' },
];

let api: HttpApi;
let releaseBusy: () => void = () => undefined;
let busyStarted: () => void = () => undefined;
const busyRunning = new Promise<void>((resolve) => {
  busyStarted = resolve;
});

beforeAll(async () => {
  const emulator = new LambdaEmulator({ coldStartMs: 0, concurrencyLimit: 1 });
  emulator.register({
    functionName: 'echo',
    handler: async (event: APIGatewayProxyEventV2) => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: ['a=1; Path=/', 'b=2; Path=/'],
      body: JSON.stringify(event),
    }),
  });
  emulator.register({
    functionName: 'crash',
    handler: async () => {
      throw new Error('boom');
    },
  });
  emulator.register({
    functionName: 'busy',
    handler: () =>
      new Promise((resolve) => {
        releaseBusy = () => resolve({ statusCode: 204 });
        busyStarted();
      }),
  });
  api = await startHttpApi({
    routes,
    maxBodyBytes: 1024,
    integrate: async (route, event) => (await emulator.invoke(route.functionName, event)).result as never,
  });
});
afterAll(() => api.close());

describe('Function: startHttpApi', () => {
  it('delivers a 2.0 event to the route and maps cookies back to Set-Cookie', async () => {
    const response = await fetch(`${api.url}/echo?q=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'session=abc' },
      body: '{"hello":"world"}',
    });
    const event = (await response.json()) as APIGatewayProxyEventV2;
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(response.headers.get('apigw-requestid')).toBe(event.requestContext.requestId);
    expect(event).toMatchObject({ rawPath: '/echo', rawQueryString: 'q=1', cookies: ['session=abc'] });
    expect(event.body).toBe('{"hello":"world"}');
  });

  it('passes path parameters', async () => {
    const event = (await (await fetch(`${api.url}/things/t%2D1`)).json()) as APIGatewayProxyEventV2;
    expect(event.pathParameters).toEqual({ thingId: 't-1' });
  });

  it('answers unknown routes with 404 JSON', async () => {
    const response = await fetch(`${api.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });

  it('refuses a body over the cap with 413', async () => {
    const response = await fetch(`${api.url}/echo`, { method: 'POST', body: 'x'.repeat(2048) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
  });

  it('answers a crashing function with 500 JSON and keeps serving', async () => {
    const response = await fetch(`${api.url}/crash`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    expect((await fetch(`${api.url}/things/x`)).status).toBe(200);
  });

  it('answers throttled requests with 429', async () => {
    const first = fetch(`${api.url}/busy`);
    await busyRunning;
    const second = await fetch(`${api.url}/busy`);
    releaseBusy();
    expect(second.status).toBe(429);
    expect((await first).status).toBe(204);
  });

  it('answers a malformed percent-escape and a garbage request line with 400', async () => {
    const response = await fetch(`${api.url}/things/%E0%A4%A`);
    expect(response.status).toBe(400);
    const raw = await rawRequest(api.port, 'NOT A REQUEST\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1.1 400/);
    expect((await fetch(`${api.url}/things/y`)).status).toBe(200);
  });
});

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
}
