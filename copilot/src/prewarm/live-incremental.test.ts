import { describe, expect, it } from 'vitest';
import type { DemandMinute } from './demand.ts';
import { FunctionPlan } from './live-plan.ts';
import { type DemandReader, type LiveDecision, type LivePrewarmConfig, LivePrewarmer } from './live.ts';
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

/** The loop over the one function `reader`, at the test's history, lead and allocation; `config` overrides. */
function loopOver(demand: DemandReader, config: Partial<LivePrewarmConfig> = {}) {
  return new LivePrewarmer(
    {
      functions: ['reader'],
      historyMinutes: DAY,
      leadMinutes: LEAD,
      allocationMinutes: ALLOCATION,
      maxCapacity: 100_000,
      dryRun: true,
      ...config,
    },
    {
      demand,
      target: { setProvisionedConcurrency: async () => {} },
      audit: async () => {},
    },
  );
}

/** One plan of every minute from `from` on (the minutes after the trace idle), as the evaluation makes it. */
function fullPlan(
  series: DemandMinute[],
  from: number,
  durationMs: number,
  events: number[] = [],
  lead = LEAD,
) {
  const idle = Array.from({ length: lead + ALLOCATION }, (_, i) => {
    const time = series.at(-1)!.time + (i + 1) * MINUTE;
    return { time, timestamp: new Date(time).toISOString(), requests: 0, peakRps: 0 };
  });
  const rows = [...series.slice(from), ...idle];
  const plan = planProvisionedConcurrency(rows, { durationMs, leadMinutes: lead, events });
  return { plan, requested: requestedCapacity(plan.times, plan.capacity, ALLOCATION) };
}

