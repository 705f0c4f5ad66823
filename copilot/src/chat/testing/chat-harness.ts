import { readFileSync } from 'node:fs';
import type { ChatAnswer } from '../answer.ts';
import { runAgentTurn } from '../agent.ts';
import type { Diagnostician } from '../diagnostician.ts';
import { runOfflineTurn } from '../offline.ts';
import { TokenBudget } from '../budget.ts';
import { type ChatConfig, chatConfigSchema } from '../config.ts';
import { EvidenceLedger } from '../evidence.ts';
import { TelemetryShield } from '../injection.ts';
import { LoopGuard, type LoopLimits } from '../loop-guard.ts';
import { Masker } from '../masking.ts';
import { createBedrockClient, createChatModel, type ModelChoice } from '../models.ts';
import { loadPriceTable } from '../pricing.ts';
import type { IncidentBrief } from '../prompt.ts';
import { MemoryToolCache } from '../tool-cache.ts';
import type { TurnEvent } from '../turn-run.ts';
import type { AnyCopilotTool } from '../tools.ts';
import {
  type ConverseReplayServer,
  type ReplayStep,
  startConverseReplayServer,
} from './converse-replay-server.ts';
import { type CallLog, type FakeTelemetry, fakeTools } from './fake-tools.ts';
import { type OpenAiReplayServer, startOpenAiReplayServer } from './openai-replay-server.ts';

const MODEL_ID = 'anthropic.claude-3-5-haiku-20241022-v1:0';

