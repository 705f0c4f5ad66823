import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { ChatBedrockConverse } from '@langchain/aws';
import { ChatOpenAI } from '@langchain/openai';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { awsClientConfig } from '../sources/aws-client.ts';
import type { ChatModelHandle } from './agent.ts';
import type { ChatConfig } from './config.ts';
import { type ModelPrice, type PriceTable, priceFor } from './pricing.ts';

export interface BedrockClientOptions {
  region: string;
  /** A VPC endpoint or a local Converse-protocol server. */
  endpoint?: string;
  maxAttempts?: number;
  /** Local servers only; in AWS the default credential chain signs. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * The one Bedrock Runtime client of the chat. `ChatBedrockConverse` ignores `clientOptions.endpoint`, so the
 * client is built here and handed to it; the HTTP/1.1 handler is used everywhere (the client's default is
 * HTTP/2, which a plain local server does not speak), so tests and AWS run the same transport.
 */
export function createBedrockClient(options: BedrockClientOptions): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    ...awsClientConfig({ region: options.region }),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    // A model writes for a while before the first byte of a whole (non-streamed) answer.
    requestHandler: new NodeHttpHandler({ requestTimeout: 120_000 }),
  });
}

export interface ModelChoice {
  handle: ChatModelHandle;
  /** undefined when neither the table nor the configuration prices the model: only tokens bound it. */
  price: ModelPrice | undefined;
}

/**
 * The configured chat model, or undefined in offline mode. Temperature 0: the same question over the same
 * evidence should get the same answer.
 */
export function createChatModel(
  config: ChatConfig,
  region: string,
  prices: PriceTable,
  deps: { bedrockClient?: BedrockRuntimeClient } = {},
): ModelChoice | undefined {
  const maxTokens = config.budget.maxOutputTokensPerCall;
  if (config.mode === 'bedrock') {
    const modelId = config.bedrock.modelId ?? '';
    const client =
      deps.bedrockClient ??
      createBedrockClient({
        region: config.bedrock.region ?? region,
        ...(config.bedrock.endpoint ? { endpoint: config.bedrock.endpoint } : {}),
        maxAttempts: config.bedrock.maxAttempts,
      });
    return {
      handle: {
        provider: 'bedrock',
        label: `Bedrock ${modelId}`,
        modelId,
        model: new ChatBedrockConverse({
          model: modelId,
          region: config.bedrock.region ?? region,
          client,
          temperature: 0,
          maxTokens,
        }),
      },
      price: config.price ?? priceFor(prices, modelId),
    };
  }
  if (config.mode === 'openai') {
    const modelId = config.openai.model ?? '';
    return {
      handle: {
        provider: 'openai',
        label: `${modelId} at ${config.openai.baseUrl}`,
        modelId,
        model: new ChatOpenAI({
          model: modelId,
          // Local servers (Ollama, vLLM) accept any key; the client insists on one.
          apiKey: config.openai.apiKey ?? 'not-needed',
          configuration: { baseURL: config.openai.baseUrl },
          temperature: 0,
          maxTokens,
          maxRetries: 2,
          streamUsage: true,
        }),
      },
      // A self-hosted model costs no per-token fee unless one is configured.
      price: config.price,
    };
  }
  return undefined;
}