describe('LivePrewarmer, incremental', () => {
  // Five days with a daily cycle, noise and a release burst every evening; a second trace with another seed.
  const series = dailyDemand(5, 5);

  it('makes every decision a full plan of its history would make, over days of ticks, some skipped', async () => {
    const duration = { ms: 300 };
    const loop = loopOver(reader(series, duration));
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

  it('reads no minute before it has settled, and decides as one plan of the complete minutes at its lead', async () => {
    // Metrics as CloudWatch publishes them: a minute that ended less than two minutes before the tick's
    // minute began holds half its requests, at a duration far from the true 300 ms.
    let current = 0;
    const asked: { to: number; current: number }[] = [];
    const late: DemandReader = {
      demand: (_name, fromMs, toMs) => {
        asked.push({ to: toMs, current });
        const settled = (m: DemandMinute) => m.time + MINUTE <= current - 2 * MINUTE;
        const minutes = series
          .filter((m) => m.time >= fromMs && m.time < toMs)
          .map((m) => (settled(m) ? m : { ...m, requests: Math.floor(m.requests / 2) }));
        const partial = minutes.some((m) => !settled(m));
        return { minutes, meanDurationMs: partial ? 900 : 300 };
      },
    };
    const run = async (config: Partial<LivePrewarmConfig>, rows: number) => {
      const loop = loopOver(late, config);
      const got: { row: number; decision: LiveDecision }[] = [];
      for (let row = DAY; row < DAY + rows; row++) {
        current = series[0]!.time + row * MINUTE;
        const [decision] = await loop.tick(current + 20_000);
        got.push({ row, decision: decision! });
      }
      return got;
    };
    const settledRun = await run({ leadMinutes: LEAD + 1, settleMinutes: 2 }, DAY);
    expect(asked.every(({ to, current: at }) => to <= at - 2 * MINUTE)).toBe(true);
    const { requested } = fullPlan(series, 0, 300, [], LEAD + 1);
    expect(settledRun.map(({ decision }) => decision.durationMs).every((ms) => ms === 300)).toBe(true);
    expect(settledRun.map(({ decision }) => decision.planned)).toEqual(
      settledRun.map(({ row }) => requested[row]),
    );
    // Not vacuous: reading minutes as soon as the plan could use them takes in partial ones.
    asked.length = 0;
    const eager = await run({}, 60);
    expect(asked.some(({ to, current: at }) => to > at - 2 * MINUTE)).toBe(true);
    expect(eager.some(({ decision }) => decision.durationMs !== 300)).toBe(true);
  });

  it('refuses a settle delay the lead leaves no room for', () => {
    expect(() => loopOver(reader(series, { ms: 300 }), { settleMinutes: 2 })).toThrow(
      /leadMinutes must exceed allocationMinutes \+ settleMinutes/,
    );
  });

  it('keeps a running mean duration and starts again from the history once it moves beyond its tolerance', async () => {
    // Requests take 300 ms, and 360 ms from the third day on: the mean the metrics give is that of the window read.
    const change = series[2 * DAY]!.time;
    const windows: [number, number][] = [];
    const loop = loopOver({
      demand: (_name, fromMs, toMs) => {
        windows.push([fromMs, toMs]);
        const minutes = series.filter((m) => m.time >= fromMs && m.time < toMs);
        const requests = minutes.reduce((sum, m) => sum + m.requests, 0);
        const longer = minutes.reduce((sum, m) => sum + (m.time < change ? 0 : m.requests), 0);
        return { minutes, meanDurationMs: requests > 0 ? 300 + (60 * longer) / requests : null };
      },
    });
    const at = (row: number) => series[0]!.time + row * MINUTE + 20_000;
    const before = fullPlan(series, 0, 300).requested;
    let restart: { row: number; decision: LiveDecision } | null = null;
    for (let row = DAY; row < 3 * DAY && !restart; row++) {
      const [decision] = await loop.tick(at(row));
      if (decision!.durationMs !== 300) restart = { row, decision: decision! };
      else expect(decision!.planned).toBe(before[row]);
    }
    // An hour of longer requests moves a day's mean by about 1 %: within the 5 % tolerance, the plan goes on.
    expect(restart!.row).toBeGreaterThan(2 * DAY + 60);
    expect(restart!.row).toBeLessThan(3 * DAY);
    const { durationMs, planned } = restart!.decision;
    expect(durationMs).toBeGreaterThan(315);
    expect(durationMs).toBeLessThan(320);
    // It starts again over the last day at the new mean, as one plan of that day would.
    expect(planned).toBe(fullPlan(series, restart!.row - DAY, durationMs).requested[DAY]);
    // The history is read when the plan starts and starts again; in between, each tick reads one new minute.
    const long = windows.filter(([from, to]) => to - from > MINUTE);
    expect(long).toHaveLength(2);
    expect(windows.length).toBe(restart!.row - DAY + 2);
  });

  it('plans with the release calendar it is given, as one plan with that calendar would', async () => {
    // The trace's evening bursts start at 18:00 every day: a calendar that knows it.
    const events = Array.from({ length: 5 }, (_, day) => series[0]!.time + (day * DAY + 18 * 60) * MINUTE);
    const loop = loopOver(reader(series, { ms: 300 }), { events });
    const withCalendar = fullPlan(series, 0, 300, events).requested;
    const without = fullPlan(series, 0, 300).requested;
    const rows: number[] = [];
    const planned: number[] = [];
    for (let row = DAY; row < 3 * DAY; row++) {
      const [decision] = await loop.tick(series[0]!.time + row * MINUTE + 20_000);
      rows.push(row);
      planned.push(decision!.planned);
    }
    expect(planned).toEqual(rows.map((row) => withCalendar[row]));
    // Not vacuous: the calendar raises the bursts' first hour above the plan without it (and, through the
    // warm on-demand environments the plan counts on, the keep-alive and lead after it), and nothing else.
    const raised = rows.filter((row) => withCalendar[row]! > without[row]!);
    expect(raised.length).toBeGreaterThan(5);
    const offsets = raised.map((row) => (row % DAY) - 18 * 60);
    expect(offsets.filter((o) => o < -ALLOCATION || o >= 60 + 10 + LEAD + ALLOCATION)).toEqual([]);
  });

  it('starts again when the loop was away for longer than the history it reads', async () => {
    const loop = loopOver(reader(series, { ms: 300 }));
    const at = (row: number) => series[0]!.time + row * MINUTE + 20_000;
    await loop.tick(at(DAY));
    const [after] = await loop.tick(at(3 * DAY));
    expect(after!.planned).toBe(fullPlan(series, 2 * DAY, 300).requested[DAY]);
  });

  it('reports the newest minute it read and what the guards made of the plan', async () => {
    const loop = loopOver(reader(series, { ms: 300 }), { maxCapacity: 2 });
    const row = 2 * DAY + 18 * 60 + 10; // inside the evening burst
    const [decision] = await loop.tick(series[0]!.time + row * MINUTE + 20_000);
    // The newest minute a tick plans from: two minutes old at lead 5 with 3 minutes to allocate.
    expect(decision!.demand).toMatchObject({
      minute: series[row - 2]!.time,
      invocations: series[row - 2]!.requests,
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
