import { describe, expect, it } from 'vitest';
import { targetTrackingPolicy } from './policies.ts';

describe('Function: targetTrackingPolicy', () => {
  it('scales out after three hot minutes, once the metric arrives and environments are allocated', () => {
    const policy = targetTrackingPolicy({ allocationMinutes: 3 });
    for (let minute = 0; minute <= 2; minute++) {
      expect(policy.capacityAt(minute)).toBe(1);
      policy.observe!(minute, 1);
    }
    // Decided at minute 2 + 1 (minute over) + 1 (metric delay), ready 3 minutes later.
    for (let minute = 3; minute <= 6; minute++) {
      expect(policy.capacityAt(minute)).toBe(1);
      policy.observe!(minute, 1);
    }
    expect(policy.capacityAt(7)).toBe(2);
  });

  it('chases a saturated metric by at most 1/target per step', () => {
    const policy = targetTrackingPolicy({ allocationMinutes: 0, minCapacity: 10 });
    for (let minute = 0; minute < 3; minute++) {
      policy.capacityAt(minute);
      policy.observe!(minute, 1);
    }
    expect(policy.capacityAt(4)).toBe(Math.ceil(10 / 0.7));
  });

  it('scales in only after fifteen cool minutes', () => {
    const policy = targetTrackingPolicy({ allocationMinutes: 0, minCapacity: 1 });
    // Grow to 20 first.
    let minute = 0;
    while (policy.capacityAt(minute) < 20) policy.observe!(minute++, 1);
    const grown = policy.capacityAt(minute);
    for (let i = 0; i < 14; i++) {
      expect(policy.capacityAt(minute)).toBe(grown);
      policy.observe!(minute++, 0.35);
    }
    policy.observe!(minute, 0.35);
    expect(policy.capacityAt(minute + 2)).toBe(Math.ceil((grown * 0.35) / 0.7));
  });
});
