import { createHash } from 'node:crypto';
import type { Finding } from '../findings.ts';
import type { AnomalyPoint } from './views.ts';

const iso = (ms: number) => new Date(ms).toISOString();

function significant(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : value;
}

const VIEW_TEXT = {
  value: 'beyond every value of its memory',
  mean: 'its recent mean is beyond every such mean of its memory',
  daily_profile: 'it departs from its daily profile more than ever before',
  volatility: 'its step-to-step volatility is beyond anything in its memory',
  median: 'its recent median is beyond every such median of its memory',
  log_value: 'on a multiplicative scale it is beyond every value of its memory',
  flat_line: 'it has repeated one value for longer than ever before',
} as const;

/**
 * A raised metric anomaly as a finding: the series names the subject; the evidence holds the point's
 * timestamp, value, the view that raised it and the expected band of the value. Critical from a score of 0.8
 * (evidence four times the alarm level), warning below.
 */
export function anomalyFinding(series: string, point: AnomalyPoint): Finding {
  const detectedAt = iso(point.timestamp);
  const id = createHash('sha256').update(`metric_anomaly|${series}|${detectedAt}`).digest('hex').slice(0, 24);
  const direction = point.value > point.upper ? 'above' : point.value < point.lower ? 'below' : 'outside';
  const band = { lower: significant(point.lower), upper: significant(point.upper) };
  return {
    id,
    kind: 'metric_anomaly',
    subject: { series },
    firstSeen: detectedAt,
    detectedAt,
    score: Math.min(1, Math.max(0, point.score)),
    severity: point.score >= 0.8 ? 'critical' : 'warning',
    summary: `${series}: ${significant(point.value)} at ${detectedAt} is ${direction} the expected band ${band.lower}..${band.upper} (expected ${significant(point.expected)})${point.view ? `; ${VIEW_TEXT[point.view]}` : ''}`,
    evidence: {
      timestamp: detectedAt,
      value: point.value,
      view: point.view ?? null,
      expected: significant(point.expected),
      band,
    },
  };
}
