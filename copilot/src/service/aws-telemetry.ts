import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { S3Client } from '@aws-sdk/client-s3';
import { type MetricMeasurement, type MetricReader, measureWindows } from '../changes/ports.ts';
import { DEPLOYED_TUNABLES_KEY, S3JsonDocument } from '../changes/s3-document.ts';
import { type CopilotConfig, CopilotConfigError } from '../config/copilot-config.ts';
import { newParseStats } from '../logs/cloudfront-line.ts';
import type { EdgeLogWindowSource } from '../report/edge-logs.ts';
import { TelemetryMetricReader } from '../report/telemetry-metrics.ts';
import { awsClientConfig } from '../sources/aws-client.ts';
import { S3CloudFrontLogWindow } from '../sources/cloudfront-s3-window.ts';
import { AwsLogEventSource } from '../sources/cloudwatch-logs-aws.ts';
import { CloudWatchMetricReader } from '../sources/cloudwatch-metrics-aws.ts';
import { AwsCostSource } from '../sources/cost.ts';
import { S3ContentRecency } from '../sources/s3-content-recency.ts';

/** The clients the AWS telemetry readers use; each defaults to one in the copilot's region (CloudFront's: us-east-1). */
export interface AwsTelemetryClients {
  s3?: S3Client;
  logs?: CloudWatchLogsClient;
  cloudWatch?: CloudWatchClient;
  cloudWatchEdge?: CloudWatchClient;
  costExplorer?: CostExplorerClient;
}

/** Metrics measured from logs in AWS: CloudWatch publishes none of them (or only per distribution). */
const EDGE_FROM_LOGS = new Set([
  'edge.hit_ratio',
  'edge.origin_bytes',
  'edge.origin_fetches',
  'edge.upstream_requests',
]);
const LAMBDA_FROM_LOGS = new Set(['lambda.gb_seconds', 'lambda.cold_starts']);
/** CloudFront delivers a distribution's standard logs "up to several times an hour", usually within the hour. */
const STANDARD_LOG_DELAY_MS = 3_600_000;

/**
 * How a change set is verified in AWS. The edge metrics come from the CloudFront standard logs in the logs
 * bucket, per cache behaviour (CloudWatch has the hit ratio per distribution only, and no origin bytes or
 * fetches); GB-seconds and cold starts from the functions' `platform.report` records in CloudWatch Logs; API
 * throttles from the stage's access log when it is named (429s; CloudWatch has only 4xx), else CloudWatch; duration
 * p99 from CloudWatch (an exact percentile, within minutes). Without a logs bucket
 * the hit ratio falls back to CloudWatch's distribution-wide one, and the origin metrics have no data.
 */
export class AwsMetricReader implements MetricReader {
  constructor(
    private readonly cloudWatch: MetricReader,
    private readonly fromLogs: {
      edge?: MetricReader;
      /** The log groups' reader: the functions' REPORT records and the stage's access log. */
      logGroups: MetricReader;
      patterns: readonly string[];
      /** The stage's access log is configured: 429s per route, rather than CloudWatch's 4xx. */
      throttlesFromLogs?: boolean;
    },
  ) {}

  /** CloudFront delivers standard logs within about an hour: a window measured from them waits that long. */
  settleMs(metric: string, scope: Record<string, string>): number {
    const route = this.route(metric, scope);
    return 'reader' in route ? route.settleMs : 0;
  }

  async measure(
    metric: string,
    scope: Record<string, string>,
    fromMs: number,
    toMs: number,
  ): Promise<MetricMeasurement> {
    const route = this.route(metric, scope);
    return 'reader' in route ? route.reader.measure(metric, scope, fromMs, toMs) : route.noData;
  }

  /** Verification's two windows from the reader that measures the metric: the logs bucket read once for both. */
  async measureWindows(
    metric: string,
    scope: Record<string, string>,
    windows: readonly (readonly [fromMs: number, toMs: number])[],
  ): Promise<MetricMeasurement[]> {
    const route = this.route(metric, scope);
    return 'reader' in route
      ? measureWindows(route.reader, metric, scope, windows)
      : windows.map(() => route.noData);
  }

  /** Which reader measures a metric, and how late its data arrives; or why there is no data. One decision for both. */
  private route(
    metric: string,
    scope: Record<string, string>,
  ): { reader: MetricReader; settleMs: number } | { noData: MetricMeasurement } {
    const { edge, patterns, logGroups, throttlesFromLogs } = this.fromLogs;
    if (EDGE_FROM_LOGS.has(metric)) {
      // Without the behaviours' patterns a path cannot be put under its behaviour.
      if (edge && (!scope.pattern || patterns.includes(scope.pattern)))
        return { reader: edge, settleMs: STANDARD_LOG_DELAY_MS };
      if (metric !== 'edge.hit_ratio')
        return {
          noData: {
            value: null,
            samples: 0,
            unit: edge
              ? `no data: ${scope.pattern} is not among COPILOT_CACHE_PATTERNS`
              : 'no data: no logs bucket configured (COPILOT_LOG_BUCKET)',
          },
        };
    }
    if (LAMBDA_FROM_LOGS.has(metric) || (metric === 'api.throttles' && throttlesFromLogs))
      return { reader: logGroups, settleMs: 0 };
    return { reader: this.cloudWatch, settleMs: 0 };
  }
}

