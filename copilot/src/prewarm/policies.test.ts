import { describe, expect, it } from 'vitest';
import { scheduledFloorWithTargetTracking, targetTrackingPolicy } from './policies.ts';
import type { CapacityPolicy } from './simulator.ts';

/** The capacity of each minute from 0, observing `utilisation(minute, capacity)` after each. */
function capacitiesUnder(
  policy: CapacityPolicy,
  minutes: number,
  utilisation: (minute: number, capacity: number) => number,
): number[] {
  const capacities: number[] = [];
  for (let minute = 0; minute < minutes; minute++) {
    const capacity = policy.capacityAt(minute);
    capacities.push(capacity);
    policy.observe!(minute, utilisation(minute, capacity));
  }
  return capacities;
}

/** The utilisation of `busy(minute)` environments on the capacity in effect (saturating at 1). */
const busy = (environments: (minute: number) => number) => (minute: number, capacity: number) =>
  Math.min(1, environments(minute) / capacity);

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
    capacitiesUnder(policy, 3, () => 1);
    expect(policy.capacityAt(4)).toBe(Math.ceil(10 / 0.7));
  });

  it('scales in only after fifteen cool minutes', () => {
    // Starts at 20 (a one-minute minimum), then the minimum is 1.
    const policy = scheduledFloorWithTargetTracking([20], { allocationMinutes: 0 });
    for (let minute = 0; minute < 14; minute++) {
      expect(policy.capacityAt(minute)).toBe(20);
      policy.observe!(minute, 0.35);
    }
    policy.capacityAt(14);
    policy.observe!(14, 0.35);
    expect(policy.capacityAt(15)).toBe(20);
    expect(policy.capacityAt(16)).toBe(Math.ceil((20 * 0.35) / 0.7));
  });

  it('scales out again as soon as a step is allocated while the high alarm stays in ALARM', () => {
    // AWS re-invokes an Auto Scaling action every minute its alarm stays in ALARM, and Lambda's scalable
    // targets have no cooldown: the datapoints from before the step still fill the alarm's window.
    const policy = targetTrackingPolicy({ allocationMinutes: 0, minCapacity: 10 });
    expect(capacitiesUnder(policy, 7, () => 1)).toEqual([10, 10, 10, 10, 15, 15, 22]);
  });

  it('scales in again only on a datapoint measured on the reduced capacity, never on an earlier one', () => {
    // 35 environments busy until minute 20, then 5; 100 held by a minimum until minute 20, then the minimum is 1.
    const policy = scheduledFloorWithTargetTracking(new Array(20).fill(100), { allocationMinutes: 0 });
    const capacities = capacitiesUnder(
      policy,
      23,
      busy((minute) => (minute < 20 ? 35 : 5)),
    );
    // Decided on minute 18's datapoint (at 100): ⌈100 × 0.35 / 0.7⌉ = 50 from minute 20. Minute 19's datapoint
    // was also measured at 100 and does not scale the 50 (no overshoot to 25). Minute 20's, measured at 50
    // (0.1), still breaches the low alarm: ⌈50 × 0.1 / 0.7⌉ = 8 from minute 22.
    expect(capacities.slice(18)).toEqual([100, 100, 50, 50, 8]);
  });

  it('keeps scaling out every minute the high alarm stays in ALARM after a scale-in', () => {
    // 100 held until minute 20, 35 busy: a scale-in to 50, then a surge fills the alarm's window.
    const policy = scheduledFloorWithTargetTracking(new Array(20).fill(100), { allocationMinutes: 0 });
    const capacities = capacitiesUnder(
      policy,
      28,
      busy((minute) => (minute < 21 ? 35 : 200)),
    );
    // Minutes 21–23 saturate at 50: ⌈50 / 0.7⌉ = 72 from minute 25. Once it is allocated the window (minutes
    // 23–25) still breaches, and the alarm acts again at once: ⌈72 / 0.7⌉ = 103 from minute 27.
    expect(capacities.slice(20)).toEqual([50, 50, 50, 50, 50, 72, 72, 103]);
  });
});

describe('Function: scheduledFloorWithTargetTracking', () => {
  it('never scales out above the maximum capacity', () => {
    const policy = targetTrackingPolicy({ allocationMinutes: 0, minCapacity: 10, maxCapacity: 12 });
    capacitiesUnder(policy, 3, () => 1);
    expect(policy.capacityAt(4)).toBe(12);
  });

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
