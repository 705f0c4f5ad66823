import { describe, expect, it } from 'vitest';
import { scheduledFloorWithTargetTracking, targetTrackingPolicy } from './policies.ts';

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

describe('Function: scheduledFloorWithTargetTracking', () => {
  it('raises capacity to a scheduled minimum at once and keeps it until the scale-in alarm fires', () => {
    const floor = [0, 0, 30, 30, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5];
    const policy = scheduledFloorWithTargetTracking(floor, { allocationMinutes: 0 });
    expect(policy.capacityAt(0)).toBe(1);
    policy.observe!(0, 0.7);
    policy.capacityAt(1);
    policy.observe!(1, 0.7);
    expect(policy.capacityAt(2)).toBe(30);
    policy.observe!(2, 0.2);
    // The minimum drops to 5, capacity stays at 30 while fewer than 15 cool minutes were seen.
    for (let minute = 3; minute < 16; minute++) {
      expect(policy.capacityAt(minute)).toBe(30);
      policy.observe!(minute, 0.2);
    }
    policy.capacityAt(16);
    policy.observe!(16, 0.2);
    // Scale-in to ⌈30 × 0.2 / 0.7⌉ = 9, above the minimum of 5.
    expect(policy.capacityAt(18)).toBe(9);
  });

  it('never scales in below the minimum in effect, and still scales out above it', () => {
    const floor = new Array(60).fill(20);
    const policy = scheduledFloorWithTargetTracking(floor, { allocationMinutes: 0 });
    for (let minute = 0; minute < 20; minute++) {
      expect(policy.capacityAt(minute)).toBe(20);
      policy.observe!(minute, 0.1);
    }
    for (let minute = 20; minute < 23; minute++) {
      policy.capacityAt(minute);
      policy.observe!(minute, 1);
    }
    expect(policy.capacityAt(25)).toBe(Math.ceil(20 / 0.7));
  });
});
