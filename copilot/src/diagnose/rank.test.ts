import { describe, expect, it } from 'vitest';
import { type BlameFacts, DEFAULT_RANK_OPTIONS, rankComponents } from './rank.ts';
import type { Signal } from './types.ts';

const AT = Date.UTC(2026, 10, 2, 10, 30);
const BLAME: BlameFacts = {
  origins: new Map(),
  troubledTraces: 0,
  callees: new Map(),
  errorTraces: new Map(),
  bucketMs: 5000,
  atMs: AT,
  windowMs: 30 * 60_000,
};

const pattern = (component: string, strength: number, facts: Signal['facts']): Signal => ({
  component,
  kind: 'new_error_pattern',
  strength,
  onsetMs: AT - 60_000,
  facts,
  detail: `new pattern at ${component}`,
  evidence: [],
});

describe('Function: rankComponents, warning patterns', () => {
  it('weighs a warning pattern that names no fault as a warning, below a weaker error pattern', () => {
    const ranked = rankComponents(
      [
        pattern('caller', 40, { level: 'warn', count: 100, before: 0 }),
        pattern('callee', 12, { level: 'error', count: 20, before: 0 }),
      ],
      BLAME,
    );
    expect(ranked.map((r) => r.component)).toEqual(['callee', 'caller']);
  });

  it('keeps the full weight of a warning pattern whose words say why (a rejected token)', () => {
    const ranked = rankComponents(
      [
        pattern('verifier', 40, { level: 'warn', count: 100, before: 0, signatureWords: 1 }),
        pattern('other', 30, { level: 'error', count: 20, before: 0 }),
      ],
      BLAME,
    );
    expect(ranked[0]?.component).toBe('verifier');
  });

  it('weighs a bare warning pattern at the warnings weight, whatever the error patterns weigh', () => {
    const scoreWith = (errorPatternWeight: number) =>
      rankComponents([pattern('caller', 40, { level: 'warn', count: 100, before: 0 })], BLAME, {
        ...DEFAULT_RANK_OPTIONS,
        weights: { ...DEFAULT_RANK_OPTIONS.weights, new_error_pattern: errorPatternWeight },
      })[0]?.score;
    expect(scoreWith(1)).toBeGreaterThan(0);
    expect(scoreWith(2)).toBe(scoreWith(1));
  });
});
