import { functionNameOf, type LocalDelivery, type LocalTunables } from '@boundless/local';
import type { LocalCopilot } from '@boundless/local/copilot';

/**
 * The copilot's every-minute pre-warming loop on the local stack: demand from the functions' own log lines,
 * provisioned concurrency set on the Lambda emulator, each change in the copilot's audit trail. Functions whose
 * provisioned concurrency tunables.json sets are left to it (an approved change set owns them).
 */
export async function startLocalPrewarming(
  delivery: Pick<LocalDelivery, 'emulator'>,
  copilot: Pick<LocalCopilot, 'pipeline' | 'store'>,
  tunables: LocalTunables,
  dryRun: boolean,
): Promise<{ stop(): Promise<void> }> {
  const { LivePrewarmer } = await import('@boundless/copilot/prewarm');
  const { lambdaDemand } = await import('@boundless/copilot/ops');
  const pinned = new Set(
    Object.entries(tunables.lambda.functions)
      .filter(([, settings]) => settings.provisionedConcurrency)
      .map(([handler]) => functionNameOf(handler)),
  );
  const functions = delivery.emulator.functionNames().filter((name) => !pinned.has(name));
  if (functions.length === 0) return { stop: async () => {} };
  const loop = new LivePrewarmer(
    { functions, dryRun },
    {
      demand: lambdaDemand(copilot.pipeline.ops.lambdas),
      target: delivery.emulator,
      audit: (entry) => copilot.store.appendAudit(entry),
      onAuditError: (error) => process.stderr.write(`prewarm: ${(error as Error).message}\n`),
    },
  );
  loop.start(
    Date.now,
    (decisions) => {
      for (const d of decisions) {
        if (d.applied)
          process.stdout.write(
            `prewarm: ${d.functionName} provisioned concurrency ${d.previous ?? 0} → ${d.requested} (forecast p90 ${d.upper.toFixed(1)})\n`,
          );
        else if (d.error) process.stderr.write(`prewarm: ${d.functionName}: ${d.error}\n`);
      }
    },
    (error) => process.stderr.write(`prewarm: tick failed: ${(error as Error).message}\n`),
  );
  return loop;
}
