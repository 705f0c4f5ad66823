import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import {
  AIMessage,
  type BaseMessage,
  createAgent,
  createMiddleware,
  HumanMessage,
  ToolMessage,
  tool,
} from 'langchain';
import { estimateTokens } from './budget.ts';
import { classifyModelError } from './model-errors.ts';
import { concludeNotice, systemPrompt } from './prompt.ts';
import { StreamingUnmasker } from './masking.ts';
import { investigationSummary } from './summary.ts';
import { suggestionInput } from './suggestions.ts';
import { type TurnDeps, TurnRun } from './turn-run.ts';
import type { ChatAnswer, PriorTurn } from './answer.ts';
import { copilotLogger } from '../logger.ts';

const log = copilotLogger('chat');

export interface ChatModelHandle {
  provider: 'bedrock' | 'openai';
  /** Shown in answers and used for the price. */
  label: string;
  modelId: string;
  model: BaseChatModel;
}

export interface AgentTurnInput extends TurnDeps {
  model: ChatModelHandle;
  history: readonly PriorTurn[];
  question: string;
  /** Stream the answer (ConverseStream) or ask for it whole (Converse). @default true */
  stream?: boolean;
  /** The offline answer, used when the model cannot answer at all. */
  fallback?: () => Promise<string>;
  /** The whole answer's deadline (model calls and tools). @default 180000 */
  timeoutMs?: number;
}

const STOP_HEADLINES: Record<string, string> = {
  tool_limit: 'I stopped investigating: this answer used all the tool calls it may make.',
  model_limit: 'I stopped investigating: this answer used all the model calls it may make.',
  repeats: 'I stopped investigating: the same questions kept coming back, which would only cost tokens.',
  budget: "I stopped investigating: the incident's token and cost budget would not cover another model call.",
};

function textOf(message: BaseMessage | undefined): string {
  if (!message) return '';
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((part) => (typeof part === 'string' ? part : part.type === 'text' ? String(part.text ?? '') : ''))
    .join('');
}

/**
 * One answer from a LangChain v1 agent (`createAgent`) over the copilot's tools. The middleware is where the
 * guardrails live: every tool call is unmasked, checked (unknown tool, loop, provenance), cached and its result
 * masked; every model call is bounded by the loop and the budget, re-checked for anything left unmasked, and
 * its usage counted. Reaching a bound or a failing model ends the answer with a summary, never an exception.
 */
