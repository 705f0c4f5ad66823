import { z } from 'zod';
import type { CapacityPolicy } from './simulator.ts';

/** Provisioned concurrency fixed ahead of time, one value per minute (a plan, an oracle, a constant). */
export function scheduledPolicy(name: string, capacity: ArrayLike<number>): CapacityPolicy {
  return { name, capacityAt: (minute) => capacity[minute] ?? 0 };
}

export function constantPolicy(name: string, value: number): CapacityPolicy {
  return { name, capacityAt: () => value };
}

const targetTrackingSchema = z.object({
  /** ProvisionedConcurrencyUtilization the policy steers to. */
  target: z.number().gt(0).lt(1).default(0.7),
  minCapacity: z.number().int().min(1).default(1),
  maxCapacity: z.number().int().positive().default(10_000),
  /** The scale-out alarm fires after this many consecutive minutes above target. */
  scaleOutDatapoints: z.number().int().positive().default(3),
  /** The scale-in alarm needs this many consecutive minutes below 90 % of target. */
  scaleInDatapoints: z.number().int().positive().default(15),
  /** A minute's metric reaches CloudWatch alarms about a minute after the minute ends. */
  metricDelayMinutes: z.number().int().min(0).default(1),
  /** New provisioned environments take minutes to initialise before they serve. */
  allocationMinutes: z.number().int().min(0).default(3),
});

export type TargetTrackingOptions = z.input<typeof targetTrackingSchema>;

/**
 * Application Auto Scaling target tracking on LambdaProvisionedConcurrencyUtilization (Average), as AWS
 * creates it: a high alarm on 3 one-minute datapoints, a low alarm on 15, capacity scaled by metric/target.
 * The metric saturates at 1 when demand overflows to on-demand, so a burst is chased at most ×1/target per
 * step, and each step waits for its environments to be allocated.
 *
 * The alarms are sliding windows over the datapoints, and an alarm with an Auto Scaling action invokes it
 * again every minute it stays in ALARM; Lambda's scalable targets have no cooldown by default (0 s both
 * ways). So a step is followed by another while the window still breaches: scale-out goes on every minute
 * once the previous step's environments are allocated while the last 3 datapoints are above the target, and
 * scale-in goes on while the last 15 are all below 90 % of it (documented: the repeated actions, the 0 s
 * cooldowns; assumed: that a scale-out waits for the previous allocation).
 *
 * Assumed, because AWS does not say which capacity a late datapoint scales: a scale-in acts only on a
 * datapoint measured on the capacity it scales. A datapoint reaches the alarm a minute late, so the one after
 * a scale-in was measured before it; the low alarm acts again only on a datapoint measured once the reduced
 * capacity is in effect (no overshoot: AWS describes Lambda's scale-in as smaller periodic steps and target
 * tracking's as more conservative than its scale-out).
 */
export function targetTrackingPolicy(options: TargetTrackingOptions = {}): CapacityPolicy {
  return scheduledFloorWithTargetTracking(null, options);
}

/**
 * Scheduled actions that set MinCapacity (the forecast plan) with target tracking scaling above them, as
 * Application Auto Scaling runs the two together on one scalable target: a minimum above the current
 * capacity raises it at once (the plan asked early enough for allocation to finish in time); a lower
 * minimum changes nothing by itself, and capacity comes down only when the scale-in alarm fires, never
 * below the minimum in effect. Target tracking keeps reacting to the utilisation metric throughout.
 */
export function scheduledFloorWithTargetTracking(
  floor: ArrayLike<number> | null,
  options: TargetTrackingOptions = {},
): CapacityPolicy {
  const config = targetTrackingSchema.parse(options);
  const minimumAt = (minute: number) => Math.max(config.minCapacity, floor ? (floor[minute] ?? 0) : 0);
  let capacity = config.minCapacity;
  /** A scale-out Lambda is still allocating: no new activity starts until it completes. */
  let allocating: { value: number; at: number } | null = null;
  /** Scale-ins decided but not yet in effect (each takes effect the minute it is acted on), oldest first. */
  const stepsDown: { value: number; at: number }[] = [];
  const history: number[] = [];
  /** The first minute measured on the capacity in effect (or on the scale-in decided last, once it acts). */
  let measuredOnCapacityFrom = 0;
  const setCapacity = (value: number, minute: number) => {
    if (value !== capacity) measuredOnCapacityFrom = minute;
    capacity = value;
  };
  return {
    name: floor ? 'forecast floor + target tracking 70%' : 'target tracking 70%',
    capacityAt(minute) {
      if (allocating && minute >= allocating.at) {
        setCapacity(allocating.value, allocating.at);
        allocating = null;
      }
      while (stepsDown.length > 0 && minute >= stepsDown[0]!.at) {
        const step = stepsDown.shift()!;
        setCapacity(step.value, step.at);
      }
      const minimum = minimumAt(minute);
      if (capacity < minimum) {
        setCapacity(minimum, minute);
        // A raise by the schedule supersedes a smaller scale-in or scale-out still under way.
        if (allocating && allocating.value <= minimum) allocating = null;
        stepsDown.length = 0;
      }
      return capacity;
    },
    observe(minute, utilisation) {
      history.push(utilisation);
      if (history.length > config.scaleInDatapoints) history.shift();
      if (allocating) return;
      // The capacity in effect when this datapoint is acted on, which may be a scale-in decided a minute ago.
      const pending = stepsDown.at(-1);
      const current = pending?.value ?? capacity;
      const measuredOnCurrent = minute >= (pending?.at ?? measuredOnCapacityFrom);
      const recent = history.slice(-config.scaleOutDatapoints);
      const decidedAt = minute + 1 + config.metricDelayMinutes;
      const desired = Math.ceil((current * utilisation) / config.target);
      if (recent.length === config.scaleOutDatapoints && recent.every((u) => u > config.target)) {
        const value = Math.min(config.maxCapacity, Math.max(current + 1, desired));
        allocating = { value, at: decidedAt + config.allocationMinutes };
        stepsDown.length = 0;
      } else if (
        measuredOnCurrent &&
        history.length === config.scaleInDatapoints &&
        history.every((u) => u < 0.9 * config.target)
      ) {
        const value = Math.max(minimumAt(decidedAt), desired);
        if (value < current) stepsDown.push({ value, at: decidedAt });
      }
    },
  };
}
