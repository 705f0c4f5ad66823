/** One metric of an Embedded Metric Format document: its name, CloudWatch unit and value. */
export interface EmfMetric {
  name: string;
  unit: string;
  value: number;
}

/**
 * An Embedded Metric Format document (one directive) as every local stand-in writes its metrics: the `_aws`
 * metadata, then the properties (dimension values and other fields), then each metric's value under its name.
 */
export function emfDocument(
  namespace: string,
  dimensions: string[][],
  atMs: number,
  metrics: readonly EmfMetric[],
  properties: Record<string, unknown>,
) {
  return {
    _aws: {
      Timestamp: atMs,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: dimensions,
          Metrics: metrics.map(({ name, unit }) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    ...properties,
    ...Object.fromEntries(metrics.map((metric) => [metric.name, metric.value])),
  };
}