export async function runAgentTurn(input: AgentTurnInput): Promise<ChatAnswer> {
  const run = new TurnRun(input);
  const { masker, ledger, brief, guard, budget } = input;
  const toolNames = [...input.tools.map((t) => t.name), 'suggest_mitigation'];
  const malformed = new Map<string, string>();
  let concluded = false;

  const summaryMessage = (headline: string, partial?: string) =>
    new AIMessage(
      masker.mask(
        investigationSummary({
          headline,
          steps: run.steps,
          evidence: ledger.added(),
          partialAnswer: partial,
        }),
      ),
    );

  const tools = [
    ...input.tools.map((t) =>
      tool(async (args: Record<string, unknown>) => run.callTool(t, args), {
        name: t.name,
        description: t.description,
        schema: t.params,
      }),
    ),
    tool(async (args) => run.suggest(args, 'model'), {
      name: 'suggest_mitigation',
      description:
        'Recommend a mitigation to the on-call engineer, with the evidence ids that support it. It changes ' +
        'nothing: the engineer decides whether it becomes a proposal.',
      schema: suggestionInput,
    }),
  ];

  const guardrails = createMiddleware({
    name: 'IncidentGuardrails',
    wrapToolCall: async (request, handler) => {
      const call = request.toolCall;
      const id = call.id ?? '';
      const params = masker.unmaskDeep((call.args ?? {}) as Record<string, unknown>);
      const reply = (content: string, status: 'success' | 'error' = 'error') =>
        new ToolMessage({ content, tool_call_id: id, name: call.name, status });
      if (!request.tool)
        return reply(
          run.reject(
            call.name,
            params,
            'unknown_tool',
            `Error: there is no tool named "${call.name}". Available tools: ${toolNames.join(', ')}.`,
          ),
        );
      const bad = malformed.get(id);
      if (bad !== undefined)
        return reply(
          run.reject(
            call.name,
            params,
            'invalid_arguments',
            `Error: your arguments for ${call.name} were not a JSON object (${bad.slice(0, 120)}). Call it again with valid JSON.`,
          ),
        );
      try {
        const out = await handler({ ...request, toolCall: { ...call, args: params } });
        if (ToolMessage.isInstance(out) && typeof out.content === 'string')
          out.content = masker.mask(out.content);
        return out;
      } catch (error) {
        // Arguments that do not fit the tool's schema: the model reads why and may correct itself.
        return reply(
          run.reject(
            call.name,
            params,
            'invalid_arguments',
            `Error: invalid arguments for ${call.name}: ${(error as Error).message.slice(0, 400)}`,
          ),
        );
      }
    },
    wrapModelCall: async (request, handler) => {
      if (run.stopped) return summaryMessage(STOP_HEADLINES[run.stopped.reason] ?? run.stopped.detail);
      if (!guard.beginModelCall()) {
        run.stop('model_limit', 'model call limit');
        return summaryMessage(STOP_HEADLINES.model_limit ?? '');
      }
      let systemMessage = request.systemMessage;
      const concluding = guard.stopReason !== undefined;
      if (concluding) {
        if (concluded) {
          run.stop(
            guard.stopReason ?? 'tool_limit',
            'the model kept calling tools after it was told to answer',
          );
          return summaryMessage(STOP_HEADLINES[guard.stopReason ?? 'tool_limit'] ?? '');
        }
        concluded = true;
        systemMessage = systemMessage.concat(concludeNotice(guard.stopReason ?? 'limit reached'));
      }
      // The last line of defence: whatever is about to leave is masked again (a no-op when all is well).
      const messages = request.messages.map((m) => remask(m, masker));
      const estimate = estimateTokens(
        textOf(systemMessage) + JSON.stringify(messages.map((m) => m.content)) + JSON.stringify(toolNames),
      );
      const allowed = budget.allows(estimate + tools.length * 120);
      if (!allowed.ok) {
        run.stop('budget', allowed.reason);
        return summaryMessage(`${STOP_HEADLINES.budget} (${allowed.reason})`);
      }
      let response: AIMessage;
      try {
        response = (await handler({ ...request, systemMessage, messages })) as AIMessage;
      } catch (error) {
        const failure = classifyModelError(error, input.model.label);
        log.error(`model call failed (${failure.kind})`, { error });
        run.stop('model_error', failure.message);
        return new AIMessage(masker.mask(await failureText(run, input, failure.message)));
      }
      const usage = response.usage_metadata;
      run.recordUsage(
        usage
          ? { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, estimated: false }
          : { inputTokens: estimate, outputTokens: estimateTokens(textOf(response)), estimated: true },
      );
      // Tool calls whose arguments were not JSON: answered with an error, so the model can try again.
      for (const invalid of response.invalid_tool_calls ?? []) {
        const id = invalid.id ?? `invalid_${malformed.size + 1}`;
        malformed.set(id, invalid.error ?? String(invalid.args ?? ''));
        response.tool_calls = [
          ...(response.tool_calls ?? []),
          { id, name: invalid.name ?? 'unknown', args: {}, type: 'tool_call' },
        ];
      }
      if (concluding && response.tool_calls?.length) {
        run.stop(
          guard.stopReason ?? 'tool_limit',
          'the model kept calling tools after it was told to answer',
        );
        return summaryMessage(STOP_HEADLINES[guard.stopReason ?? 'tool_limit'] ?? '', textOf(response));
      }
      return response;
    },
  });

  const agent = createAgent({
    model: input.model.model,
    tools,
    systemPrompt: masker.mask(systemPrompt(brief, ledger.all(), run.nonce)),
    middleware: [guardrails],
  });
  const messages = [
    ...input.history.map((turn) =>
      turn.role === 'user' ? new HumanMessage(masker.mask(turn.text)) : new AIMessage(masker.mask(turn.text)),
    ),
    new HumanMessage(masker.mask(input.question)),
  ];
  const recursionLimit = (guard.limits.maxModelCalls + 2) * 3;
  // Every outbound call has a deadline: the model's requests inherit this signal.
  const signal = AbortSignal.timeout(input.timeoutMs ?? 180_000);
  let finalMessages: BaseMessage[] = [];
  try {
    finalMessages = await runGraph(
      agent,
      messages,
      { recursionLimit, signal },
      input.stream !== false,
      run,
      masker,
    );
  } catch (error) {
    // Past the deadline the graph itself rejects: the answer ends with what it has, like a failed model call.
    if (!signal.aborted) throw error;
    return deadlineAnswer(run, input, error);
  }
  return finish(run, input, finalMessages.at(-1));
}

