import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { XRayClient } from '@aws-sdk/client-xray';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type CopilotConfig, CopilotConfigError, loadCopilotConfig } from '../config/copilot-config.ts';
import { loadMitigationConfig } from '../mitigation/config.ts';
import { DeliveryAdminPort } from '../mitigation/delivery-admin-port.ts';
import type { MitigationPort } from '../mitigation/types.ts';
import { RoutingMitigationPort, WafIpSetPort } from '../mitigation/waf-port.ts';
import { type DetectionFeed, sqsDetectionFeed } from '../pipeline/detection-feed.ts';
import { kinesisRealtimeFeed, type RecordFeed, s3StandardLogFeed } from '../pipeline/feeds.ts';
import { CopilotPipeline } from '../pipeline/pipeline.ts';
import { loadSloDefinitions } from '../slo/definitions.ts';
import { chatPartsFrom, loadRunbooks } from '../chat/registry-tools.ts';
import { createIncidentService } from '../incidents/create.ts';
import { AwsTelemetry, type ToolContext } from '../tools/index.ts';
import { AwsLogEventSource } from '../sources/cloudwatch-logs-aws.ts';
import { AwsTraceSource } from '../sources/traces.ts';
import { CopilotStore } from '../state/copilot-store.ts';
import {
  type ChangeSetFlowOptions,
  ChangeSetProposalSink,
  type ChangeSetService,
  createChangeSetFlow,
  tickEvery,
} from '../changes/index.ts';
import { S3ReportStore } from '../report/report-s3.ts';
import { awsClientConfig } from '../sources/aws-client.ts';
import { AwsCostSource } from '../sources/cost.ts';
import { awsMetricReader } from './aws-telemetry.ts';
import type { ReportReader } from './report-routes.ts';
import { type CopilotService, startCopilotService } from './server.ts';
import { clientCredentialsToken } from './service-token.ts';
import { awsPrewarmer, startAwsPrewarming } from './aws-prewarm.ts';
import { PrewarmDecisionLog } from '../prewarm/decision-log.ts';
import type { LivePrewarmer } from '../prewarm/live.ts';

/**
 * The copilot against an AWS account (COPILOT_MODE=aws, the variables of copilot/README.md): the same
 * pipeline and service as `boundless start` runs locally, with the AWS adapters. infra/ runs it on ECS Fargate.
 */
export interface AwsCopilotClients {
  dynamo: DynamoDBClient;
  s3: S3Client;
  kinesis: KinesisClient;
  logs: CloudWatchLogsClient;
  waf: WAFV2Client;
  /** X-Ray, where the incident chat opens cited traces. @default a client in the copilot's region */
  xray?: XRayClient;
  /** Cost Explorer, the bill a change's realised saving is checked on. @default a client in us-east-1 */
  costExplorer?: CostExplorerClient;
  /** CloudWatch in the copilot's region (API Gateway, Lambda metrics). @default a client in the region */
  cloudWatch?: CloudWatchClient;
  /** CloudWatch where CloudFront publishes. @default a client in us-east-1 */
  cloudWatchEdge?: CloudWatchClient;
  /** SQS, where the scale-out detections arrive (COPILOT_DETECTION_QUEUE_URL). @default a client in the region */
  sqs?: SQSClient;
  /** Lambda, where the pre-warming loop sets provisioned concurrency. @default a client in the region */
  lambda?: LambdaClient;
  fetch?: typeof fetch;
}

/**
 * What the composition root adds (infra's service entry, which may import infra): the change-set flow with
 * the documents it may patch (the tunables, applied through CloudFormation change sets), and the reports.
 */
export interface AwsCopilotOptions {
  /** Without it proposals stay pending (PendingProposalStore) and the change-set routes are not served. */
  changeSets?: ChangeSetFlowOptions;
  /** @default the reports bucket COPILOT_REPORT_BUCKET names (S3ReportStore), else none */
  reports?: ReportReader;
}

export interface AwsCopilot {
  service: CopilotService;
  pipeline: CopilotPipeline;
  changeSets?: ChangeSetService;
  /** The pre-warming loop, within the approved bounds (COPILOT_PREWARM_*); none when its mode is off. */
  prewarm?: LivePrewarmer;
  close(): Promise<void>;
}

