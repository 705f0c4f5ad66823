import './process-defaults.ts';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createDeliveryRoutes, systemClock } from '@boundless/delivery/api';
import { startLocalEdge } from '../edge/local-edge.ts';
import type { ViewerIpSource } from '../edge/viewer-address.ts';
import { kvsKeys, type RealtimeLogRecord } from '@boundless/delivery';
import { LocalKeyValueStore } from '../edge/local-kvs.ts';
import { type LocalWebAcl, startLocalWebAcl } from '../waf/local-web-acl.ts';
import { LocalIdentityIssuer, type LocalUser } from '@boundless/delivery/identity';
import { createDeliveryTable } from '@boundless/delivery/store';
import { createTelemetryFactory } from '@boundless/delivery/telemetry';
import { type DemoUser, loadOrSeedDemo } from './demo-data.ts';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../dynamo/embedded-dynamo.ts';
import { captureFunctionOutput, invocationLogSink } from '../lambda/function-output.ts';
import { startFunctionThread } from '../lambda/function-thread.ts';
import { type HttpApi, startHttpApi } from '../lambda/http-api-adapter.ts';
import { LambdaEmulator, logGroupOf } from '../lambda/lambda-emulator.ts';
import { type LambdaRoute, registerRouteFunctions } from '../lambda/lambda-routes.ts';
import { type LocalRoute, localIdentityRoutes } from '../lambda/local-identity-routes.ts';
import { loadOrCreateLocalKeys } from './local-keys.ts';
import { LogGroupWriter } from '../telemetry/log-groups.ts';
import { type LocalDeliveryOptions, parseLocalDeliveryOptions } from './runtime-config.ts';
import type { LocalFaultInjector } from '../faults/injector.ts';
import { faultRoutes } from '../faults/fault-routes.ts';
import { startLocalFaults } from '../faults/wiring.ts';
import { applyTunables, cacheBehaviorsOf, type LocalTunables } from './tunables.ts';
import type { CacheBehavior } from '../edge/cache-behaviors.ts';
import type { ApiAccessRecord } from '../lambda/http-api-adapter.ts';
import { CanaryDeployments } from '../lambda/canary-deploy.ts';
import { deployRoutes } from '../lambda/deploy-routes.ts';
import { createSegmentEmitter, startXRayReceiver, type XRayReceiver } from '../telemetry/xray-receiver.ts';

/**
 * The delivery core on one machine: dynalite, the access API as emulated Lambda functions behind a local
 * HTTP API, the local CloudFront edge sharing a KeyValueStore with the admin API, log groups as files and an
 * X-Ray daemon. Everything persists under `dataDir`, so a restart keeps readers, devices, keys and logs.
 */
export interface LocalDelivery {
  apiUrl: string;
  edgeUrl: string;
  xrayAddress: string;
  dataDir: string;
  logsDir: string;
  xrayDir: string;
  demoUsers: DemoUser[];
  emulator: LambdaEmulator;
  kvs: LocalKeyValueStore;
  /** The distribution's web ACL: the WAFv2 endpoint and the IP sets its block and rate-based rules read. */
  waf: { url: string; sets: LocalWebAcl['sets'] };
  xray: XRayReceiver;
  logs: LogGroupWriter;
  /** Faults injected into this stack (also served at `/local/faults` on the API). */
  faults: LocalFaultInjector;
  /**
   * A JWT for a demo user by name, as `POST /local/token` issues it, or for any subject of the seeded
   * population; `issuedAt` back-dates it (unix seconds).
   */
  tokenFor(user: string | LocalUser, options?: { issuedAt?: number }): Promise<string>;
  /** The table, for tests and tools that set up or inspect data directly. */
  dynamo: { doc: DynamoDBDocumentClient; client: DynamoDBClient; tableName: string };
  edgeStats(): unknown;
  /** The cache behaviours the edge applies now. */
  cacheBehaviors(): CacheBehavior[];
  /** Makes the running runtime match new tunables (a change set's apply or rollback); returns what it set. */
  reconfigure(tunables: LocalTunables): Promise<Record<string, unknown>>;
  /** Canary deploys of the functions (`boundless deploy`, `POST /local/deployments`). */
  deployments: CanaryDeployments;
  /** The SLOs whose fast burn rolls a canary back (the copilot's, once it runs): ids burning since `sinceMs`. */
  guardDeploysWith(guard: (functionName: string, sinceMs: number) => Promise<string[]>): void;
  close(): Promise<void>;
}

