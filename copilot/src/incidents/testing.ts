import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LocalIdentityIssuer } from '@boundless/delivery/identity';
import dynalite from 'dynalite';
import { io as connect, type Socket } from 'socket.io-client';
import { chatConfigSchema, type ChatConfigInput } from '../chat/config.ts';
import type { Diagnostician } from '../chat/diagnostician.ts';
import { createBedrockClient } from '../chat/models.ts';
import {
  type ConverseReplayServer,
  type ReplayStep,
  startConverseReplayServer,
} from '../chat/testing/converse-replay-server.ts';
import { type CallLog, type FakeTelemetry, fakeTools } from '../chat/testing/fake-tools.ts';
import { writeTelemetryDir } from '../chat/testing/telemetry-dir.ts';
import { loadMitigationConfig } from '../mitigation/index.ts';
import { CopilotPipeline } from '../pipeline/index.ts';
import { type CopilotService, startCopilotService } from '../service/server.ts';
import { LocalLogEventSource, LocalTraceSource } from '../sources/index.ts';
import { CopilotStore } from '../state/copilot-store.ts';
import { listLogGroups } from '../telemetry-dir/index.ts';
import { createIncidentService } from './create.ts';
import type { ProposalSink } from './proposals.ts';
import type { IncidentService } from './service.ts';

const ISSUER = 'https://identity.boundless.local';
const TABLE = 'copilot-incidents-test';

// biome-ignore lint/suspicious/noExplicitAny: the assertions read arbitrary JSON answers
type JsonReply = { status: number; body: any };

/**
 * The copilot service with the incident chat over real HTTP, socket.io and dynalite, telemetry files on disk
 * for opening citations, and (in Bedrock mode) the local Converse replay server. `restart()` starts a new
 * service and chat on the same table, as a process restart would.
 */
export interface IncidentsHarness {
  url: string;
  store: CopilotStore;
  incidents: IncidentService;
  replay?: ConverseReplayServer;
  calls: CallLog;
  token(role: 'viewer' | 'on_call' | 'owner'): Promise<string>;
  call(
    path: string,
    role: 'viewer' | 'on_call' | 'owner' | undefined,
    init?: RequestInit,
  ): Promise<JsonReply>;
  socket(role: 'viewer' | 'on_call'): Promise<Socket>;
  restart(options?: { steps?: ReplayStep[] }): Promise<void>;
  close(): Promise<void>;
}

export async function startIncidentsHarness(options: {
  telemetry: FakeTelemetry;
  chat?: ChatConfigInput;
  steps?: ReplayStep[];
  diagnostician?: Diagnostician;
  /** The sink promoted suggestions go to, built on the harness's table. @default pending proposals */
  proposals?: (doc: DynamoDBDocumentClient, tableName: string) => ProposalSink;
}): Promise<IncidentsHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'incidents-'));
  writeTelemetryDir(dir, options.telemetry);
  const dynamo = dynalite({ path: join(dir, 'dynamodb'), createTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const store = await CopilotStore.open(client, TABLE, doc);
  const issuer = await LocalIdentityIssuer.create({
    keyDir: join(dir, 'keys'),
    issuer: ISSUER,
    audience: 'boundless-copilot',
  });
  const calls: CallLog = [];
  const sockets: Socket[] = [];
  let service: CopilotService;
  let pipeline: CopilotPipeline;
  let replay: ConverseReplayServer | undefined;
  let incidents: IncidentService;

  const start = async (steps: ReplayStep[] | undefined) => {
    replay = steps ? await startConverseReplayServer(steps) : undefined;
    const chat = chatConfigSchema.parse(
      replay
        ? {
            mode: 'bedrock',
            bedrock: { modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0' },
            ...options.chat,
          }
        : { ...options.chat },
    );
    const logsDir = join(dir, 'logs');
    incidents = createIncidentService({
      doc,
      tableName: TABLE,
      copilot: store,
      chat,
      region: 'us-east-1',
      tools: fakeTools(options.telemetry, calls),
      ...(options.diagnostician ? { diagnostician: options.diagnostician } : {}),
      ...(options.proposals ? { proposals: options.proposals(doc, TABLE) } : {}),
      ...(replay
        ? {
            bedrockClient: createBedrockClient({
              region: 'us-east-1',
              endpoint: replay.url,
              credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
            }),
          }
        : {}),
      sources: {
        logs: new LocalLogEventSource(logsDir),
        logGroups: async () => (await listLogGroups(logsDir)).map((g) => g.logGroupName),
        traces: new LocalTraceSource(join(dir, 'xray')),
        findings: async (id) => (await store.listFindings(1000)).find((f) => f.id === id),
      },
    });
    pipeline = new CopilotPipeline({
      store,
      feeds: [],
      port: { apply: async () => {}, lift: async () => {} },
      mitigation: loadMitigationConfig(),
      pollIntervalMs: 60_000,
    });
    service = await startCopilotService({ store, pipeline, identity: issuer.settings(), incidents });
  };
  const stop = async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await service.close();
    await replay?.close();
  };
  await start(options.steps);

  const token = (role: 'viewer' | 'on_call' | 'owner') =>
    issuer.issue({ sub: `${role.replace('_', '-')}-1`, groups: [role] });
  return {
    get url() {
      return service.url;
    },
    store,
    get incidents() {
      return incidents;
    },
    get replay() {
      return replay;
    },
    calls,
    token,
    async call(path, role, init = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (role) headers.authorization = `Bearer ${await token(role)}`;
      const response = await fetch(`${service.url}${path}`, {
        ...init,
        headers: { ...headers, ...init.headers },
      });
      return { status: response.status, body: await response.json() };
    },
    async socket(role) {
      const socket = connect(service.url, {
        auth: { token: await token(role) },
        transports: ['websocket'],
        reconnection: false,
      });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return socket;
    },
    async restart(next = {}) {
      await stop();
      await start(next.steps);
    },
    async close() {
      await stop();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
