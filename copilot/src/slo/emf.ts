/** Namespace and names the CloudWatch burn-rate alarms in infra/ read by default. */
export const SLO_METRIC_NAMESPACE = 'Boundless/Slo';

export interface ClosedMinute {
  sloId: string;
  minuteStartMs: number;
  validEvents: number;
  badEvents: number;
}

/**
 * One closed minute of one SLO as a CloudWatch embedded-metric-format line: printed by a Lambda (or appended to
 * a local log group), it becomes the `ValidEvents`/`BadEvents` Sum metrics with dimension `Slo`.
 */
export function closedMinuteEmf(minute: ClosedMinute): string {
  return JSON.stringify({
    _aws: {
      Timestamp: minute.minuteStartMs,
      CloudWatchMetrics: [
        {
          Namespace: SLO_METRIC_NAMESPACE,
          Dimensions: [['Slo']],
          Metrics: [
            { Name: 'ValidEvents', Unit: 'Count' },
            { Name: 'BadEvents', Unit: 'Count' },
          ],
        },
      ],
    },
    Slo: minute.sloId,
    ValidEvents: minute.validEvents,
    BadEvents: minute.badEvents,
  });
}
