import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import dynalite from 'dynalite';
import { LocalIdentityIssuer, type LocalUser } from '../identity/local-issuer.ts';
import type { ServiceClientGrant } from '../identity/service-clients.ts';
import { createDeliveryStore, createDynamoClients, type DeliveryStore } from '../store/delivery-store.ts';
import { generateRsaKeyPairPem } from '../rsa-key-pair.ts';
import { createDeliveryTable } from '../store/tables.ts';
import { createTelemetryFactory } from '../telemetry/telemetry.ts';
import type { EdgeKeyValueStore } from '../edge/key-value-store.ts';
import type { DeliveryDeps } from './deps.ts';
import { createDeliveryRoutes, type DeliveryRoute } from './routes.ts';

/**
 * An in-process delivery API for component tests and benchmarks: dynalite in its own temp dir (two opens of
 * one LevelDB path crash), the in-memory KeyValueStore, a local identity issuer, a movable clock, and log
 * lines captured per function.
 */
export interface Harness {
  deps: DeliveryDeps;
  store: DeliveryStore;
  issuer: LocalIdentityIssuer;
  kvs: MemoryKeyValueStore;
  routes: DeliveryRoute[];
  logs: Map<string, string[]>;
  clock: { nowMs: number };
  token(user: LocalUser): Promise<string>;
  invoke(routeKey: string, request?: InvokeRequest): Promise<InvokeResult>;
  close(): Promise<void>;
}

export interface InvokeRequest {
  token?: string;
  body?: unknown;
  rawBody?: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  sourceIp?: string;
}

export interface InvokeResult extends APIGatewayProxyStructuredResultV2 {
  statusCode: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on response bodies of every route's shape
  json: any;
}

/** The KeyValueStore as a map: the handlers only write and read it; the edge's store lives in @boundless/local. */
export class MemoryKeyValueStore implements EdgeKeyValueStore {
  private readonly values = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async put(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}

export const EDGE = 'https://edge.test';
export const START_MS = Date.UTC(2026, 10, 21, 12, 0, 0);

export async function startHarness(
  limits: DeliveryDeps['limits'] = {},
  options: { serviceClients?: ServiceClientGrant[] } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'boundless-delivery-'));
  const server = dynalite({ path: dir, createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const { client, doc } = createDynamoClients({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tableName = 'delivery';
  await createDeliveryTable(client, tableName);
  const clock = { nowMs: START_MS };
  const issuer = await LocalIdentityIssuer.create({ nowMs: () => clock.nowMs });
  const kvs = new MemoryKeyValueStore();
  const logs = new Map<string, string[]>();
  const deps: DeliveryDeps = {
    dynamo: { doc, client, tableName },
    keyValueStore: kvs,
    cloudFront: {
      keyPairId: 'K2JCJMDEHXQW5F',
      privateKeyPem: generateRsaKeyPairPem().privateKeyPem,
    },
    edgeBaseUrl: EDGE,
    edgeTokens: {
      currentKid: 'k2',
      secrets: { k1: 'previous-secret-previous-secret-0001', k2: 'current-secret-current-secret-00002' },
    },
    identity: {
      ...issuer.settings(),
      ...(options.serviceClients ? { serviceClients: options.serviceClients } : {}),
    },
    clock: { nowMs: () => clock.nowMs },
    telemetry: createTelemetryFactory({
      serviceName: 'delivery',
      namespace: 'Boundless',
      sinkFor: (fn) => {
        const lines = logs.get(fn) ?? [];
        logs.set(fn, lines);
        return { write: (line) => lines.push(line) };
      },
    }),
    limits,
  };
  const routes = createDeliveryRoutes(deps);
  return {
    deps,
    store: createDeliveryStore(doc, tableName, client),
    issuer,
    kvs,
    routes,
    logs,
    clock,
    token: (user) => issuer.issue(user),
    async invoke(routeKey, request = {}) {
      const route = routes.find((r) => r.routeKey === routeKey);
      if (!route) throw new Error(`no route ${routeKey}`);
      const result = (await route.handler(
        httpApiEvent(routeKey, request, clock.nowMs),
        lambdaContext(route.functionName),
      )) as APIGatewayProxyStructuredResultV2;
      return {
        ...result,
        statusCode: result.statusCode ?? 200,
        json: result.body ? JSON.parse(result.body) : undefined,
      };
    },
    async close() {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function httpApiEvent(
  routeKey: string,
  request: InvokeRequest,
  nowMs: number,
): APIGatewayProxyEventV2 {
  const [method = 'GET', template = '/'] = routeKey.split(' ');
  const params = request.params ?? {};
  const rawPath = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  const body = request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  const headers: Record<string, string> = {
    host: 'api.test',
    'user-agent': 'boundless-test/1.0',
    ...(body === undefined
      ? {}
      : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
    ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
    ...request.headers,
  };
  const query = request.query;
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: query ? new URLSearchParams(query).toString() : '',
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length > 0 ? { pathParameters: params } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'api.test',
      domainPrefix: 'api',
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '198.51.100.7',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: new Date(nowMs).toISOString(),
      timeEpoch: nowMs,
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