/** Where canary deploys record their steps (CodeDeploy's deployment events, as a log group). */
export const DEPLOYMENTS_LOG_GROUP = '/boundless/deployments';

/** The local distribution's id and its viewer-request function's name (infra: `<prefix>-viewer-request`). */
const EDGE_DISTRIBUTION_ID = 'ELOCALEDGE';
const EDGE_FUNCTION_NAME = 'boundless-viewer-request';

/** The HTTP API's access log group, named as infra names it (`/aws/apigateway/<prefix>-access`). */
export const API_ACCESS_LOG_GROUP = '/aws/apigateway/boundless-access';

export type { LocalDeliveryOptions } from './runtime-config.ts';

/** --- telemetry hooks for the operations copilot (copilot/README.md, "The live loop") --- */
export interface LocalEdgeTelemetry {
  /** Receives the edge's real-time log records (CloudFront real-time logs' fields) as requests complete. */
  realtimeLogSink?: (record: RealtimeLogRecord) => void;
  /**
   * Where the edge takes the viewer address from. `x-forwarded-for` believes the header only as far as the
   * trusted proxies wrote it: with the default (loopback) a local traffic simulator stands in for many viewers,
   * while a peer on another machine can never choose its logged address.
   * @default 'socket'
   */
  viewerIpFrom?: ViewerIpSource;
  /** CIDRs of the proxies in front of the edge. @default loopback (127.0.0.0/8, ::1/128) */
  trustedProxies?: string[];
}

