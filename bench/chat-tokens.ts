/**
 * Tokens per incident of the incident chat, on the recorded Bedrock conversations replayed by the local Converse
 * server and in offline mode. The replay server counts what the copilot actually sent and received at ~4
 * characters per token (the recordings carry no usage), so the figures measure our prompts, tool results and
 * history, not a model's verbosity. Also two runaway models (one that never stops calling tools, one with a small
 * budget) to show the bounds hold. Costs at the price table's Claude 3.5 Haiku rate.
 */
import {
  askBedrock,
  askOffline,
  FakeDiagnostician,
  loadRecording,
  type ReplayStep,
  TIMEOUT_DIAGNOSIS,
} from '@boundless/copilot/testing';

type Result = Record<string, number | string>;

/** A model that asks one new question after another and never answers. */
function runaway(n: number): ReplayStep[] {
  return Array.from({ length: n }, (_, i) => ({
    reply: {
      content: [
        {
          toolUse: {
            toolUseId: `tooluse_R${i}`,
            name: i % 2 ? 'traces' : 'logs_query',
            input:
              i % 2
                ? { filter: `fault-${i}` }
                : { query: `filter @message like /pattern-${i}/`, limit: 5 + i },
          },
        },
      ],
    },
  }));
}

export async function run(): Promise<Result> {
  const out: Result = {};
  const cases: [string, ReplayStep[], Parameters<typeof askBedrock>[2]][] = [
    ['dependency_timeout', loadRecording('bedrock-dependency-timeout'), {}],
    ['repeated_calls', loadRecording('bedrock-repeated-calls'), {}],
    ['planted_instructions', loadRecording('bedrock-planted-instructions'), {}],
    ['runaway_default_limits', runaway(30), {}],
    ['runaway_budget_10k', runaway(30), { budget: { maxTokensPerIncident: 10_000 } }],
  ];
  let worst = 0;
  for (const [name, steps, options] of cases) {
    const { answer } = await askBedrock(steps, 'Why is catalog availability burning its budget?', options);
    const tokens = answer.usage.inputTokens + answer.usage.outputTokens;
    worst = Math.max(worst, tokens);
    out[`${name}_tokens`] = tokens;
    out[`${name}_model_calls`] = answer.usage.modelCalls;
    out[`${name}_cost_usd`] = Number(answer.usage.costUsd.toFixed(5));
    out[`${name}_stopped`] = answer.stopped?.reason ?? 'answered';
    out[`${name}_budget_tokens`] = answer.budget.limits.maxTokens;
  }
  const offline = await askOffline('What is going on?', new FakeDiagnostician(TIMEOUT_DIAGNOSIS));
  out.offline_tokens = offline.usage.inputTokens + offline.usage.outputTokens;
  out.offline_model_calls = offline.usage.modelCalls;
  out.worst_replayed_answer_tokens = worst;
  return out;
}
