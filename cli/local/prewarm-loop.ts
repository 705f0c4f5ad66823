import {
  type DemandReader,
  type LiveDecision,
  LivePrewarmer,
  type PrewarmDecisionLog,
} from '@boundless/copilot/prewarm';
import { functionNameOf, type LocalDelivery, type LocalTunables } from '@boundless/local';
import type { LocalCopilot } from '@boundless/local/copilot';

export interface LocalPrewarmOptions {
  /** Plan and audit only. */
  dryRun: boolean;
  /** The release calendar's starts (epoch ms), from `--prewarm-events`. */
  events?: readonly number[];
}

/**
 * The copilot's every-minute pre-warming loop on the local stack: demand from the functions' own log lines,
 * provisioned concurrency set on the Lambda emulator, each change in the copilot's audit trail. Functions whose
 * provisioned concurrency tunables.json sets are left to it (an approved change set owns them).
 */
export function localPrewarmer(
  delivery: Pick<LocalDelivery, 'emulator'>,
  copilot: {
    demand: DemandReader;
    store: Pick<LocalCopilot['store'], 'appendAudit'>;
    decisions?: PrewarmDecisionLog;
  },
  tunables: LocalTunables,
  { dryRun, events = [] }: LocalPrewarmOptions,
): LivePrewarmer | undefined {
  const pinned = new Set(
    Object.entries(tunables.lambda.functions)
      .filter(([, settings]) => settings.provisionedConcurrency)
      .map(([handler]) => functionNameOf(handler)),
  );
  const functions = delivery.emulator.functionNames().filter((name) => !pinned.has(name));
  if (functions.length === 0) {
    copilot.decisions?.attach(null, 'tunables.json sets the provisioned concurrency of every function');
    return undefined;
  }
  const loop = new LivePrewarmer(
    { functions, dryRun, events: [...events] },
    {
      demand: copilot.demand,
      target: delivery.emulator,
      audit: (entry) => copilot.store.appendAudit(entry),
      onAuditError: (error) => process.stderr.write(`prewarm: ${(error as Error).message}\n`),
      ...(copilot.decisions ? { decisions: copilot.decisions } : {}),
    },
  );
  copilot.decisions?.attach(loop.settings);
  return loop;
}

/** What `boundless start` prints of a tick: applied changes and failures. */
function printDecisions(decisions: readonly LiveDecision[], dryRun: boolean): void {
  for (const d of decisions) {
    const change = `${d.functionName} provisioned concurrency ${d.previous ?? 0} → ${d.requested} (forecast p90 ${d.upper.toFixed(1)})`;
    if (d.applied) process.stdout.write(`prewarm: ${change}\n`);
    else if (dryRun && !d.error && d.requested !== d.previous && (d.previous !== null || d.requested > 0))
      process.stdout.write(`prewarm (dry run): ${change}\n`);
    else if (d.error) process.stderr.write(`prewarm: ${d.functionName}: ${d.error}\n`);
  }
}

/** Starts the loop on the wall clock; `stop()` waits for a tick in progress. */
export async function startLocalPrewarming(
  delivery: Pick<LocalDelivery, 'emulator'>,
  copilot: Pick<LocalCopilot, 'pipeline' | 'store' | 'prewarmDecisions'>,
  tunables: LocalTunables,
  options: LocalPrewarmOptions,
): Promise<{ stop(): Promise<void> }> {
  const { dryRun } = options;
  const { lambdaDemand } = await import('@boundless/copilot/ops');
  const loop = localPrewarmer(
    delivery,
    {
      demand: lambdaDemand(copilot.pipeline.ops.lambdas),
      store: copilot.store,
      decisions: copilot.prewarmDecisions,
    },
    tunables,
    options,
  );
  if (!loop) return { stop: async () => {} };
  process.stdout.write(
    `prewarm: re-planning provisioned concurrency of ${loop.settings.functions.length} function(s) every minute${dryRun ? ' (dry run: nothing changes)' : ''}; --prewarm off stops it\n`,
  );
  loop.start(
    Date.now,
    (decisions) => printDecisions(decisions, dryRun),
    (error) => process.stderr.write(`prewarm: tick failed: ${(error as Error).message}\n`),
  );
  return loop;
}