export async function startLocalDelivery(
  options: LocalDeliveryOptions = {},
  telemetry: LocalEdgeTelemetry = {},
): Promise<LocalDelivery> {
  const config = parseLocalDeliveryOptions(options);
  const dataDir = resolve(config.dataDir);
  const dirs = {
    dynamodb: join(dataDir, 'dynamodb'),
    keys: join(dataDir, 'keys'),
    origin: join(dataDir, 'origin'),
    logs: join(dataDir, 'logs'),
    xray: join(dataDir, 'xray'),
    edgeLogs: join(dataDir, 'cloudfront'),
    kvs: join(dataDir, 'kvs', 'edge-kvs.json'),
    ipSets: join(dataDir, 'waf', 'ip-sets.json'),
  };
  await Promise.all([dirs.dynamodb, dirs.origin, dirs.logs].map((dir) => mkdir(dir, { recursive: true })));
  const closers: (() => Promise<void> | void)[] = [];
  // Until a copilot guards them, deploys are judged on the canary's own errors and latency only.
  const deployGuard = { sloBurning: async (_fn: string, _sinceMs: number): Promise<string[]> => [] };
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const dynamo: EmbeddedDynamo = await startEmbeddedDynamo(dirs.dynamodb, config.region);
    closers.push(() => dynamo.close());
    await createDeliveryTable(dynamo.client, config.tableName);
    const keys = await loadOrCreateLocalKeys(dirs.keys);
    const issuer = await LocalIdentityIssuer.create({
      keyDir: dirs.keys,
      issuer: 'https://identity.boundless.local',
    });

    const kvs = new LocalKeyValueStore({ file: dirs.kvs });
    for (const [kid, secret] of Object.entries(keys.edgeTokens.secrets))
      await kvs.put(kvsKeys.signingSecret(kid), secret);

    const xray = await startXRayReceiver({ dir: dirs.xray, host: config.host, port: config.xrayPort });
    closers.push(() => xray.close());
    const segments = createSegmentEmitter(xray.address);
    closers.push(() => segments.close());
    const logs = new LogGroupWriter(dirs.logs);
    closers.push(() => logs.close());

    let functionNames: () => string[] = () => [];
    let edgeUrl: string | undefined;
    const faults = startLocalFaults({
      dynamo,
      logs,
      tableName: config.tableName,
      functions: () => functionNames(),
      defaultFunction: 'delivery-grant-access',
      edge: { distributionId: EDGE_DISTRIBUTION_ID, functionName: EDGE_FUNCTION_NAME, url: () => edgeUrl },
    });
    closers.push(() => faults.close());

    const waf = await startLocalWebAcl({ file: dirs.ipSets, host: config.host, port: config.wafPort });
    closers.push(() => waf.close());
    const edge = await startLocalEdge({
      port: config.edgePort,
      host: config.host,
      originDir: dirs.origin,
      kvs,
      trustedKeys: { [keys.cloudFront.keyPairId]: keys.cloudFront.publicKeyPem },
      logDir: dirs.edgeLogs,
      webAcl: waf.webAcl,
      logFlushIntervalMs: config.edgeLogFlushIntervalMs,
      distributionId: EDGE_DISTRIBUTION_ID,
      // The edge's access records, metrics and function lines go where the copilot reads telemetry.
      telemetry: { logs, functionName: EDGE_FUNCTION_NAME },
      faults: { plan: (at) => faults.injector.edgePlan(at) },
      ...(config.tunables ? { cacheBehaviors: cacheBehaviorsOf(config.tunables) } : {}),
      // --- copilot telemetry hooks ---
      ...(telemetry.realtimeLogSink ? { realtimeLogSink: telemetry.realtimeLogSink } : {}),
      ...(telemetry.viewerIpFrom ? { viewerIpFrom: telemetry.viewerIpFrom } : {}),
      ...(telemetry.trustedProxies ? { trustedProxies: telemetry.trustedProxies } : {}),
    });
    closers.push(() => edge.close());
    edgeUrl = edge.url;

    const demo = await loadOrSeedDemo({
      dataDir,
      dynamo,
      tableName: config.tableName,
      originDir: dirs.origin,
      seed: config.seed,
    });

    const { functionThread, ...emulatorOptions } = config.lambda;
    const emulator = new LambdaEmulator({
      ...emulatorOptions,
      region: config.region,
      logs,
      segments,
      lambdaInsights: true,
      faults: (name, at) => faults.injector.invocationPlan(name, at),
    });
    functionNames = () => emulator.functionNames();
    const undoCapture = captureFunctionOutput();
    closers.push(undoCapture);
    // What the functions are built from, in the function thread or in this one.
    const functionSettings = {
      cloudFront: { keyPairId: keys.cloudFront.keyPairId, privateKeyPem: keys.cloudFront.privateKeyPem },
      edgeBaseUrl: edge.url,
      edgeTokens: keys.edgeTokens,
      identity: issuer.settings(),
    };
    const telemetryNames = { serviceName: 'delivery', namespace: 'Boundless' };
    const thread = functionThread
      ? await startFunctionThread({
          dynamo: {
            endpoint: dynamo.endpoint,
            socketPath: dynamo.socketPath,
            region: config.region,
            tableName: config.tableName,
          },
          ...functionSettings,
          ...telemetryNames,
          keyValueStore: kvs,
          outsideInvocation: (functionName, line) =>
            logs.append(logGroupOf(functionName), 'outside-invocation', line),
        })
      : undefined;
    if (thread) closers.push(() => thread.close());
    const inProcess = createDeliveryRoutes({
      dynamo: { doc: dynamo.doc, client: dynamo.client, tableName: config.tableName },
      keyValueStore: kvs,
      ...functionSettings,
      clock: systemClock,
      telemetry: createTelemetryFactory({
        ...telemetryNames,
        // Powertools output goes to the log stream of the environment running the function, as in Lambda.
        sinkFor: (functionName) =>
          invocationLogSink((line) => logs.append(logGroupOf(functionName), 'outside-invocation', line)),
      }),
    });
    // With a function thread the same routes run there; these keep their keys and function names.
    const routes = thread ? inProcess.map((route) => ({ ...route, handler: thread.handler })) : inProcess;
    registerRouteFunctions(emulator, routes);

    const lookup = (name: string) => demo.users.find((user) => user.name === name)?.identity;
    const names = () => demo.users.map((user) => user.name);
    const deployments = new CanaryDeployments(emulator, {
      // Every step of a deploy, where the copilot's tools read changes (and a rollback is a finding to explain).
      record: (deployment, step) =>
        logs.append(
          DEPLOYMENTS_LOG_GROUP,
          deployment.functionName,
          JSON.stringify({ type: 'deployment', step, ...deployment }),
        ),
      sloBurning: (functionName, sinceMs) => deployGuard.sloBurning(functionName, sinceMs),
    });
    // Fault injection and deploys stay loopback-only even when remote sign-in is allowed.
    const localRoutes = [
      ...localIdentityRoutes(issuer, lookup, names, { allowRemote: config.allowRemoteSignIn }),
      ...faultRoutes(faults.injector),
      ...deployRoutes(deployments),
    ];
    for (const spec of config.faults) faults.injector.inject(spec);
    const api = await startApi(config.apiPort, config.host, routes, localRoutes, emulator, (record) =>
      logs.append(API_ACCESS_LOG_GROUP, 'local-stage', () => JSON.stringify(record), record.requestTimeEpoch),
    );
    closers.push(() => api.close());
    const runtime = {
      setCacheBehaviors: (behaviors: CacheBehavior[]) => edge.cache.behaviors.set(behaviors),
      setThrottling: (settings: LocalTunables['api']['throttling']) => api.throttling.set(settings),
      functionNames: () => emulator.functionNames(),
      memoryOf: (name: string) => emulator.memoryOf(name),
      setMemory: (name: string, mb: number) => emulator.setMemory(name, mb),
      setProvisionedConcurrency: (name: string, n: number) => emulator.setProvisionedConcurrency(name, n),
    };
    const reconfigure = (tunables: LocalTunables) => applyTunables(runtime, tunables, Date.now());
    if (config.tunables) await reconfigure(config.tunables);

    return {
      apiUrl: api.url,
      edgeUrl: edge.url,
      xrayAddress: xray.address,
      dataDir,
      logsDir: dirs.logs,
      xrayDir: dirs.xray,
      demoUsers: demo.users,
      emulator,
      kvs,
      waf: { url: waf.url, sets: waf.sets },
      xray,
      logs,
      faults: faults.injector,
      tokenFor: async (user, tokenOptions = {}) => {
        const identity = typeof user === 'string' ? lookup(user) : user;
        if (!identity) throw new Error(`no demo user "${String(user)}"; known: ${names().join(', ')}`);
        return issuer.issue({ ...identity, ...tokenOptions });
      },
      dynamo: { doc: dynamo.doc, client: dynamo.client, tableName: config.tableName },
      edgeStats: () => edge.stats(),
      cacheBehaviors: () => edge.cache.behaviors.list(),
      reconfigure,
      deployments,
      guardDeploysWith: (guard) => {
        deployGuard.sloBurning = guard;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

type ApiRoute = { routeKey: string; lambda?: LambdaRoute; local?: LocalRoute };

function startApi(
  port: number,
  host: string,
  routes: readonly LambdaRoute[],
  localRoutes: readonly LocalRoute[],
  emulator: LambdaEmulator,
  accessLog: (record: ApiAccessRecord) => void,
): Promise<HttpApi> {
  const table: ApiRoute[] = [
    ...routes.map((lambda) => ({ routeKey: lambda.routeKey, lambda })),
    ...localRoutes.map((local) => ({ routeKey: local.routeKey, local })),
  ];
  return startHttpApi<ApiRoute>({
    port,
    host,
    routes: table,
    accessLog: (record) => {
      // The local identity routes stand in for Cognito: not part of the API's traffic.
      if (!record.routeKey.includes(' /local/')) accessLog(record);
    },
    integrate: async (route, event: APIGatewayProxyEventV2) => {
      if (route.local) return route.local.handler(event);
      const lambda = route.lambda as LambdaRoute;
      const invocation = await emulator.invoke<Awaited<ReturnType<LambdaRoute['handler']>>>(
        lambda.functionName,
        event,
        {
          traceHeader: event.headers['x-amzn-trace-id'],
        },
      );
      return invocation.result;
    },
  });
}