/** A recorded Bedrock conversation (fixtures/*.json): the model's answers, in order. */
export function loadRecording(name: string): ReplayStep[] {
  const file = new URL(`../fixtures/${name}.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { steps: ReplayStep[] }).steps;
}

export const BRIEF: IncidentBrief = {
  id: 'inc_01TEST',
  title: 'catalog-availability: page — error budget burning 14.4× over 1h',
  openedAt: '2026-11-02T10:00:00.000Z',
  origin: 'finding slo_burn 5d1e0c',
  window: { from: '2026-11-02T09:30:00.000Z', to: '2026-11-02T10:00:00.000Z' },
  context: {
    finding: {
      kind: 'slo_burn',
      subject: { slo: 'catalog-availability' },
      summary: 'catalog-availability: page — error budget burning 14.4× over 1h and 15.2× over 5m',
    },
  },
};

const T0 = Date.parse('2026-11-02T09:41:00Z');

/** A dependency timing out behind one function: what the recorded conversations investigate. */
export function timeoutTelemetry(extraLogs: FakeTelemetry['logs'] = []): FakeTelemetry {
  return {
    logs: [
      {
        logGroup: '/aws/lambda/catalog-api',
        eventId: '3795642516487100000000000000000000000000000000000001',
        timestamp: T0,
        message:
          '{"level":"ERROR","message":"GetItem timed out after 3000 ms","client_ip":"198.51.100.23","user":"ana.silva@example.org","requestId":"r-1"}',
      },
      {
        logGroup: '/aws/lambda/catalog-api',
        eventId: '3795642516487100000000000000000000000000000000000002',
        timestamp: T0 + 4_000,
        message:
          '{"level":"ERROR","message":"GetItem timed out after 3000 ms","client_ip":"198.51.100.24","tokenId":"tok_A1b2C3d4E5","requestId":"r-2"}',
      },
      {
        logGroup: '/aws/lambda/catalog-api',
        eventId: '3795642516487100000000000000000000000000000000000003',
        timestamp: T0 + 9_000,
        message: '{"level":"INFO","message":"init","account":"123456789012","cold_start":true}',
      },
      ...extraLogs,
    ],
    traces: [
      {
        traceId: '1-6ae85aac-4f3c2d1e0a9b8c7d6e5f4a3b',
        root: 'catalog-api',
        faultAt: 'DynamoDB',
        durationMs: 3012,
      },
      { traceId: '1-6ae85ab0-0a1b2c3d4e5f6a7b8c9d0e1f', root: 'catalog-api', durationMs: 41 },
    ],
    metrics: [
      {
        namespace: 'Boundless/Lambda',
        metric: 'Errors',
        dimensions: { FunctionName: 'catalog-api' },
        points: [
          [T0 - 60_000, 0],
          [T0, 7],
          [T0 + 60_000, 9],
        ],
      },
    ],
  };
}

/** Values that must never appear in anything sent to the model. */
export const SENSITIVE = [
  '198.51.100.23',
  '198.51.100.24',
  'ana.silva@example.org',
  'tok_A1b2C3d4E5',
  '123456789012',
];

export interface HarnessOptions {
  telemetry?: FakeTelemetry;
  limits?: Partial<LoopLimits>;
  budget?: { maxTokensPerIncident?: number; maxCostUsdPerIncident?: number };
  maxAttempts?: number;
  stream?: boolean;
  fallback?: () => Promise<string>;
  timeoutMs?: number;
  tools?: AnyCopilotTool[];
  /** Persist these across runAgentTurn calls (a second question in the same incident). */
  shared?: { masker: Masker; ledger: EvidenceLedger; shield: TelemetryShield };
}

export interface HarnessRun {
  answer: ChatAnswer;
  events: TurnEvent[];
  calls: CallLog;
  server: ConverseReplayServer;
}

/** One question answered by the real ChatBedrockConverse against the local Converse replay server. */
export async function askBedrock(
  steps: ReplayStep[],
  question: string,
  options: HarnessOptions = {},
): Promise<HarnessRun> {
  const server = await startConverseReplayServer(steps);
  try {
    const config = chatConfigSchema.parse({
      mode: 'bedrock',
      bedrock: { modelId: MODEL_ID },
      budget: options.budget ?? {},
      loop: options.limits ?? {},
    });
    const client = createBedrockClient({
      region: 'us-east-1',
      endpoint: server.url,
      maxAttempts: options.maxAttempts ?? 3,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const choice = createChatModel(config, 'us-east-1', loadPriceTable(), { bedrockClient: client });
    return { ...(await askWith(config, choice, question, options)), server };
  } finally {
    await server.close();
  }
}

/** The same through ChatOpenAI against the local OpenAI-compatible replay server (as Ollama or vLLM). */
export async function askOpenAi(
  steps: ReplayStep[],
  question: string,
  options: HarnessOptions = {},
): Promise<Omit<HarnessRun, 'server'> & { server: OpenAiReplayServer }> {
  const server = await startOpenAiReplayServer(steps);
  try {
    const config = chatConfigSchema.parse({
      mode: 'openai',
      openai: { baseUrl: server.baseUrl, model: 'llama3.1:8b' },
      budget: options.budget ?? {},
      loop: options.limits ?? {},
    });
    const choice = createChatModel(config, 'us-east-1', loadPriceTable());
    return { ...(await askWith(config, choice, question, options)), server };
  } finally {
    await server.close();
  }
}

async function askWith(
  config: ChatConfig,
  choice: ModelChoice | undefined,
  question: string,
  options: HarnessOptions,
): Promise<Omit<HarnessRun, 'server'>> {
  if (!choice) throw new Error('expected a model');
  const calls: CallLog = [];
  const tools = options.tools ?? fakeTools(options.telemetry ?? timeoutTelemetry(), calls);
  const shared = options.shared ?? {
    masker: new Masker(),
    ledger: new EvidenceLedger(),
    shield: new TelemetryShield([...tools.map((t) => t.name), 'suggest_mitigation']),
  };
  shared.shield.trustText(question);
  shared.shield.trustStructured(BRIEF.context);
  const events: TurnEvent[] = [];
  const answer = await runAgentTurn({
    brief: BRIEF,
    ...shared,
    budget: new TokenBudget(
      {
        maxTokens: config.budget.maxTokensPerIncident,
        maxCostUsd: config.budget.maxCostUsdPerIncident,
        maxOutputTokensPerCall: config.budget.maxOutputTokensPerCall,
      },
      choice.price,
    ),
    cache: new MemoryToolCache(),
    tools,
    guard: new LoopGuard(config.loop),
    onEvent: (event) => events.push(event),
    model: choice.handle,
    history: [],
    question,
    stream: options.stream ?? true,
    ...(options.fallback ? { fallback: options.fallback } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  return { answer, events, calls };
}

/** The same question in offline mode: the diagnostician and the tools, no model. */
export async function askOffline(question: string, diagnostician: Diagnostician): Promise<ChatAnswer> {
  const shield = new TelemetryShield(['diagnose', 'suggest_mitigation']);
  shield.trustStructured(BRIEF.context);
  return runOfflineTurn({
    brief: BRIEF,
    masker: new Masker(),
    ledger: new EvidenceLedger(),
    shield,
    budget: new TokenBudget({ maxTokens: 200_000, maxCostUsd: 1, maxOutputTokensPerCall: 1_024 }, undefined),
    cache: new MemoryToolCache(),
    tools: [],
    guard: new LoopGuard(),
    question,
    diagnostician,
  });
}