type Agent = ReturnType<typeof createAgent>;

async function runGraph(
  agent: Agent,
  messages: BaseMessage[],
  options: { recursionLimit: number; signal: AbortSignal },
  stream: boolean,
  run: TurnRun,
  masker: TurnDeps['masker'],
): Promise<BaseMessage[]> {
  if (!stream) return (await agent.invoke({ messages }, options)).messages;
  let finalMessages: BaseMessage[] = [];
  const unmasker = new StreamingUnmasker(masker);
  const chunks = await agent.stream({ messages }, { streamMode: ['messages', 'values'], ...options });
  for await (const [mode, chunk] of chunks as AsyncIterable<[string, unknown]>) {
    if (mode === 'values') finalMessages = (chunk as { messages: BaseMessage[] }).messages;
    else {
      const [message, meta] = chunk as [BaseMessage, { langgraph_node?: string }];
      if (meta.langgraph_node !== 'model_request' || message.type !== 'ai') continue;
      const text = unmasker.push(textOf(message));
      if (text) run.emit({ type: 'delta', text });
    }
  }
  const rest = unmasker.flush();
  if (rest) run.emit({ type: 'delta', text: rest });
  return finalMessages;
}

/** The answer when the whole turn ran past its deadline: the offline answer, or a summary of what was done. */
async function deadlineAnswer(run: TurnRun, input: AgentTurnInput, error: unknown): Promise<ChatAnswer> {
  const failure = classifyModelError(error, input.model.label);
  log.error(`the answer ran past its deadline (${failure.kind})`, { error });
  run.stop('model_error', failure.message);
  return run.answer(input.model.provider, input.model.label, await failureText(run, input, failure.message));
}

/** What a failed turn says: why, then the offline answer, or a summary of what was done when there is none. */
async function failureText(run: TurnRun, input: AgentTurnInput, why: string): Promise<string> {
  const fallback = input.fallback
    ? await input.fallback().catch((error: unknown) => {
        log.error('the offline fallback failed', { error });
        return '';
      })
    : '';
  if (fallback) return `${why}.\n\n${fallback}`;
  return investigationSummary({ headline: `${why}.`, steps: run.steps, evidence: input.ledger.added() });
}

function finish(run: TurnRun, input: AgentTurnInput, last: BaseMessage | undefined): ChatAnswer {
  const { masker, ledger } = input;
  let text = masker.unmask(textOf(last)).trim();
  if (!text) {
    run.stop('model_error', 'the model returned an empty answer');
    text = investigationSummary({
      headline: `${input.model.label} returned an empty answer.`,
      steps: run.steps,
      evidence: ledger.added(),
    });
  }
  return run.answer(input.model.provider, input.model.label, text);
}

/** The same message with its text and tool arguments masked again. */
function remask(message: BaseMessage, masker: TurnDeps['masker']): BaseMessage {
  if (typeof message.content === 'string') {
    const masked = masker.mask(message.content);
    if (masked !== message.content) message.content = masked;
  } else {
    message.content = masker.maskDeep(message.content);
  }
  if (AIMessage.isInstance(message) && message.tool_calls?.length)
    message.tool_calls = message.tool_calls.map((call) => ({ ...call, args: masker.maskDeep(call.args) }));
  return message;
}
