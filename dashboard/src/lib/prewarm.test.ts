import { describe, expect, it } from 'vitest';
import { noDecisionTitle, notPlanned } from './prewarm.ts';
import type { PrewarmLoopStatus } from './types.ts';

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

describe('notPlanned', () => {
  const status: PrewarmLoopStatus = {
    mode: 'live',
    functions: [
      'delivery-register-device',
      'delivery-list-devices',
      'delivery-admin-audit',
      'delivery-admin-list-tokens',
    ],
    bounds: { min: 0, max: 1000 },
    leadMinutes: 5,
    allocationMinutes: 3,
    intervalMs: 60_000,
  };

  it('says so for a function the loop leaves to the tunables, naming what it plans', () => {
    expect(notPlanned('delivery-grant-access', status)).toEqual({
      title: 'The pre-warming loop does not plan delivery-grant-access',
      body: 'Its provisioned concurrency is left to the approved tunables (changed through a change set). The loop plans delivery-register-device, delivery-list-devices, delivery-admin-audit and 1 more.',
    });
  });

  it('says nothing for a planned function, with no function chosen, or with the loop off', () => {
    expect(notPlanned('delivery-list-devices', status)).toBeUndefined();
    expect(notPlanned('', status)).toBeUndefined();
    expect(notPlanned('delivery-grant-access', { ...status, mode: 'off', functions: [] })).toBeUndefined();
  });
});
