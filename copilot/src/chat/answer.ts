import type { BudgetView, UsageTotals } from './budget.ts';
import type { Citation } from './evidence.ts';
import type { MaskKind } from './masking.ts';
import type { Suggestion } from './suggestions.ts';
import type { ToolStep } from './summary.ts';
import type { TurnStop } from './turn-run.ts';

/** An earlier message of the conversation, as the model sees it again (final texts only, no tool output). */
export interface PriorTurn {
  role: 'user' | 'assistant';
  text: string;
}

export type ChatMode = 'offline' | 'bedrock' | 'openai';

/** One answer of the incident chat, whatever produced it. */
export interface ChatAnswer {
  mode: ChatMode;
  /** The model (or `offline diagnostician`). */
  model: string;
  /** Unmasked, with only citations that exist. */
  text: string;
  /** The evidence the text cites, in order of first use. */
  citations: Citation[];
  /** Ids the model cited that do not exist (removed from the text). */
  unknownCitations: string[];
  /** Sentences that make a claim, and how many of them cite evidence. */
  coverage: { claims: number; cited: number };
  suggestions: Suggestion[];
  steps: ToolStep[];
  /** This answer's model usage. */
  usage: UsageTotals;
  /** The incident's budget after it. */
  budget: BudgetView;
  /** Set when a bound or a failure ended the investigation early. */
  stopped?: TurnStop;
  /** Strings withheld from the model because they read like instructions. */
  withheld: number;
  /** Distinct values masked so far in this incident, by kind. */
  masked: Partial<Record<MaskKind, number>>;
}
