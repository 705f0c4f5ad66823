import { join, resolve } from 'node:path';
import type { RealtimeLogRecord, Role } from '@boundless/delivery';
import { LocalIdentityIssuer } from '@boundless/delivery/identity';
import { startEmbeddedDynamo } from '../dynamo/embedded-dynamo.ts';
import { DEPLOYMENTS_LOG_GROUP } from '../runtime/runtime.ts';
import { type CopilotConfigInput, loadCopilotConfig } from '@boundless/copilot/config';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import {
  DeliveryAdminPort,
  loadMitigationConfig,
  type MitigationPort,
  RoutingMitigationPort,
  WafIpSetPort,
  type WafIpSetRef,
} from '@boundless/copilot/mitigation';
import {
  CopilotPipeline,
  type CopilotPipelineOptions,
  EdgeSinkFeed,
  localStandardLogFeed,
} from '@boundless/copilot/pipeline';
import { loadSloDefinitions } from '@boundless/copilot/slo';
import { CopilotStore } from '@boundless/copilot/state';
import {
  cachedToken,
  type CopilotIo,
  OPERATORS_ROOM,
  type OperatorRole,
  type ReportReader,
  type ReportRunner,
  startCopilotService,
} from '@boundless/copilot/service';
import { listLogGroups } from '@boundless/copilot/telemetry-dir';
import {
  type ChangeSetFlowOptions,
  ChangeSetProposalSink,
  type ChangeSetService,
  createChangeSetFlow,
  tickEvery,
} from '@boundless/copilot/changes';
import {
  awsClientConfig,
  type CostSource,
  LocalCostModel,
  LocalLogEventSource,
  LocalTraceSource,
} from '@boundless/copilot/sources';
import { copilotLogger } from '@boundless/copilot/logger';
import { PrewarmDecisionLog } from '@boundless/copilot/prewarm';
import {
  type AnyCopilotTool,
  type BedrockRuntimeClient,
  chatPartsFrom,
  type Diagnostician,
  loadRunbooks,
} from '@boundless/copilot/chat';
import { LocalTelemetry, type ToolContext } from '@boundless/copilot/tools';
import { createIncidentService, type IncidentService } from '@boundless/copilot/incidents';

const log = copilotLogger('local');

export interface LocalCopilotOptions extends CopilotConfigInput {
  /** The local runtime's access API (its admin routes), e.g. `LocalDelivery.apiUrl`. */
  adminApiUrl: string;
  /** The edge's standard-log folder. @default `<dataDir>/cloudfront` */
  edgeLogDir?: string;
  /** Where the local issuer keeps its key. @default `<dataDir>/keys` */
  keyDir?: string;
  /** The copilot's own DynamoDB (dynalite) folder. @default `<dataDir>/copilot/dynamodb` */
  dynamoDir?: string;
  /**
   * The real-time feed the edge's `realtimeLogSink` pushes into, when it had to exist before the copilot (the
   * edge starts first). @default a new one; pass `LocalCopilot.realtimeSink` to the edge then.
   */
  realtime?: EdgeSinkFeed;
  /**
   * The local runtime's WAFv2 endpoint and web ACL IP sets (`LocalDelivery.waf`): address-only mitigations go
   * there through the production WAF adapter. Without it they can only be refused by the admin API.
   */
  waf?: { url: string; sets: { block: WafIpSetRef; rateLimit: WafIpSetRef } };
  /**
   * The change-set flow: the documents it may patch (the runtime's tunables, ...), the actions it may carry out,
   * and the metrics it verifies on; savings are checked against `costs`, by default the local cost model the
   * daily report reads. Without it the change-set routes are not served.
   */
  changeSets?: ChangeSetFlowOptions;
  /** The daily reports to serve under /api/reports. */
  reports?: ReportReader;
  /** Runs a day's report when an on-call engineer asks (`POST /api/reports/run`): the daily schedule's own run. */
  reportRunner?: ReportRunner;
  /** Detector thresholds and other pipeline knobs, for tests and benchmarks. */
  pipeline?: Pick<CopilotPipelineOptions, 'detectors' | 'arrivalDelayMs' | 'geo' | 'apiLogIntervalMs'>;
  /** The dashboard's production build, served at `/` (see `ensureDashboardBuild`). */
  dashboardDir?: string;
  /**
   * Serve the local sign-in (`/local/*`, which mints owner tokens for anyone who asks) to other machines too.
   * Off by default: with `--host 0.0.0.0` the copilot then refuses it to any caller but this machine.
   */
  allowRemoteSignIn?: boolean;
  /** The incident chat's tools, diagnostician and (tests) a Bedrock client for a local Converse server. */
  incidents?: {
    tools?: AnyCopilotTool[];
    diagnostician?: Diagnostician;
    bedrockClient?: BedrockRuntimeClient;
  };
  env?: Record<string, string | undefined>;
}

