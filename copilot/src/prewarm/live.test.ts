import { describe, expect, it, vi } from 'vitest';
import type { DemandMinute } from './demand.ts';
import { PrewarmError } from './errors.ts';
import { type DemandReader, LivePrewarmer, type PrewarmAuditEntry } from './live.ts';
import { planProvisionedConcurrency } from './planner.ts';
import { requestedCapacity } from './schedule.ts';
import { dailyDemand } from './test-support.ts';

const MINUTE = 60_000;
const DAY = 1440;

/** Demand that the test holds: rows before `nowMs` only, as metrics would be. */
function reader(series: Record<string, DemandMinute[]>, durationMs = 300): DemandReader {
  return {
    demand: (name, fromMs, toMs) => ({
      minutes: (series[name] ?? []).filter((m) => m.time >= fromMs && m.time < toMs),
      meanDurationMs: series[name] ? durationMs : null,
    }),
  };
}

function recorder(fail: (name: string, value: number) => boolean = () => false) {
  const calls: { name: string; value: number }[] = [];
  const audit: PrewarmAuditEntry[] = [];
  return {
    calls,
    audit,
    target: {
      setProvisionedConcurrency: async (name: string, value: number) => {
        if (fail(name, value)) throw new Error(`refused ${value}`);
        calls.push({ name, value });
      },
    },
    auditPort: async (entry: PrewarmAuditEntry) => {
      audit.push(entry);
    },
  };
}

const demand = dailyDemand(3);
const at = (row: number) => demand[0]!.time + row * MINUTE;

