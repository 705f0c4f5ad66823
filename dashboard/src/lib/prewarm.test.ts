import { describe, expect, it } from 'vitest';
import { noDecisionTitle } from './prewarm.ts';

describe('noDecisionTitle', () => {
  it('names the function when there is one, and reads without one (no function has run yet)', () => {
    expect(noDecisionTitle('delivery-grant-access', 'live')).toBe(
      'No decision for delivery-grant-access yet (live)',
    );
    expect(noDecisionTitle('', 'live')).toBe('No decision yet (live)');
    expect(noDecisionTitle('', 'dry-run')).toBe('No decision yet (dry run)');
    expect(noDecisionTitle('delivery-grant-access', 'off')).toBe('Pre-warming loop off');
  });
});
