import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS } from '../service/aws-test-support.ts';
import { PrewarmError } from './errors.ts';
import { LambdaProvisionedConcurrency } from './lambda-aws.ts';
import { LambdaStandIn } from './lambda-stand-in.ts';

const lambda = new LambdaStandIn(['boundless-access'], 50);
let client: LambdaClient;

beforeAll(async () => {
  client = new LambdaClient({
    ...LOCAL_AWS,
    endpoint: await lambda.start(),
  });
});
afterAll(async () => {
  client.destroy();
  await lambda.stop();
});

describe('Class: LambdaProvisionedConcurrency', () => {
  it('puts provisioned concurrency on the alias through the real client, and deletes the config for 0', async () => {
    const target = new LambdaProvisionedConcurrency({ client, qualifier: 'live' });
    await target.setProvisionedConcurrency('boundless-access', 7);
    expect(lambda.configs.get('boundless-access:live')).toEqual({
      functionName: 'boundless-access',
      qualifier: 'live',
      requested: 7,
      status: 'READY',
    });
    expect(lambda.requests.at(-1)).toMatchObject({
      method: 'PUT',
      body: { ProvisionedConcurrentExecutions: 7 },
    });
    await target.setProvisionedConcurrency('boundless-access', 0);
    expect(lambda.configs.has('boundless-access:live')).toBe(false);
    expect(lambda.requests.at(-1)!.method).toBe('DELETE');
    // Zero when there is already none is what was asked for, not a failure.
    await target.setProvisionedConcurrency('boundless-access', 0);
  });

  it("reads the allocation back through the real client: READY, FAILED with Lambda's reason, none", async () => {
    const target = new LambdaProvisionedConcurrency({ client, qualifier: 'live' });
    await target.setProvisionedConcurrency('boundless-access', 4);
    expect(await target.allocation('boundless-access')).toEqual({
      status: 'READY',
      requested: 4,
      allocated: 4,
    });
    const config = lambda.configs.get('boundless-access:live')!;
    config.status = 'FAILED';
    config.statusReason = 'FUNCTION_ERROR_INIT_FAILURE';
    expect(await target.allocation('boundless-access')).toEqual({
      status: 'FAILED',
      requested: 4,
      allocated: 0,
      reason: 'FUNCTION_ERROR_INIT_FAILURE',
    });
    expect(lambda.requests.at(-1)).toMatchObject({ method: 'GET', qualifier: 'live' });
    await target.setProvisionedConcurrency('boundless-access', 0);
    expect(await target.allocation('boundless-access')).toBeNull();
    const missing = await target.allocation('no-such-fn').catch((e: unknown) => e);
    expect(((missing as PrewarmError).cause as Error).name).toBe('ResourceNotFoundException');
  });

  it('turns what Lambda refuses into a PrewarmError that keeps the service error', async () => {
    const target = new LambdaProvisionedConcurrency({ client, qualifier: 'live' });
    const overLimit = await target.setProvisionedConcurrency('boundless-access', 51).catch((e: unknown) => e);
    expect(overLimit).toBeInstanceOf(PrewarmError);
    expect(((overLimit as PrewarmError).cause as Error).name).toBe('InvalidParameterValueException');
    const missing = await target.setProvisionedConcurrency('no-such-fn', 2).catch((e: unknown) => e);
    expect(((missing as PrewarmError).cause as Error).name).toBe('ResourceNotFoundException');
    await expect(target.setProvisionedConcurrency('boundless-access', 1.5)).rejects.toThrow(/whole number/);
    expect(() => new LambdaProvisionedConcurrency({ client, qualifier: '$LATEST' })).toThrow(
      /alias or a version/,
    );
  });
});