type Env = Record<string, string | undefined>;

export { AwsMetricReader, awsMetricReader, awsReportInputs } from './aws-telemetry.ts';

/** The service token for the admin API: Cognito client credentials (COPILOT_SERVICE_TOKEN_URL, ..._CLIENT_*). */
function serviceToken(env: Env, doFetch?: typeof fetch) {
  const tokenUrl = env.COPILOT_SERVICE_TOKEN_URL;
  const clientId = env.COPILOT_SERVICE_CLIENT_ID;
  const clientSecret = env.COPILOT_SERVICE_CLIENT_SECRET;
  if (!tokenUrl || !clientId || !clientSecret)
    throw new CopilotConfigError(
      'aws mode needs COPILOT_SERVICE_TOKEN_URL, COPILOT_SERVICE_CLIENT_ID and COPILOT_SERVICE_CLIENT_SECRET for the admin API',
    );
  return clientCredentialsToken({
    tokenUrl,
    clientId,
    clientSecret,
    ...(env.COPILOT_SERVICE_SCOPE ? { scope: env.COPILOT_SERVICE_SCOPE } : {}),
    ...(doFetch ? { fetch: doFetch } : {}),
  });
}

function defaultAwsClients(config: CopilotConfig): AwsCopilotClients {
  const region = config.region;
  return {
    dynamo: new DynamoDBClient({ region }),
    s3: new S3Client({ region }),
    kinesis: new KinesisClient({ region }),
    logs: new CloudWatchLogsClient({ region }),
    // CloudFront-scoped IP sets are served from us-east-1 whatever the copilot's region.
    waf: new WAFV2Client({ region: 'us-east-1' }),
    xray: new XRayClient({ region }),
  };
}

