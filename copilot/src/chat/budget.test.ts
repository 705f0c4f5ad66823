import { describe, expect, it } from 'vitest';
import { TokenBudget } from './budget.ts';
import { costUsd, loadPriceTable, priceFor } from './pricing.ts';

const limits = { maxTokens: 10_000, maxCostUsd: 0.01, maxOutputTokensPerCall: 1_000 };

describe('Function: priceFor', () => {
  it('finds a model by id and by cross-region inference profile, and knows nothing of others', () => {
    const table = loadPriceTable();
    expect(priceFor(table, 'anthropic.claude-3-5-haiku-20241022-v1:0')).toMatchObject({
      inputPerMillion: 0.8,
    });
    expect(priceFor(table, 'us.anthropic.claude-3-5-haiku-20241022-v1:0')).toMatchObject({
      outputPerMillion: 4,
    });
    expect(priceFor(table, 'llama3.1:8b')).toBeUndefined();
  });
});

describe('Class: TokenBudget', () => {
  it('allows a call whose worst case fits and refuses one that does not', () => {
    const budget = new TokenBudget(limits, undefined);
    expect(budget.allows(8_000).ok).toBe(true);
    budget.record({ inputTokens: 8_000, outputTokens: 500, estimated: false });
    const verdict = budget.allows(600);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok || verdict.reason).toMatch(/1500 of 10000 tokens left/);
  });

  it('bounds cost for priced models, with the table price', () => {
    const price = { inputPerMillion: 3, outputPerMillion: 15 };
    const budget = new TokenBudget({ ...limits, maxTokens: 1_000_000 }, price);
    budget.record({ inputTokens: 2_000, outputTokens: 100, estimated: false });
    expect(budget.view().used.costUsd).toBeCloseTo(costUsd(price, 2_000, 100), 10);
    // $0.0075 spent of $0.01: a 1,000-token answer alone ($0.015) no longer fits.
    expect(budget.allows(0).ok).toBe(false);
    expect(budget.view()).toMatchObject({ exhausted: true, remainingUsd: expect.closeTo(0.0025, 6) });
  });

  it('counts calls whose usage was estimated', () => {
    const budget = new TokenBudget(limits, undefined);
    const delta = budget.record({ inputTokens: 10, outputTokens: 2, estimated: true });
    expect(delta).toMatchObject({ modelCalls: 1, estimatedCalls: 1, costUsd: 0 });
    expect(budget.view().remainingUsd).toBeNull();
  });
});
