import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Tracing switches on only inside a Lambda execution environment and reads the daemon address at load time.
const daemon = createSocket('udp4');
await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
process.env.AWS_XRAY_DAEMON_ADDRESS = `127.0.0.1:${(daemon.address() as AddressInfo).port}`;
process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';

const { default: xray } = await import('aws-xray-sdk-core');
const { lambdaContext, startHarness } = await import('../api/test-support.ts');
const { httpApiEvent } = await import('../api/test-support.ts');

interface SegmentDoc {
  name: string;
  trace_id?: string;
  subsegments?: SegmentDoc[];
}

const received: SegmentDoc[] = [];
daemon.on('message', (message) => {
  const body = message.toString('utf8').split('\n')[1];
  if (body) received.push(JSON.parse(body) as SegmentDoc);
});

let h: Awaited<ReturnType<typeof startHarness>>;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
  daemon.close();
});

/** Resolves once the daemon has the closed segment; UDP on loopback arrives promptly but not synchronously. */
function arrivalOf(traceId: string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!received.some((s) => s.trace_id === traceId)) return;
      daemon.off('message', deferCheck);
      resolve();
    };
    const deferCheck = () => setImmediate(check);
    daemon.on('message', deferCheck);
    check();
  });
}

const names = (doc: SegmentDoc): string[] => [doc.name, ...(doc.subsegments ?? []).flatMap(names)];

describe('Telemetry: X-Ray', () => {
  it('wraps each handler in a subsegment with DynamoDB calls beneath it', async () => {
    const token = await h.token({ sub: 'traced-reader' });
    const route = h.routes.find((r) => r.routeKey === 'POST /v1/devices');
    const segment = new xray.Segment('delivery-register-device');
    await new Promise<void>((resolve, reject) => {
      xray.getNamespace().run(() => {
        xray.setSegment(segment);
        route
          ?.handler(
            httpApiEvent('POST /v1/devices', { token, body: { deviceId: 'trace-1' } }, h.clock.nowMs),
            lambdaContext('delivery-register-device'),
          )
          .then(() => resolve(), reject);
      });
    });
    segment.close();
    await arrivalOf(segment.trace_id);
    const docs = received.filter((s) => s.trace_id === segment.trace_id);
    const all = docs.flatMap(names);
    expect(all).toContain('## delivery-register-device');
    expect(all).toContain('registerDevice');
    expect(all).toContain('DynamoDB');
  });
});
