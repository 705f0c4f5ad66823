import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Finding } from '../findings.ts';
import type { AuditEntry } from '../state/copilot-store.ts';
import type { LogEvent, LogEventSource } from '../sources/log-events.ts';
import { copilotLogger } from '../logger.ts';

const log = copilotLogger('deploys');

/** One step of a canary deploy as its log line says it (`{type:'deployment', step, ...deployment}`). */
const deployStep = z.object({
  type: z.literal('deployment'),
  step: z.string(),
  id: z.string().min(1),
  functionName: z.string().min(1),
  version: z.string(),
  previousVersion: z.string(),
  startedAt: z.string().datetime(),
  endedAt: z.string().datetime().optional(),
  reason: z.string().optional(),
  canary: z.object({
    invocations: z.number(),
    errors: z.number(),
    p99Ms: z.number().nullable(),
    percent: z.number(),
  }),
});
type DeployStep = z.infer<typeof deployStep>;

function parseStep(event: LogEvent): DeployStep | undefined {
  let json: unknown;
  try {
    json = JSON.parse(event.message);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  const parsed = deployStep.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** Which of the guard's alarms tripped, read from its reason (the guard writes one reason per trip). */
function guardOf(reason: string): { guard: string; sloBurning?: string[] } {
  const slo = /^SLO fast burn: (.+)$/.exec(reason);
  if (slo) return { guard: 'slo_fast_burn', sloBurning: (slo[1] ?? '').split(', ') };
  if (reason.startsWith('error rate')) return { guard: 'error_rate' };
  if (reason.startsWith('p99 duration')) return { guard: 'p99_duration' };
  return { guard: 'other' };
}

/** The steps that end a deploy badly: the guard rolled it back, or the deploy itself broke. */
const BAD_ENDS = new Set(['rolled_back', 'failed']);
/** What the emulator appends when it could not even put the alias back (canary-deploy.ts). */
const ALIAS_STUCK = 'the alias could not be moved back';

/**
 * A canary the guard rolled back, or a deploy that failed (an error while routing or watching it), as a
 * finding: detected at that step's event time, with what the guard measured on the canary and the deploy's step
 * events (log group and event ids) so the chat can cite them. It happened, it is not a guess: score 1. A rollback
 * is a warning (the alias is back on the previous version); a failure is critical when the alias could not be
 * moved back (traffic may still reach the new version), a warning otherwise.
 */
function rollbackFinding(
  rolledBack: { step: DeployStep; event: LogEvent },
  steps: readonly { step: DeployStep; event: LogEvent }[],
): Finding {
  const { step, event } = rolledBack;
  const { canary } = step;
  const failed = step.step === 'failed';
  const kind = failed ? 'deploy_failed' : 'deploy_rolled_back';
  const reason = step.reason ?? (failed ? 'the deploy failed' : 'rolled back by the guard');
  const aliasRestored = !reason.includes(ALIAS_STUCK);
  const detectedAt = new Date(event.timestampMs).toISOString();
  const id = createHash('sha256')
    .update(`${kind}|${step.functionName}|${step.version}|${step.startedAt}`)
    .digest('hex')
    .slice(0, 24);
  const errorRatePercent =
    canary.invocations > 0 ? Math.round((10_000 * canary.errors) / canary.invocations) / 100 : null;
  return {
    id,
    kind,
    subject: { functionName: step.functionName },
    firstSeen: step.startedAt,
    detectedAt,
    score: 1,
    severity: failed && !aliasRestored ? 'critical' : 'warning',
    summary: failed
      ? `Deploy of ${step.functionName} version ${step.version} failed` +
        `${aliasRestored ? ` (alias back on ${step.previousVersion})` : ' and its alias could not be moved back'}: ${reason}`
      : `Deploy of ${step.functionName} version ${step.version} rolled back to ${step.previousVersion} by its ` +
        `guard: ${reason}`,
    evidence: {
      deploymentId: step.id,
      version: step.version,
      previousVersion: step.previousVersion,
      reason,
      ...(failed ? { aliasRestored } : guardOf(reason)),
      canaryPercent: canary.percent,
      invocations: canary.invocations,
      errors: canary.errors,
      errorRatePercent,
      p99Ms: canary.p99Ms,
      window: { from: step.startedAt, to: step.endedAt ?? detectedAt },
      logGroup: event.logGroup,
      steps: steps.map((s) => ({
        name: s.step.step,
        eventId: s.event.eventId,
        at: new Date(s.event.timestampMs).toISOString(),
      })),
    },
    mitigation: failed
      ? aliasRestored
        ? 'alias moved back to the previous version after the failure'
        : 'none: route the alias back by hand'
      : 'alias rolled back by the deploy guard',
  };
}

/** The audit entry beside the finding: the guard acted (or the deploy broke), the copilot recorded it. */
export function rollbackAudit(finding: Finding): AuditEntry {
  const { deploymentId, version, reason } = finding.evidence;
  return {
    at: finding.detectedAt,
    actor: 'system:deploy-guard',
    action: finding.kind === 'deploy_failed' ? 'deploy:failed' : 'deploy:rolled_back',
    subject: `${finding.subject.functionName ?? ''}@${String(version)}`,
    detail: { findingId: finding.id, deploymentId, version, reason },
  };
}

/**
 * The rollbacks and failures among new deploy-log events, each with every step of its deploy (read back from the log group,
 * as the steps may have arrived in earlier batches). Lines that are not deploy steps are counted and skipped.
 */
export async function rollbacksIn(source: LogEventSource, events: readonly LogEvent[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  let skipped = 0;
  for (const event of events) {
    const step = parseStep(event);
    if (!step) skipped += 1;
    if (!step || !BAD_ENDS.has(step.step)) continue;
    const steps: { step: DeployStep; event: LogEvent }[] = [];
    for await (const other of source.filter({
      logGroup: event.logGroup,
      startMs: Date.parse(step.startedAt),
      endMs: event.timestampMs + 1,
      filterPattern: `{ $.id = "${step.id}" }`,
    })) {
      const parsed = parseStep(other);
      if (parsed?.functionName === step.functionName && parsed.startedAt === step.startedAt)
        steps.push({ step: parsed, event: other });
    }
    findings.push(rollbackFinding({ step, event }, steps));
  }
  if (skipped > 0) log.warn('skipped deploy-log lines that are not deploy steps', { skipped });
  return findings;
}
