import { createHash } from 'node:crypto';
import type { Finding } from '../findings.ts';
import type { SloDefinition } from './definitions.ts';
import type { AlertTransition, WindowBurn } from './tracker.ts';

const iso = (ms: number) => new Date(ms).toISOString();

function formatMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;

function windowEvidence(window: WindowBurn) {
  return { window: formatMinutes(window.minutes), ...window };
}

/**
 * 0.5 right at the threshold, approaching 1 as the slower of the two windows burns further above it: the pair
 * only fires when both exceed it, so the lower burn rate is what the alert is sure of.
 */
function confidence(transition: AlertTransition): number {
  const excess = Math.min(transition.long.burnRate, transition.short.burnRate) / transition.alert.burnRate;
  return Math.min(1, Math.max(0, 1 - 0.5 / excess));
}

/** A firing burn-rate alert as a finding for the dashboard, the policies and the incident chat. */
export function burnAlertFinding(transition: AlertTransition, slo: SloDefinition): Finding {
  const { alert, long, short, budget } = transition;
  const firstSeen = iso(transition.firstBadMs);
  const id = createHash('sha256')
    .update(`slo_burn|${slo.id}|${alert.name}|${firstSeen}`)
    .digest('hex')
    .slice(0, 24);
  const summary =
    `${slo.id}: ${alert.name} — error budget burning ${long.burnRate.toFixed(1)}× over ` +
    `${formatMinutes(long.minutes)} and ${short.burnRate.toFixed(1)}× over ${formatMinutes(short.minutes)} ` +
    `(alert above ${alert.burnRate}×); ${percent(budget.consumedFraction)} of the ` +
    `${formatMinutes(slo.windowMinutes)} budget spent`;
  return {
    id,
    kind: 'slo_burn',
    subject: { slo: slo.id },
    firstSeen,
    detectedAt: iso(transition.atMs),
    score: confidence(transition),
    severity: alert.action === 'page' ? 'critical' : 'warning',
    summary,
    evidence: {
      alert: alert.name,
      action: alert.action,
      thresholdBurnRate: alert.burnRate,
      sli: slo.sli,
      objective: slo.objective,
      sloWindow: formatMinutes(slo.windowMinutes),
      windows: { long: windowEvidence(long), short: windowEvidence(short) },
      budget,
    },
    mitigation: alert.action === 'page' ? 'page_on_call' : 'open_ticket',
  };
}

export { formatMinutes };