describe('Class: LivePrewarmer', () => {
  it('requests what the evaluated live plan gives the coming minutes, from complete minutes only', async () => {
    const io = recorder();
    const loop = new LivePrewarmer(
      { functions: ['reader'], historyMinutes: DAY, leadMinutes: 5, allocationMinutes: 3 },
      { demand: reader({ reader: demand }), target: io.target, audit: io.auditPort },
    );
    const now = 2 * DAY + 18 * 60 - 2; // two minutes before the daily release
    const [decision] = await loop.tick(at(now) + 20_000);
    // The same planner on the same window, rows ahead idle: the request is the largest row over the allocation.
    const rows = demand
      .slice(now - DAY, now + 5)
      .map((m, i) => (i < DAY ? m : { ...m, requests: 0, peakRps: 0 }));
    const plan = planProvisionedConcurrency(rows, { durationMs: 300, leadMinutes: 5 });
    const expected = requestedCapacity(plan.times, plan.capacity, 3)[DAY]!;
    expect(decision!.requested).toBe(expected);
    expect(decision!.requested).toBeGreaterThan(0);
    expect(io.calls).toEqual([{ name: 'reader', value: expected }]);
    // Demand at or after the current minute never reaches the plan.
    const flooded = demand.map((m, i) =>
      i >= now ? { ...m, requests: m.requests * 40, peakRps: m.peakRps * 40 } : m,
    );
    const again = new LivePrewarmer(
      { functions: ['reader'], historyMinutes: DAY },
      { demand: reader({ reader: flooded }), target: recorder().target, audit: async () => {} },
    );
    expect((await again.tick(at(now) + 20_000))[0]!.requested).toBe(expected);
  });

  it('applies and audits changes only, with the forecast behind each', async () => {
    const io = recorder();
    const loop = new LivePrewarmer(
      { functions: ['reader'], historyMinutes: DAY },
      { demand: reader({ reader: demand }), target: io.target, audit: io.auditPort },
    );
    const values: number[] = [];
    for (let row = 2 * DAY + 17 * 60 + 30; row < 2 * DAY + 18 * 60 + 30; row++)
      values.push((await loop.tick(at(row)))[0]!.requested);
    const changes = values.filter((v, i) => i === 0 || v !== values[i - 1]).length;
    expect(io.calls).toHaveLength(changes);
    expect(io.audit).toHaveLength(changes);
    // The release at 18:00 is seen in the plan: capacity rises within the window.
    expect(Math.max(...values)).toBeGreaterThan(values[0]! * 1.5);
    const entry = io.audit[1]!;
    expect(entry).toMatchObject({
      actor: 'copilot:prewarm',
      action: 'prewarm_set_provisioned_concurrency',
      subject: 'reader',
    });
    expect(entry.detail).toMatchObject({
      from: io.calls[0]!.value,
      to: io.calls[1]!.value,
      coldStartCost: 20,
      dryRun: false,
    });
    expect(entry.detail.forecastP90 as number).toBeGreaterThanOrEqual(entry.detail.forecastMedian as number);
  });

  it('in dry run plans and audits but changes nothing', async () => {
    const io = recorder();
    const loop = new LivePrewarmer(
      { functions: ['reader'], dryRun: true },
      { demand: reader({ reader: demand }), target: io.target, audit: io.auditPort },
    );
    const [decision] = await loop.tick(at(2 * DAY + 600));
    expect(decision!.applied).toBe(false);
    expect(io.calls).toEqual([]);
    expect(io.audit[0]!.detail).toMatchObject({ dryRun: true, to: decision!.requested });
    // The next minute audits only a change from what it would have requested.
    const [next] = await loop.tick(at(2 * DAY + 601));
    expect(next!.previous).toBe(decision!.requested);
    expect(io.audit).toHaveLength(next!.requested === decision!.requested ? 1 : 2);
  });

  it('keeps within its guards, and a refused change is audited without stopping other functions', async () => {
    const io = recorder((name) => name === 'broken');
    const loop = new LivePrewarmer(
      { functions: ['broken', 'reader'], maxCapacity: 3, minCapacity: 1 },
      { demand: reader({ reader: demand, broken: demand }), target: io.target, audit: io.auditPort },
    );
    const [broken, fine] = await loop.tick(at(2 * DAY + 600));
    expect(broken!.error).toMatch(/refused 3/);
    expect(fine!.requested).toBe(3);
    expect(io.calls).toEqual([{ name: 'reader', value: 3 }]);
    expect(io.audit.map((e) => e.action)).toEqual([
      'prewarm_apply_failed',
      'prewarm_set_provisioned_concurrency',
    ]);
    // Nothing known yet: the floor is the guard.
    const idle = new LivePrewarmer(
      { functions: ['new-fn'], minCapacity: 1 },
      { demand: reader({}), target: io.target, audit: io.auditPort },
    );
    expect((await idle.tick(at(10)))[0]!.requested).toBe(1);
    // With no floor and nothing to provision yet, capacity someone else set is left alone.
    const quiet = recorder();
    const untouched = new LivePrewarmer(
      { functions: ['new-fn'] },
      { demand: reader({}), target: quiet.target, audit: quiet.auditPort },
    );
    expect((await untouched.tick(at(10)))[0]!).toMatchObject({ requested: 0, applied: false });
    expect(quiet.calls).toEqual([]);
    expect(quiet.audit).toEqual([]);
  });

  it('reads its request back before each change, and a read that fails is audited, not thrown', async () => {
    const io = recorder();
    let reads = 0;
    const target = {
      ...io.target,
      allocation: async () => {
        reads += 1;
        throw new Error('throttled');
      },
    };
    const loop = new LivePrewarmer(
      { functions: ['new-fn'], minCapacity: 2 },
      { demand: reader({}), target, audit: io.auditPort },
    );
    // Nothing requested yet: nothing to read back.
    expect((await loop.tick(at(10)))[0]!.allocationFailed).toBeUndefined();
    expect(reads).toBe(0);
    const [second] = await loop.tick(at(11));
    expect(reads).toBe(1);
    expect(second).toMatchObject({ requested: 2, allocationFailed: expect.stringMatching(/throttled/) });
    expect(io.audit.map((e) => e.action)).toEqual([
      'prewarm_set_provisioned_concurrency',
      'prewarm_readback_failed',
    ]);
    // A dry run requests nothing, so it reads nothing back.
    const dry = new LivePrewarmer(
      { functions: ['new-fn'], minCapacity: 2, dryRun: true },
      { demand: reader({}), target, audit: io.auditPort },
    );
    await dry.tick(at(10));
    await dry.tick(at(11));
    expect(reads).toBe(1);
  });

  it('rejects a bad configuration with a clear error', () => {
    const ports = { demand: reader({}), target: recorder().target, audit: async () => {} };
    expect(() => new LivePrewarmer({ functions: [] }, ports)).toThrow(PrewarmError);
    expect(
      () => new LivePrewarmer({ functions: ['a'], leadMinutes: 3, allocationMinutes: 3 }, ports),
    ).toThrow(/leadMinutes must exceed allocationMinutes/);
    expect(() => new LivePrewarmer({ functions: ['a'], minCapacity: 5, maxCapacity: 2 }, ports)).toThrow(
      /minCapacity/,
    );
    expect(() => new LivePrewarmer({ functions: ['a b'] }, ports)).toThrow(/function name/);
    expect(() => new LivePrewarmer({ functions: ['a'], coldStart: 3 } as never, ports)).toThrow(/coldStart/);
  });

  it('ticks on its interval once started, at the clock it is given, until stopped', async () => {
    vi.useFakeTimers();
    try {
      const io = recorder();
      const loop = new LivePrewarmer(
        { functions: ['reader'], intervalMs: 60_000 },
        { demand: reader({ reader: demand }), target: io.target, audit: io.auditPort },
      );
      const ticks: number[] = [];
      let minute = 2 * DAY + 600;
      loop.start(
        () => at(minute++),
        (decisions) => ticks.push(decisions[0]!.plannedMinute),
      );
      await vi.advanceTimersByTimeAsync(3 * 60_000);
      await loop.stop();
      await vi.advanceTimersByTimeAsync(3 * 60_000);
      // Three ticks, each planning one minute further on; none after stop().
      expect(ticks).toHaveLength(3);
      expect(ticks[1]! - ticks[0]!).toBe(MINUTE);
      expect(io.calls.length).toBeGreaterThan(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports an audit store that fails, and the change stands', async () => {
    const io = recorder();
    const errors: unknown[] = [];
    const loop = new LivePrewarmer(
      { functions: ['reader'] },
      {
        demand: reader({ reader: demand }),
        target: io.target,
        audit: async () => {
          throw new Error('table gone');
        },
        onAuditError: (error) => errors.push(error),
      },
    );
    await loop.tick(at(2 * DAY + 600));
    expect(io.calls).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).cause).toBeInstanceOf(Error);
  });
});
