import { costUsd, type ModelPrice } from './pricing.ts';

/**
 * An incident's token and cost budget. Before each model call the worst case of that call (the request's
 * estimated input plus the most output a call may produce) must fit in what is left; a call that would not fit
 * is not made, and the answer ends with a summary instead. Usage is what the provider reports; where it reports
 * nothing, the estimate stands in and is counted as estimated.
 */
export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  modelCalls: number;
  /** Model calls whose usage the provider did not report (counted from the estimate). */
  estimatedCalls: number;
}

export const NO_USAGE: UsageTotals = {
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  modelCalls: 0,
  estimatedCalls: 0,
};

export interface BudgetLimits {
  /** Input + output tokens per incident. */
  maxTokens: number;
  /** USD per incident (only enforceable for priced models). */
  maxCostUsd: number;
  /** The most a single model call may write (passed to the model as its max tokens). */
  maxOutputTokensPerCall: number;
}

export interface BudgetView {
  used: UsageTotals;
  limits: BudgetLimits;
  remainingTokens: number;
  /** null when the model has no price in the table (local endpoints): only tokens bound it then. */
  remainingUsd: number | null;
  exhausted: boolean;
}

/** About four characters per token for English text and JSON: the usual rule of thumb for BPE tokenisers. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export class TokenBudget {
  private used: UsageTotals;

  constructor(
    readonly limits: BudgetLimits,
    private readonly price: ModelPrice | undefined,
    used: UsageTotals = NO_USAGE,
  ) {
    this.used = { ...used };
  }

  /** Whether a call with about this much input may be made; the reason when not. */
  allows(estimatedInputTokens: number): { ok: true } | { ok: false; reason: string } {
    const worstTokens = estimatedInputTokens + this.limits.maxOutputTokensPerCall;
    const tokensLeft = this.limits.maxTokens - this.total();
    if (worstTokens > tokensLeft)
      return {
        ok: false,
        reason: `the incident's token budget has ${Math.max(0, tokensLeft)} of ${this.limits.maxTokens} tokens left; the next call could need ${worstTokens}`,
      };
    if (this.price) {
      const worstUsd = costUsd(this.price, estimatedInputTokens, this.limits.maxOutputTokensPerCall);
      const usdLeft = this.limits.maxCostUsd - this.used.costUsd;
      if (worstUsd > usdLeft)
        return {
          ok: false,
          reason: `the incident's cost budget has $${Math.max(0, usdLeft).toFixed(4)} of $${this.limits.maxCostUsd.toFixed(2)} left; the next call could cost $${worstUsd.toFixed(4)}`,
        };
    }
    return { ok: true };
  }

  /** Adds one model call; returns the delta, for the store's atomic counters. */
  record(call: { inputTokens: number; outputTokens: number; estimated: boolean }): UsageTotals {
    const delta: UsageTotals = {
      inputTokens: call.inputTokens,
      outputTokens: call.outputTokens,
      costUsd: costUsd(this.price, call.inputTokens, call.outputTokens),
      modelCalls: 1,
      estimatedCalls: call.estimated ? 1 : 0,
    };
    this.used = addUsage(this.used, delta);
    return delta;
  }

  view(): BudgetView {
    const remainingTokens = Math.max(0, this.limits.maxTokens - this.total());
    const remainingUsd = this.price ? Math.max(0, this.limits.maxCostUsd - this.used.costUsd) : null;
    return {
      used: { ...this.used },
      limits: this.limits,
      remainingTokens,
      remainingUsd,
      exhausted: !this.allows(0).ok,
    };
  }

  private total(): number {
    return this.used.inputTokens + this.used.outputTokens;
  }
}

export function addUsage(a: UsageTotals, b: UsageTotals): UsageTotals {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: a.costUsd + b.costUsd,
    modelCalls: a.modelCalls + b.modelCalls,
    estimatedCalls: a.estimatedCalls + b.estimatedCalls,
  };
}