export interface LocalCopilot {
  url: string;
  io: CopilotIo;
  pipeline: CopilotPipeline;
  store: CopilotStore;
  incidents: IncidentService;
  /** Pass to the local edge as `realtimeLogSink`: the low-latency feed. */
  realtimeSink: (record: RealtimeLogRecord) => void;
  /** The local stand-in for Cost Explorer (metered usage at list prices): the daily report's cost source. */
  costs: CostSource;
  /** Tells signed-in operators a daily report was stored (event `report.published`). */
  publishReport(summary: { day: string; recommendations: number; estimatedMonthlySavingUsd: number }): void;
  /** The change-set flow, when configured. */
  changeSets?: ChangeSetService;
  /**
   * The pre-warming loop's decisions, served at /api/prewarm/decisions and pushed as `prewarm.decision`: the
   * loop records into it (`boundless start` wires it; off until a loop is attached).
   */
  prewarmDecisions: PrewarmDecisionLog;
  /** A copilot-app JWT for an operator (local only), as the dashboard's sign-in would return. */
  operatorToken(role: OperatorRole, sub?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The copilot next to `boundless start`: its own dynalite, the edge's log folder and real-time sink as feeds,
 * the runtime's admin API as mitigation port with a `copilot` service token from the same local issuer the
 * delivery API trusts, and operator tokens for a separate app client (audience) that only the copilot accepts.
 */
export async function startLocalCopilot(options: LocalCopilotOptions): Promise<LocalCopilot> {
  const {
    adminApiUrl,
    edgeLogDir,
    keyDir,
    dynamoDir,
    realtime,
    waf,
    changeSets: changeSetOptions,
    reports,
    reportRunner,
    pipeline: knobs,
    incidents: chatParts,
    env,
    dashboardDir,
    allowRemoteSignIn,
    ...input
  } = options;
  const config = loadCopilotConfig({ ...input, adminApiUrl, mode: 'local' }, env ?? process.env);
  const dataDir = resolve(config.local.dataDir);
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse())
      await closer().catch((error: unknown) =>
        log.warn('a part of the copilot did not close cleanly', { error }),
      );
  };
  try {
    const dynamo = await startEmbeddedDynamo(
      dynamoDir ?? join(dataDir, 'copilot', 'dynamodb'),
      config.region,
    );
    closers.push(() => dynamo.close());
    const store = await CopilotStore.open(dynamo.client, config.tableName, dynamo.doc);
    const keys = keyDir ?? join(dataDir, 'keys');
    const { issuer, audience, deliveryAudience } = config.identity;
    const deliveryIssuer = await LocalIdentityIssuer.create({
      keyDir: keys,
      issuer,
      audience: deliveryAudience,
    });
    const copilotIssuer = await LocalIdentityIssuer.create({ keyDir: keys, issuer, audience });
    const serviceToken = cachedToken(async () => ({
      token: await deliveryIssuer.issue({
        sub: 'copilot-service',
        groups: ['copilot'],
        expiresInSeconds: 3600,
      }),
      expiresInSeconds: 3600,
    }));
    const mitigation = loadMitigationConfig();
    const costModel = new LocalCostModel();
    const sink = realtime ?? new EdgeSinkFeed();
    const port = mitigationPort(
      new DeliveryAdminPort({ apiUrl: adminApiUrl, bearerToken: serviceToken }),
      waf,
      config.region,
    );
    const pipeline = new CopilotPipeline({
      store,
      feeds: [localStandardLogFeed(edgeLogDir ?? join(dataDir, 'cloudfront'), store), sink],
      apiLogs: localApiLogs(join(dataDir, 'logs')),
      deployLogs: { source: new LocalLogEventSource(join(dataDir, 'logs')), logGroup: DEPLOYMENTS_LOG_GROUP },
      port,
      mitigation,
      slo: await loadSloDefinitions(),
      pollIntervalMs: config.pollIntervalMs,
      dryRun: config.dryRun,
      ops: { cost: costModel, meter: (usage) => costModel.meter(usage) },
      // The functions' log files are local and small: read them often, so cold starts show within seconds.
      apiLogIntervalMs: 5_000,
      ...knobs,
    });
    const logsDir = join(dataDir, 'logs');
    // The chat's tools read what `boundless start` writes (DESIGN §4.4) and the copilot's own state.
    const tools: ToolContext = {
      telemetry: new LocalTelemetry(dataDir),
      findings: store,
      costs: costModel,
      slo: { report: async () => pipeline.sloSnapshot() },
      ...(await loadRunbooks()),
      now: Date.now,
    };
    // The realised saving of a cost change is checked against the same bill the daily report reads.
    const changeSets = changeSetOptions
      ? createChangeSetFlow({
          doc: dynamo.doc,
          tableName: config.tableName,
          audit: store,
          sloSnapshot: () => pipeline.sloSnapshot(),
          mitigations: pipeline.engine,
          policies: mitigation.policies,
          options: { costs: costModel, ...changeSetOptions },
        })
      : undefined;
    const incidents = createIncidentService({
      doc: dynamo.doc,
      tableName: config.tableName,
      copilot: store,
      chat: config.chat,
      region: config.region,
      // With the change-set flow, a promoted suggestion is a change set someone else approves.
      ...(changeSets ? { proposals: new ChangeSetProposalSink(changeSets) } : {}),
      ...chatPartsFrom(tools),
      ...chatParts,
      sources: {
        logs: new LocalLogEventSource(logsDir),
        logGroups: async () => (await listLogGroups(logsDir)).map((group) => group.logGroupName),
        traces: new LocalTraceSource(join(dataDir, 'xray')),
        findings: async (id) => (await store.listFindings(1000)).find((finding) => finding.id === id),
      },
    });
    const prewarmDecisions = new PrewarmDecisionLog();
    const service = await startCopilotService({
      ...(changeSets ? { changeSets } : {}),
      prewarmDecisions,
      ...(reports ? { reports } : {}),
      ...(reportRunner ? { reportRunner } : {}),
      store,
      pipeline,
      incidents,
      identity: copilotIssuer.settings(),
      host: config.host,
      port: config.port,
      bodyLimitBytes: config.bodyLimitBytes,
      localIssuer: {
        issue: (role, sessionSeconds) =>
          copilotIssuer.issue({
            sub: `${role.replace('_', '-')}-operator`,
            groups: [role],
            expiresInSeconds: sessionSeconds,
          }),
        allowRemote: allowRemoteSignIn,
      },
      signIn: {
        authorizeUrl: '/local/oauth2/authorize',
        tokenUrl: '/local/oauth2/token',
        clientId: audience,
        forwardSessionSeconds: true,
      },
      dashboardDir,
    });
    closers.push(() => service.close());
    await pipeline.start();
    closers.push(() => pipeline.stop());
    if (changeSets) closers.push(tickEvery(changeSets, changeSetOptions?.tickIntervalMs ?? 15_000));
    return {
      url: service.url,
      io: service.io,
      pipeline,
      store,
      incidents,
      realtimeSink: sink.sink,
      costs: costModel,
      prewarmDecisions,
      publishReport: (summary) => service.io.to(OPERATORS_ROOM).emit('report.published', summary),
      ...(changeSets ? { changeSets } : {}),
      operatorToken: (role, sub = `${role.replace('_', '-')}-operator`) =>
        copilotIssuer.issue({ sub, groups: [role as Role] }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Tokens and accounts through the admin API; addresses through WAF when the runtime has a web ACL. */
function mitigationPort(
  admin: MitigationPort,
  waf: LocalCopilotOptions['waf'],
  region: string,
): MitigationPort {
  if (!waf) return admin;
  const client = new WAFV2Client(
    awsClientConfig({
      endpoint: waf.url,
      region,
      // The local endpoint does not check signatures; the SDK still signs, as it would for AWS.
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  return new RoutingMitigationPort(admin, new WafIpSetPort(client, waf.sets));
}

/** The access API functions' log groups as the local runtime writes them (one per Lambda function). */
function localApiLogs(logsDir: string) {
  return {
    source: new LocalLogEventSource(logsDir),
    logGroups: async () =>
      (await listLogGroups(logsDir))
        .map((group) => group.logGroupName)
        .filter((name) => name.startsWith('/aws/lambda/delivery-')),
  };
}
