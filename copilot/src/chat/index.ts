// The incident chat: a LangChain agent over the copilot's tools (or the offline diagnostician) with its guardrails.
export type { ChatAnswer, ChatMode } from './answer.ts';
export type { BudgetView, UsageTotals } from './budget.ts';
export { type ChatConfig, chatConfigSchema } from './config.ts';
export type { Diagnosis, Diagnostician, Hypothesis } from './diagnostician.ts';
export type { Citation } from './evidence.ts';
export { Masker } from './masking.ts';
export type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
export { createBedrockClient } from './models.ts';
export { chatPartsFrom, loadRunbooks } from './registry-tools.ts';
export type { Suggestion, SuggestedAction } from './suggestions.ts';
export type { ToolStep } from './summary.ts';
export type { AnyCopilotTool, CopilotTool, Evidence, ToolResult } from './tools.ts';