/** For the Lambda metrics when there is no logs bucket: they read no edge logs. */
const NO_EDGE_LOGS: EdgeLogWindowSource = {
  readWindow: async (_from, _to, _onRecord, stats = newParseStats()) => ({
    files: 0,
    unreadableFiles: 0,
    stats,
  }),
};

/** The verification metrics of the deployment: logs where CloudWatch lacks them (AwsMetricReader). */
export function awsMetricReader(
  config: CopilotConfig,
  c: AwsTelemetryClients & { s3: S3Client; logs: CloudWatchLogsClient },
) {
  const { distributionId, httpApiId, httpApiStage, logBucket, logPrefix, cachePatterns, apiAccessLogGroup } =
    config.aws;
  const cloudWatch = new CloudWatchMetricReader({
    regional: c.cloudWatch ?? new CloudWatchClient(awsClientConfig({ region: config.region })),
    edge: c.cloudWatchEdge ?? new CloudWatchClient(awsClientConfig({ region: 'us-east-1' })),
    ...(distributionId ? { distributionId } : {}),
    ...(httpApiId ? { httpApiId } : {}),
    httpApiStage,
  });
  const logs = new AwsLogEventSource(c.logs);
  const telemetry = (edgeLogs: EdgeLogWindowSource) =>
    new TelemetryMetricReader({
      edgeLogs,
      logs,
      patterns: () => cachePatterns,
      apiAccessLogGroup: apiAccessLogGroup ?? '',
    });
  const edge = logBucket
    ? telemetry(
        new S3CloudFrontLogWindow(c.s3, {
          bucket: logBucket,
          prefix: logPrefix,
          ...(distributionId ? { distributionId } : {}),
        }),
      )
    : undefined;
  const logGroups = edge ?? telemetry(NO_EDGE_LOGS);
  return new AwsMetricReader(cloudWatch, {
    ...(edge ? { edge } : {}),
    logGroups,
    patterns: cachePatterns,
    throttlesFromLogs: apiAccessLogGroup !== undefined,
  });
}

/**
 * What the daily report reads in AWS (COPILOT_MODE=aws, the report task): the functions' log groups
 * (COPILOT_API_LOG_GROUPS) and the access API's (COPILOT_API_ACCESS_LOG_GROUP) in CloudWatch Logs for the
 * throttling and right-sizing sections, Cost Explorer for the cost section, the CloudFront standard logs under
 * COPILOT_LOG_BUCKET / COPILOT_LOG_PREFIX for the cache section, and the content bucket COPILOT_CONTENT_BUCKET
 * with its server access logs (COPILOT_CONTENT_ACCESS_LOG_PREFIX in the logs bucket) for the storage section, and
 * the deployed tunables the change sets apply (in COPILOT_REPORT_BUCKET) for the current TTLs, days and limits.
 */
export function awsReportInputs(config: CopilotConfig, clients: AwsTelemetryClients = {}) {
  const {
    apiAccessLogGroup,
    apiLogGroups: lambdaLogGroups,
    logBucket,
    logPrefix,
    distributionId,
    contentBucket,
    contentAccessLogPrefix,
    reportBucket,
  } = config.aws;
  if (!apiAccessLogGroup)
    throw new CopilotConfigError(
      'the report in AWS needs COPILOT_API_ACCESS_LOG_GROUP (the access API log group)',
    );
  const region = config.region;
  const s3 = clients.s3 ?? new S3Client(awsClientConfig({ region }));
  return {
    logs: {
      source: new AwsLogEventSource(clients.logs ?? new CloudWatchLogsClient(awsClientConfig({ region }))),
      lambdaLogGroups,
      apiAccessLogGroup,
    },
    costs: new AwsCostSource(
      clients.costExplorer ?? new CostExplorerClient(awsClientConfig({ region: 'us-east-1' })),
    ),
    costLabel: 'AWS Cost Explorer',
    ...(logBucket
      ? {
          edgeLogs: new S3CloudFrontLogWindow(s3, {
            bucket: logBucket,
            prefix: logPrefix,
            ...(distributionId ? { distributionId } : {}),
          }),
        }
      : {}),
    // The tunables in force: those the change sets apply, when the copilot has stored them (else the image's).
    ...(reportBucket
      ? {
          tunables: new S3JsonDocument(s3, { bucket: reportBucket, key: DEPLOYED_TUNABLES_KEY }),
        }
      : {}),
    ...(logBucket && contentBucket
      ? {
          storage: new S3ContentRecency(s3, {
            contentBucket,
            logBucket,
            logPrefix: contentAccessLogPrefix,
          }),
        }
      : {}),
  };
}
