import { describe, expect, it } from 'vitest';
import { compileFilterPattern, type LogEvent, type LogEventSource } from '../sources/log-events.ts';
import { rollbackAudit, rollbacksIn } from './rollback-finding.ts';

const GROUP = '/boundless/deployments';
const T0 = Date.UTC(2026, 11, 5, 9);

function step(step: string, atMs: number, extra: Record<string, unknown> = {}): LogEvent {
  return {
    logGroup: GROUP,
    timestampMs: atMs,
    eventId: `e-${atMs}`,
    message: JSON.stringify({
      type: 'deployment',
      step,
      id: 'deploy-1',
      functionName: 'fn-a',
      version: 'v3',
      previousVersion: 'v2',
      status: step === 'canary_started' ? 'canary' : step,
      startedAt: new Date(T0).toISOString(),
      canary: { invocations: 8, errors: 0, p99Ms: 40, percent: 10 },
      ...extra,
    }),
  };
}

/** The log group in memory, filtered as CloudWatch Logs (and the local adapter) filter it. */
function source(events: LogEvent[]): LogEventSource {
  return {
    kind: 'local',
    async *filter(query) {
      const matches = compileFilterPattern(query.filterPattern);
      for (const e of events)
        if (e.timestampMs >= query.startMs && e.timestampMs < query.endMs && matches(e.message)) yield e;
    },
    insights: async () => [],
  };
}

describe('rolled-back deploys as findings', () => {
  it('raises one per rollback with what the guard measured and the steps it can cite; skips other lines', async () => {
    const started = step('canary_started', T0 + 5);
    const rolledBack = step('rolled_back', T0 + 4_000, {
      endedAt: new Date(T0 + 4_000).toISOString(),
      reason: 'SLO fast burn: api-availability, api-latency',
      canary: { invocations: 8, errors: 2, p99Ms: 120, percent: 10 },
    });
    const junk: LogEvent = { logGroup: GROUP, timestampMs: T0 + 10, eventId: 'junk', message: 'not json {' };
    const all = [started, junk, rolledBack];
    const findings = await rollbacksIn(source(all), [junk, rolledBack]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      kind: 'deploy_rolled_back',
      subject: { functionName: 'fn-a' },
      firstSeen: new Date(T0).toISOString(),
      detectedAt: new Date(T0 + 4_000).toISOString(),
      evidence: {
        version: 'v3',
        guard: 'slo_fast_burn',
        sloBurning: ['api-availability', 'api-latency'],
        errorRatePercent: 25,
        p99Ms: 120,
        steps: [
          { name: 'canary_started', eventId: started.eventId },
          { name: 'rolled_back', eventId: rolledBack.eventId },
        ],
      },
    });
    expect(rollbackAudit(findings[0]!)).toMatchObject({
      action: 'deploy:rolled_back',
      subject: 'fn-a@v3',
      detail: { findingId: findings[0]!.id },
    });
    // The same deploy read again names the same finding (the store keeps it once).
    expect((await rollbacksIn(source(all), [rolledBack]))[0]?.id).toBe(findings[0]!.id);
    // A promoted deploy is not a finding.
    expect(await rollbacksIn(source(all), [step('promoted', T0 + 6_000)])).toEqual([]);
  });

  it('raises a failed deploy too: critical when the alias could not be moved back, a warning when it was', async () => {
    const started = step('canary_started', T0 + 5);
    const stuck = step('failed', T0 + 2_000, {
      endedAt: new Date(T0 + 2_000).toISOString(),
      reason: 'version v3 not found; the alias could not be moved back: emulator unreachable',
    });
    const [finding] = await rollbacksIn(source([started, stuck]), [stuck]);
    expect(finding).toMatchObject({
      kind: 'deploy_failed',
      severity: 'critical',
      subject: { functionName: 'fn-a' },
      evidence: {
        aliasRestored: false,
        previousVersion: 'v2',
        steps: [
          { name: 'canary_started', eventId: started.eventId },
          { name: 'failed', eventId: stuck.eventId },
        ],
      },
      mitigation: 'none: route the alias back by hand',
    });
    expect(finding?.summary).toMatch(/could not be moved back/);
    expect(finding?.evidence).not.toHaveProperty('guard');
    expect(rollbackAudit(finding!)).toMatchObject({ action: 'deploy:failed', subject: 'fn-a@v3' });

    const restored = step('failed', T0 + 3_000, { reason: 'routing the alias timed out' });
    const [second] = await rollbacksIn(source([started, restored]), [restored]);
    expect(second).toMatchObject({
      kind: 'deploy_failed',
      severity: 'warning',
      evidence: { aliasRestored: true },
    });
    // A failure and a rollback of the same deploy are two findings, not one.
    const rolledBack = step('rolled_back', T0 + 4_000, { reason: 'error rate 30% over 1%' });
    expect((await rollbacksIn(source([started, rolledBack]), [rolledBack]))[0]?.id).not.toBe(second?.id);
  });
});
