import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, lambdaContext, startHarness } from '../api/test-support.ts';
import { DeliveryError } from '../errors.ts';
import * as aws from './aws.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('Module: lambda/aws', () => {
  it('exports exactly one handler per access API route', () => {
    const routeKeys = h.routes.map((r) => r.routeKey).sort();
    expect(Object.values(aws.LAMBDA_HANDLERS).sort()).toEqual(routeKeys);
    for (const name of Object.keys(aws.LAMBDA_HANDLERS)) {
      expect(typeof (aws as unknown as Record<string, unknown>)[name]).toBe('function');
    }
  });

  it('fails the first invocation with the missing configuration named', async () => {
    const saved = process.env.BOUNDLESS_TABLE_NAME;
    delete process.env.BOUNDLESS_TABLE_NAME;
    const failure = await Promise.resolve()
      .then(() => aws.listDevices({} as never, lambdaContext('delivery-list-devices')))
      .catch((error: unknown) => error);
    if (saved !== undefined) process.env.BOUNDLESS_TABLE_NAME = saved;
    expect(failure).toBeInstanceOf(DeliveryError);
    expect((failure as DeliveryError).message).toContain(
      'BOUNDLESS_TABLE_NAME: environment variable is required',
    );
  });
});