export async function startAwsCopilot(
  env: Env = process.env,
  clients?: (config: CopilotConfig) => AwsCopilotClients,
  options: AwsCopilotOptions = {},
): Promise<AwsCopilot> {
  const config = loadCopilotConfig({ mode: 'aws' }, env);
  if (!config.adminApiUrl) throw new CopilotConfigError('aws mode needs COPILOT_ADMIN_API_URL');
  const c = (clients ?? defaultAwsClients)(config);
  // Configuration problems fail the start before anything is opened.
  const bearerToken = serviceToken(env, c.fetch);
  const store = await CopilotStore.open(c.dynamo, config.tableName);
  const prewarmDecisions = new PrewarmDecisionLog();
  const prewarm = awsPrewarmer(config, {
    ...(c.lambda ? { lambda: c.lambda } : {}),
    ...(c.cloudWatch ? { cloudWatch: c.cloudWatch } : {}),
    audit: (entry) => store.appendAudit(entry),
    decisions: prewarmDecisions,
  });
  const feeds: RecordFeed[] = [];
  if (config.aws.logBucket)
    feeds.push(
      s3StandardLogFeed(c.s3, {
        bucket: config.aws.logBucket,
        prefix: config.aws.logPrefix,
        checkpoints: store,
      }),
    );
  if (config.aws.kinesisStream)
    feeds.push(kinesisRealtimeFeed(c.kinesis, { streamName: config.aws.kinesisStream, checkpoints: store }));
  // The scale-out detectors' findings (EventBridge -> SQS), decided on like the pipeline's own.
  const detectionFeeds: DetectionFeed[] = config.aws.detectionQueueUrl
    ? [
        sqsDetectionFeed(c.sqs ?? new SQSClient(awsClientConfig({ region: config.region })), {
          queueUrl: config.aws.detectionQueueUrl,
        }),
      ]
    : [];
  let port: MitigationPort = new DeliveryAdminPort({
    apiUrl: config.adminApiUrl,
    bearerToken,
    ...(c.fetch ? { fetch: c.fetch } : {}),
  });
  const { wafBlockIpSet, wafRateLimitIpSet } = config.aws;
  if (wafBlockIpSet && wafRateLimitIpSet)
    port = new RoutingMitigationPort(
      port,
      new WafIpSetPort(c.waf, { block: wafBlockIpSet, rateLimit: wafRateLimitIpSet }),
    );
  const mitigation = loadMitigationConfig();
  if (config.dryRun !== undefined) mitigation.guardrails.dryRun = config.dryRun;
  // The access API functions' log groups, named by the deployment (infra sets them).
  const apiLogGroups = config.aws.apiLogGroups;
  const logs = new AwsLogEventSource(c.logs);
  const pipeline = new CopilotPipeline({
    store,
    feeds,
    detectionFeeds,
    port,
    mitigation,
    slo: await loadSloDefinitions(),
    pollIntervalMs: config.pollIntervalMs,
    apiLogs: {
      source: logs,
      logGroups: async () => apiLogGroups,
    },
  });
  // The incident chat: offline unless COPILOT_BEDROCK_MODEL_ID (or an OpenAI-compatible endpoint) is set.
  // Its tools read CloudWatch Logs (Logs Insights) and X-Ray, within the deployment's log groups when named.
  const traces = new AwsTraceSource(c.xray ?? new XRayClient({ region: config.region }));
  const tools: ToolContext = {
    telemetry: new AwsTelemetry(c.logs, traces, apiLogGroups.length ? { groupPrefixes: apiLogGroups } : {}),
    findings: store,
    slo: { report: async () => pipeline.sloSnapshot() },
    ...(await loadRunbooks()),
    now: Date.now,
  };
  const doc = DynamoDBDocumentClient.from(c.dynamo, { marshallOptions: { removeUndefinedValues: true } });
  // Savings are checked against Cost Explorer, the bill the daily report reads in AWS; applied changes are
  // verified on CloudWatch metrics of the deployment (a metric CloudWatch lacks reads as insufficient data).
  const changeSets = options.changeSets
    ? createChangeSetFlow({
        doc,
        tableName: config.tableName,
        audit: store,
        sloSnapshot: () => pipeline.sloSnapshot(),
        mitigations: pipeline.engine,
        policies: mitigation.policies,
        options: {
          costs: new AwsCostSource(c.costExplorer ?? new CostExplorerClient({ region: 'us-east-1' })),
          metrics: awsMetricReader(config, c),
          ...options.changeSets,
        },
      })
    : undefined;
  const reportBucket = config.aws.reportBucket;
  const reports =
    options.reports ?? (reportBucket ? new S3ReportStore(c.s3, { bucket: reportBucket }) : undefined);
  const incidents = createIncidentService({
    doc,
    tableName: config.tableName,
    copilot: store,
    chat: config.chat,
    region: config.region,
    // With the change-set flow, a promoted suggestion is a change set someone else approves.
    ...(changeSets ? { proposals: new ChangeSetProposalSink(changeSets) } : {}),
    ...chatPartsFrom(tools),
    sources: {
      logs,
      logGroups: async () => apiLogGroups,
      traces,
      findings: async (id) => (await store.listFindings(1000)).find((finding) => finding.id === id),
    },
  });
  const service = await startCopilotService({
    ...(changeSets ? { changeSets } : {}),
    ...(reports ? { reports } : {}),
    store,
    pipeline,
    incidents,
    identity: {
      issuer: config.identity.issuer,
      audience: config.identity.audience,
      ...(config.identity.jwksUrl ? { jwksUrl: config.identity.jwksUrl } : {}),
    },
    host: config.host,
    port: config.port,
    bodyLimitBytes: config.bodyLimitBytes,
    ...(config.dashboardDir ? { dashboardDir: config.dashboardDir } : {}),
    prewarmDecisions,
  });
  await pipeline.start();
  if (prewarm) startAwsPrewarming(prewarm);
  const stopTicking = changeSets
    ? tickEvery(changeSets, options.changeSets?.tickIntervalMs ?? 15_000)
    : undefined;
  return {
    service,
    pipeline,
    ...(changeSets ? { changeSets } : {}),
    ...(prewarm ? { prewarm } : {}),
    close: async () => {
      await prewarm?.stop();
      await stopTicking?.();
      await pipeline.stop();
      await service.close();
    },
  };
}
