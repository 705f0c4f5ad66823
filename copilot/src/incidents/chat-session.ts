import { runAgentTurn } from '../chat/agent.ts';
import type { ChatAnswer, PriorTurn } from '../chat/answer.ts';
import { type BudgetView, TokenBudget, type UsageTotals } from '../chat/budget.ts';
import type { ChatConfig } from '../chat/config.ts';
import { type Diagnostician, diagnoseTool } from '../chat/diagnostician.ts';
import { EvidenceLedger } from '../chat/evidence.ts';
import { TelemetryShield } from '../chat/injection.ts';
import { LoopGuard } from '../chat/loop-guard.ts';
import { Masker } from '../chat/masking.ts';
import type { ModelChoice } from '../chat/models.ts';
import { OFFLINE_LABEL, runOfflineTurn } from '../chat/offline.ts';
import type { IncidentBrief } from '../chat/prompt.ts';
import type { TurnEvent } from '../chat/turn-run.ts';
import type { AnyCopilotTool } from '../chat/tools.ts';
import type { IncidentStore } from './incident-store.ts';
import type { ChatMessage, Incident } from './types.ts';
import { copilotLogger } from '../logger.ts';

const log = copilotLogger('incidents');

/** What the incident chat runs on: its configuration, the model (none offline), the tools, the diagnostician. */
export interface ChatSetup {
  config: ChatConfig;
  model?: ModelChoice;
  tools: readonly AnyCopilotTool[];
  diagnostician?: Diagnostician;
}

export function chatLabel(setup: ChatSetup): { mode: ChatConfig['mode']; model: string } {
  return setup.model
    ? { mode: setup.model.handle.provider, model: setup.model.handle.label }
    : { mode: 'offline', model: OFFLINE_LABEL };
}

export function incidentBudget(setup: ChatSetup, used: UsageTotals): TokenBudget {
  const { budget } = setup.config;
  return new TokenBudget(
    {
      maxTokens: budget.maxTokensPerIncident,
      maxCostUsd: budget.maxCostUsdPerIncident,
      maxOutputTokensPerCall: budget.maxOutputTokensPerCall,
    },
    setup.model?.price,
    used,
  );
}

function briefOf(incident: Incident): IncidentBrief {
  const finding = incident.context.finding;
  return {
    id: incident.id,
    title: incident.title,
    openedAt: incident.openedAt,
    origin: finding ? `finding ${finding.kind} ${finding.id}` : 'an operator',
    window: incident.window,
    context: {
      ...(finding
        ? {
            finding: {
              id: finding.id,
              kind: finding.kind,
              severity: finding.severity,
              subject: finding.subject,
              firstSeen: finding.firstSeen,
              detectedAt: finding.detectedAt,
              score: finding.score,
              summary: finding.summary,
              evidence: finding.evidence,
              ...(finding.mitigation ? { mitigation: finding.mitigation } : {}),
            },
          }
        : {}),
      ...(incident.context.note ? { note: incident.context.note } : {}),
    },
  };
}

export interface SessionResult {
  answer: ChatAnswer;
  /** What this answer spent, from the budget itself (it also counts calls of an agent that then failed). */
  usage: UsageTotals;
  masker: Masker;
  shield: TelemetryShield;
  ledger: EvidenceLedger;
  budget: BudgetView;
}

/**
 * One answer in an incident: restores the incident's masking vault, shield, evidence and usage from the store,
 * runs the model's agent (or the offline diagnostician), and hands back everything the service must persist.
 * An agent that fails outright (which it should not: bounds end in summaries) still yields an offline answer.
 */
export async function answerInIncident(input: {
  setup: ChatSetup;
  store: IncidentStore;
  incident: Incident;
  history: readonly ChatMessage[];
  question: string;
  clock: () => number;
  onEvent: (event: TurnEvent) => void;
}): Promise<SessionResult> {
  const { setup, store, incident } = input;
  const state = await store.state(incident.id);
  const masker = new Masker(state.vault);
  const subject = incident.context.finding?.subject ?? {};
  if (subject.accountId) masker.remember(subject.accountId, 'account');
  if (subject.tokenId) masker.remember(subject.tokenId, 'token');
  if (subject.ip) masker.remember(subject.ip, 'ip');
  const brief = briefOf(incident);
  const toolNames = [...setup.tools.map((t) => t.name), 'diagnose', 'suggest_mitigation'];
  const shield = new TelemetryShield(toolNames, state.shield);
  shield.trustText(input.question);
  shield.trustStructured(brief.context);
  const ledger = new EvidenceLedger(await store.listCitations(incident.id));
  const budget = incidentBudget(setup, state.usage);
  const deps = {
    brief,
    masker,
    ledger,
    shield,
    budget,
    cache: store.toolCache(incident.id, input.clock),
    onEvent: input.onEvent,
  };
  const offline = (question: string) =>
    runOfflineTurn({
      ...deps,
      tools: setup.tools,
      guard: new LoopGuard(setup.config.loop),
      question,
      ...(setup.diagnostician ? { diagnostician: setup.diagnostician } : {}),
    });
  let answer: ChatAnswer;
  if (!setup.model) {
    answer = await offline(input.question);
  } else {
    const history: PriorTurn[] = input.history
      .slice(-setup.config.historyMessages)
      .map((m) => ({ role: m.role, text: m.text }));
    try {
      answer = await runAgentTurn({
        ...deps,
        model: setup.model.handle,
        // The model may ask the diagnostician too: its ranked hypotheses are a good first step.
        tools: setup.diagnostician ? [diagnoseTool(setup.diagnostician), ...setup.tools] : setup.tools,
        guard: new LoopGuard(setup.config.loop),
        history,
        question: input.question,
        timeoutMs: setup.config.answerTimeoutSeconds * 1000,
        fallback: async () => (await offline(input.question)).text,
      });
    } catch (error) {
      log.error(`the chat agent failed in ${incident.id}`, { error });
      const fallback = await offline(input.question);
      answer = {
        ...fallback,
        text: `${setup.model.handle.label} could not answer (${(error as Error)?.message ?? error}).\n\n${fallback.text}`,
        stopped: { reason: 'model_error', detail: String((error as Error)?.message ?? error) },
      };
    }
  }
  const after = budget.view();
  const usage = Object.fromEntries(
    Object.entries(after.used).map(([key, value]) => [key, value - state.usage[key as keyof UsageTotals]]),
  ) as unknown as UsageTotals;
  return { answer: { ...answer, usage, budget: after }, usage, masker, shield, ledger, budget: after };
}
