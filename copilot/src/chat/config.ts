import { z } from 'zod';

/**
 * The incident chat's configuration (part of the copilot's, read once at start). Offline is the default: no
 * model, answers from the diagnostician and the tools. Bedrock when a model id is configured; any
 * OpenAI-compatible endpoint (Ollama, vLLM) when a base URL is.
 */
export const chatConfigSchema = z
  .object({
    mode: z.enum(['offline', 'bedrock', 'openai']).optional(),
    bedrock: z
      .object({
        /** A model id or inference profile id, e.g. `us.anthropic.claude-3-5-haiku-20241022-v1:0`. */
        modelId: z.string().min(3).optional(),
        /** @default the copilot's region */
        region: z.string().min(1).optional(),
        /** A VPC endpoint or a local Converse-protocol server; the SDK's regional endpoint when unset. */
        endpoint: z.url().optional(),
        /** The SDK's attempts per call (standard retry mode: throttling and 5xx are retried with backoff). */
        maxAttempts: z.number().int().min(1).max(10).default(3),
      })
      .prefault({}),
    openai: z
      .object({
        /** e.g. `http://127.0.0.1:11434/v1` (Ollama) or a vLLM server's `/v1`. */
        baseUrl: z.url().optional(),
        model: z.string().min(1).optional(),
        apiKey: z.string().min(1).optional(),
      })
      .prefault({}),
    budget: z
      .object({
        maxTokensPerIncident: z.number().int().min(1_000).max(50_000_000).default(200_000),
        maxCostUsdPerIncident: z.number().min(0).max(1_000).default(1),
        maxOutputTokensPerCall: z.number().int().min(64).max(32_000).default(1_024),
      })
      .prefault({}),
    loop: z
      .object({
        maxToolCalls: z.number().int().min(1).max(100).default(12),
        maxModelCalls: z.number().int().min(1).max(50).default(8),
        maxRepeats: z.number().int().min(1).max(20).default(3),
        nearDuplicate: z.number().min(0.5).max(1).default(0.8),
      })
      .prefault({}),
    /** Overrides the price table (USD per million tokens), e.g. for a model it does not list. */
    price: z.object({ inputPerMillion: z.number().min(0), outputPerMillion: z.number().min(0) }).optional(),
    /** One answer's deadline, tool calls included: past it the answer ends with what it has. */
    answerTimeoutSeconds: z.number().int().min(10).max(1_800).default(180),
    /** Earlier messages the model sees again with each question. */
    historyMessages: z.number().int().min(0).max(50).default(8),
    /** Open an incident by itself when an SLO alert pages. */
    autoOpenOnPage: z.boolean().default(true),
  })
  .transform((chat, ctx) => {
    // The mode follows what is configured unless it is named: a model id means Bedrock, a base URL OpenAI.
    const mode = chat.mode ?? (chat.bedrock.modelId ? 'bedrock' : chat.openai.baseUrl ? 'openai' : 'offline');
    if (mode === 'bedrock' && !chat.bedrock.modelId)
      ctx.addIssue({
        code: 'custom',
        path: ['bedrock', 'modelId'],
        message: 'bedrock mode needs COPILOT_BEDROCK_MODEL_ID',
      });
    if (mode === 'openai' && (!chat.openai.baseUrl || !chat.openai.model))
      ctx.addIssue({
        code: 'custom',
        path: ['openai'],
        message: 'openai mode needs COPILOT_OPENAI_BASE_URL and COPILOT_OPENAI_MODEL',
      });
    return { ...chat, mode };
  });

export type ChatConfig = z.output<typeof chatConfigSchema>;
export type ChatConfigInput = z.input<typeof chatConfigSchema>;

type Env = Record<string, string | undefined>;

const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));

function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The environment's overrides, named as copilot/CHAT.md lists them. */
export function chatConfigFromEnv(env: Env): ChatConfigInput {
  const priceIn = number(env.COPILOT_CHAT_PRICE_INPUT);
  const priceOut = number(env.COPILOT_CHAT_PRICE_OUTPUT);
  return definedOnly({
    mode: env.COPILOT_CHAT_MODE as ChatConfigInput['mode'],
    bedrock: definedOnly({
      modelId: env.COPILOT_BEDROCK_MODEL_ID,
      region: env.COPILOT_BEDROCK_REGION,
      endpoint: env.COPILOT_BEDROCK_ENDPOINT,
      maxAttempts: number(env.COPILOT_BEDROCK_MAX_ATTEMPTS),
    }),
    openai: definedOnly({
      baseUrl: env.COPILOT_OPENAI_BASE_URL,
      model: env.COPILOT_OPENAI_MODEL,
      apiKey: env.COPILOT_OPENAI_API_KEY,
    }),
    budget: definedOnly({
      maxTokensPerIncident: number(env.COPILOT_CHAT_MAX_TOKENS),
      maxCostUsdPerIncident: number(env.COPILOT_CHAT_MAX_COST_USD),
    }),
    loop: definedOnly({ maxToolCalls: number(env.COPILOT_CHAT_MAX_TOOL_CALLS) }),
    ...(priceIn !== undefined || priceOut !== undefined
      ? { price: { inputPerMillion: priceIn ?? 0, outputPerMillion: priceOut ?? 0 } }
      : {}),
  }) as ChatConfigInput;
}

/** Explicit options over the environment, one level deep (each section merges). */
export function mergeChatConfig(fromEnv: ChatConfigInput, options: ChatConfigInput = {}): ChatConfigInput {
  return {
    ...fromEnv,
    ...options,
    bedrock: { ...fromEnv.bedrock, ...options.bedrock },
    openai: { ...fromEnv.openai, ...options.openai },
    budget: { ...fromEnv.budget, ...options.budget },
    loop: { ...fromEnv.loop, ...options.loop },
  };
}
