import { dailyDemand } from '@boundless/copilot/testing';
import type { LocalTunables } from '@boundless/local';
import { LambdaEmulator } from '@boundless/local/lambda';
import { describe, expect, it } from 'vitest';
import { localPrewarmer } from './prewarm-loop.ts';

const demand = dailyDemand(2);
const reader = {
  demand: (_name: string, fromMs: number, toMs: number) => ({
    minutes: demand.filter((m) => m.time >= fromMs && m.time < toMs),
    meanDurationMs: 300,
  }),
};
/** tunables.json pins the provisioned concurrency of grantAccess: that function is the change set's. */
const tunables = {
  lambda: {
    defaults: { memoryMb: 1024 },
    functions: { grantAccess: { provisionedConcurrency: { baseline: 2 } } },
  },
} as unknown as LocalTunables;

function emulator(): LambdaEmulator {
  const lambda = new LambdaEmulator({ coldStartMs: 0 });
  for (const functionName of ['delivery-grant-access', 'delivery-register-device'])
    lambda.register({ functionName, handler: async () => 'ok' });
  return lambda;
}

describe('Function: localPrewarmer', () => {
  it('sets the planned provisioned concurrency on the Lambda emulation, audited, and leaves pinned functions alone', async () => {
    const lambda = emulator();
    await lambda.setProvisionedConcurrency('delivery-grant-access', 2);
    const audit: { action: string; subject: string }[] = [];
    const loop = localPrewarmer(
      { emulator: lambda },
      { demand: reader, store: { appendAudit: async (entry) => void audit.push(entry) } },
      tunables,
      { dryRun: false },
    );
    expect(loop!.settings.functions).toEqual(['delivery-register-device']);
    const [decision] = await loop!.tick(demand[0]!.time + (1440 + 600) * 60_000);
    expect(decision!.requested).toBeGreaterThan(0);
    expect(lambda.stats('delivery-register-device')).toMatchObject({
      provisionedConcurrency: decision!.requested,
    });
    expect(lambda.stats('delivery-grant-access')).toMatchObject({ provisionedConcurrency: 2 });
    expect(audit).toMatchObject([
      { action: 'prewarm_set_provisioned_concurrency', subject: 'delivery-register-device' },
    ]);
  });

  it('in dry run changes nothing on the emulation', async () => {
    const lambda = emulator();
    const loop = localPrewarmer(
      { emulator: lambda },
      { demand: reader, store: { appendAudit: async () => {} } },
      tunables,
      { dryRun: true, events: [demand[0]!.time + 1440 * 60_000] },
    );
    // The calendar given (boundless start --prewarm-events) reaches the loop's plan.
    expect(loop!.settings.events).toEqual([demand[0]!.time + 1440 * 60_000]);
    const [decision] = await loop!.tick(demand[0]!.time + (1440 + 600) * 60_000);
    expect(decision!.requested).toBeGreaterThan(0);
    expect(lambda.stats('delivery-register-device')).toMatchObject({ provisionedConcurrency: 0 });
  });
});
