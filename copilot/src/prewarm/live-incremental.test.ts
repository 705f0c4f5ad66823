import { describe, expect, it } from 'vitest';
import type { DemandMinute } from './demand.ts';
import { FunctionPlan } from './live-plan.ts';
import { type DemandReader, type LiveDecision, LivePrewarmer } from './live.ts';
import { planProvisionedConcurrency } from './planner.ts';
import { requestedCapacity } from './schedule.ts';
import { dailyDemand } from './test-support.ts';

const MINUTE = 60_000;
const DAY = 1440;
const LEAD = 5;
const ALLOCATION = 3;

/** Demand as metrics give it: the rows of [from, to) only, at a duration the test may change. */
function reader(series: DemandMinute[], duration: { ms: number }): DemandReader {
  return {
    demand: (_name, fromMs, toMs) => ({
      minutes: series.filter((m) => m.time >= fromMs && m.time < toMs),
      meanDurationMs: duration.ms,
    }),
  };
}

function loopOver(series: DemandMinute[], duration: { ms: number }) {
  return new LivePrewarmer(
    {
      functions: ['reader'],
      historyMinutes: DAY,
      leadMinutes: LEAD,
      allocationMinutes: ALLOCATION,
      maxCapacity: 100_000,
      dryRun: true,
    },
    {
      demand: reader(series, duration),
      target: { setProvisionedConcurrency: async () => {} },
      audit: async () => {},
    },
  );
}

/** One plan of every minute from `from` on (the minutes after the trace idle), as the evaluation makes it. */
function fullPlan(series: DemandMinute[], from: number, durationMs: number) {
  const idle = Array.from({ length: LEAD + ALLOCATION }, (_, i) => {
    const time = series.at(-1)!.time + (i + 1) * MINUTE;
    return { time, timestamp: new Date(time).toISOString(), requests: 0, peakRps: 0 };
  });
  const rows = [...series.slice(from), ...idle];
  const plan = planProvisionedConcurrency(rows, { durationMs, leadMinutes: LEAD });
  return { plan, requested: requestedCapacity(plan.times, plan.capacity, ALLOCATION) };
}

describe('LivePrewarmer, incremental', () => {
  // Five days with a daily cycle, noise and a release burst every evening; a second trace with another seed.
  const series = dailyDemand(5, 5);

  it('makes every decision a full plan of its history would make, over days of ticks, some skipped', async () => {
    const duration = { ms: 300 };
    const loop = loopOver(series, duration);
    const { plan, requested } = fullPlan(series, 0, 300);
    const got: { row: number; decision: LiveDecision }[] = [];
    // Ticks from the end of the first day, 20 s into each minute; every 97th minute the loop misses three.
    for (let row = DAY; row < series.length; row++) {
      if (row % 97 < 3) continue;
      const [decision] = await loop.tick(series[0]!.time + row * MINUTE + 20_000);
      got.push({ row, decision: decision! });
    }
    expect(got.length).toBeGreaterThan(3.5 * DAY);
    const planned = got.map(({ decision }) => decision.planned);
    const expected = got.map(({ row }) => requested[row]!);
    expect(planned).toEqual(expected);
    expect(got.map(({ decision }) => decision.median)).toEqual(
      got.map(({ row }) => plan.median[row + ALLOCATION]),
    );
    expect(got.map(({ decision }) => decision.upper)).toEqual(
      got.map(({ row }) => plan.upper[row + ALLOCATION]),
    );
    // The trace has something to decide: the evening bursts move the request up and down.
    expect(new Set(planned).size).toBeGreaterThan(10);
    expect(got.map(({ decision }) => decision.plannedMinute)).toEqual(
      got.map(({ row }) => series[0]!.time + (row + ALLOCATION) * MINUTE),
    );
  });

  it('starts again from the history when the mean duration moves beyond its tolerance', async () => {
    const duration = { ms: 300 };
    const loop = loopOver(series, duration);
    const at = (row: number) => series[0]!.time + row * MINUTE + 20_000;
    for (let row = DAY; row < 2 * DAY; row++) await loop.tick(at(row));
    // 4 % is within the default 5 %: the plan goes on with the duration it started with.
    duration.ms = 312;
    const [within] = await loop.tick(at(2 * DAY));
    expect(within!.planned).toBe(fullPlan(series, 0, 300).requested[2 * DAY]);
    // 20 % longer requests: the plan starts again over the last day at the new duration.
    duration.ms = 360;
    const [moved] = await loop.tick(at(2 * DAY + 1));
    expect(moved!.planned).toBe(fullPlan(series, DAY + 1, 360).requested[DAY]);
  });

  it('starts again when the loop was away for longer than the history it reads', async () => {
    const loop = loopOver(series, { ms: 300 });
    const at = (row: number) => series[0]!.time + row * MINUTE + 20_000;
    await loop.tick(at(DAY));
    const [after] = await loop.tick(at(3 * DAY));
    expect(after!.planned).toBe(fullPlan(series, 2 * DAY, 300).requested[DAY]);
  });

  it('reports the last minute it read and what the guards made of the plan', async () => {
    const loop = new LivePrewarmer(
      { functions: ['reader'], historyMinutes: DAY, maxCapacity: 2, dryRun: true },
      {
        demand: reader(series, { ms: 300 }),
        target: { setProvisionedConcurrency: async () => {} },
        audit: async () => {},
      },
    );
    const row = 2 * DAY + 18 * 60 + 10; // inside the evening burst
    const [decision] = await loop.tick(series[0]!.time + row * MINUTE + 20_000);
    expect(decision!.demand).toMatchObject({
      minute: series[row - 1]!.time,
      invocations: series[row - 1]!.requests,
    });
    expect(decision!.planned).toBeGreaterThan(2);
    expect(decision!.requested).toBe(2);
  });
});

describe('Class: FunctionPlan', () => {
  it('holds a bounded number of rows however long it runs', () => {
    const long = dailyDemand(10, 9);
    const plan = new FunctionPlan(long[0]!.time, 300, {
      leadMinutes: LEAD,
      allocationMinutes: ALLOCATION,
      historyMinutes: DAY,
      coldStartCost: 20,
      maxCapacity: 100_000,
    });
    const retained: number[] = [];
    for (let row = DAY; row < long.length; row += 1) {
      // Only the last minutes: the plan reads each minute once, when it becomes old enough.
      plan.advance(long[row]!.time, long.slice(row - 10, row));
      if (row % DAY === 0) retained.push(plan.retainedRows);
    }
    // The keep-alive (10 minutes), the lead and the allocation window: the same after one day or nine.
    expect(Math.max(...retained)).toBeLessThanOrEqual(30);
    expect(retained.at(-1)).toBe(retained[1]);
  });
});
