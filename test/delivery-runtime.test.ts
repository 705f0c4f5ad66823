import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryClient } from '@boundless/local/client';
import { logGroupOf } from '@boundless/local/lambda';
import { readLogGroupEvents } from '@boundless/copilot/telemetry-dir';
import { type LocalDelivery, startLocalDelivery } from '@boundless/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The runtime's own promises: Lambda environments, log groups, X-Ray segments and JSON errors.
const dataDir = mkdtempSync(join(tmpdir(), 'runtime-'));
let delivery: LocalDelivery;
let client: DeliveryClient;
let readerJwt: string;

const REGISTER = 'delivery-register-device';
const LIST = 'delivery-list-devices';

beforeAll(async () => {
  delivery = await startLocalDelivery({ dataDir, lambda: { coldStartMs: 20 } });
  client = new DeliveryClient(delivery.apiUrl, delivery.edgeUrl);
  const reader = delivery.demoUsers.find((user) => user.role === 'reader');
  readerJwt = await client.localToken(reader?.name ?? 'missing');
});
afterAll(async () => {
  await delivery?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function logMessages(functionName: string): Promise<Record<string, unknown>[]> {
  await delivery.logs.flush();
  const messages: Record<string, unknown>[] = [];
  for await (const event of readLogGroupEvents(
    delivery.logsDir,
    logGroupOf(functionName),
    0,
    Date.now() + 60_000,
  )) {
    messages.push(JSON.parse(event.message) as Record<string, unknown>);
  }
  return messages;
}

describe('Local delivery runtime: Lambda emulation', () => {
  it('pays a cold start on the first call of a function, logged and counted, and none on the next', async () => {
    await client.registerDevice(readerJwt, 'cold-1');
    await client.registerDevice(readerJwt, 'cold-2');

    expect(delivery.emulator.stats(REGISTER)).toMatchObject({ invocations: 2, coldStarts: 1 });
    const messages = await logMessages(REGISTER);
    expect(messages.filter((m) => m.cold_start === true)).toHaveLength(1);
    expect(messages.filter((m) => m.type === 'platform.initStart')).toHaveLength(1);
    expect(messages.filter((m) => m._aws !== undefined && 'ColdStart' in m).map((m) => m.ColdStart)).toEqual([
      1, 0,
    ]);
  });

  it('serves the first call without a cold start when provisioned concurrency is set', async () => {
    await delivery.emulator.setProvisionedConcurrency(LIST, 2);
    const listed = await client.call('GET', '/v1/devices', readerJwt);

    expect(listed.status).toBe(200);
    expect(delivery.emulator.stats(LIST)).toMatchObject({
      invocations: 1,
      coldStarts: 0,
      provisionedConcurrency: 2,
    });
    const emf = (await logMessages(LIST)).filter((m) => m._aws !== undefined && 'ColdStart' in m);
    expect(emf).toMatchObject([{ ColdStart: 0, ProvisionedConcurrencyUtilization: 0.5 }]);
  });
});

describe('Local delivery runtime: telemetry', () => {
  it('writes the access API request line to the function log group', async () => {
    await client.call('GET', '/v1/devices', readerJwt);
    const lines = (await logMessages(LIST)).filter((m) => m.message === 'request');
    expect(lines.at(-1)).toMatchObject({ route: 'GET /v1/devices', statusCode: 200 });
  });

  it('sends a segment for each invocation to the X-Ray receiver under the caller trace id', async () => {
    const traceId = `1-${Math.floor(Date.now() / 1000).toString(16)}-0123456789abcdef01234567`;
    const response = await fetch(`${delivery.apiUrl}/v1/devices`, {
      headers: { authorization: `Bearer ${readerJwt}`, 'x-amzn-trace-id': `Root=${traceId};Sampled=1` },
    });
    expect(response.status).toBe(200);

    const segments = await waitForSegments(traceId);
    expect(segments[0]).toMatchObject({
      name: LIST,
      origin: 'AWS::Lambda::Function',
      http: { response: { status: 200 } },
    });
  });
});

describe('Local delivery runtime: malformed requests', () => {
  it('answers with JSON errors and keeps serving', async () => {
    const badJson = await fetch(`${delivery.apiUrl}/v1/access`, {
      method: 'POST',
      headers: { authorization: `Bearer ${readerJwt}`, 'content-type': 'application/json' },
      body: '{"titleId":',
    });
    const noAuth = await client.call('POST', '/v1/access', undefined, { titleId: 't', deviceId: 'd' });
    const unknown = await client.call('GET', '/v1/nothing-here', readerJwt);
    const oversized = await client.call('POST', '/v1/devices', readerJwt, {
      deviceId: 'x'.repeat(7 * 1024 * 1024),
    });

    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: { code: expect.any(String) } });
    expect(noAuth.status).toBe(401);
    expect(unknown).toMatchObject({ status: 404, body: { message: 'Not Found' } });
    expect(oversized.status).toBe(413);
    expect((await client.call('GET', '/v1/devices', readerJwt)).status).toBe(200);
  });
});

/** Segments travel over UDP: wait for the receiver to have them rather than for a fixed time. */
async function waitForSegments(traceId: string) {
  for (;;) {
    const segments = await delivery.xray.segments({ traceId });
    if (segments.length > 0) return segments;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
