import { describe, expect, it } from 'vitest';
import { requestedCapacity, roundUpToGrid, scheduleTime, toScheduledActions } from './schedule.ts';
import { type ProvisionedConcurrencyTarget, ScheduleApplier } from './target.ts';

const START = Date.UTC(2024, 5, 1, 8, 0, 0);
const times = Array.from({ length: 7 }, (_, i) => START + i * 60_000);
const plan = [0, 0, 5, 5, 1, 1, 0];

describe('Function: requestedCapacity', () => {
  it('requests increases one allocation ahead and keeps capacity until no later minute needs it', () => {
    expect(Array.from(requestedCapacity(times, plan, 1))).toEqual([0, 5, 5, 5, 1, 1, 0]);
    expect(Array.from(requestedCapacity(times, plan, 0))).toEqual(plan);
  });
});

describe('Function: toScheduledActions', () => {
  it('emits one PutScheduledAction per change, in UTC, for the alias', () => {
    const actions = toScheduledActions(times, plan, {
      functionName: 'access',
      alias: 'live',
      allocationMinutes: 1,
      gridRatio: 1,
    });
    expect(actions.map((a) => [a.Schedule, a.ScalableTargetAction.MinCapacity])).toEqual([
      ['at(2024-06-01T08:00:00)', 0],
      ['at(2024-06-01T08:01:00)', 5],
      ['at(2024-06-01T08:04:00)', 1],
      ['at(2024-06-01T08:06:00)', 0],
    ]);
    expect(actions[1]).toMatchObject({
      ServiceNamespace: 'lambda',
      ResourceId: 'function:access:live',
      ScalableDimension: 'lambda:function:ProvisionedConcurrency',
      ScheduledActionName: 'prewarm-access-20240601T080100',
      ScalableTargetAction: { MinCapacity: 5, MaxCapacity: 5 },
    });
  });

  it('rejects a function name Lambda would not accept', () => {
    expect(() => toScheduledActions(times, plan, { functionName: 'a:b', alias: 'live' })).toThrow(
      /function name/,
    );
  });
});

describe('Function: roundUpToGrid', () => {
  it('is exact for small values and coarse by at most the ratio for large ones', () => {
    expect([0, 1, 3, 10].map((v) => roundUpToGrid(v, 1.1))).toEqual([0, 1, 3, 10]);
    expect(roundUpToGrid(12, 1.1)).toBe(13);
    const large = roundUpToGrid(1000, 1.1);
    expect(large).toBeGreaterThanOrEqual(1000);
    expect(large).toBeLessThanOrEqual(1100);
  });
});

describe('Class: ScheduleApplier', () => {
  it('applies due actions to the target in event-time order', async () => {
    const calls: [string, number][] = [];
    const target: ProvisionedConcurrencyTarget = {
      setProvisionedConcurrency: async (name, value) => {
        calls.push([name, value]);
      },
    };
    const actions = toScheduledActions(times, plan, {
      functionName: 'access',
      alias: 'live',
      gridRatio: 1,
      allocationMinutes: 0,
    });
    const applier = new ScheduleApplier(target, 'access', actions);
    expect(await applier.advanceTo(START + 2 * 60_000)).toBe(2);
    expect(calls).toEqual([
      ['access', 0],
      ['access', 5],
    ]);
    expect(await applier.advanceTo(START + 2 * 60_000)).toBe(0);
    await applier.advanceTo(START + 10 * 60_000);
    expect(calls.map(([, value]) => value)).toEqual([0, 5, 1, 0]);
    expect(applier.pending).toBe(0);
  });

  it('wraps a failing target in a prewarm error that keeps the cause', async () => {
    const failure = new Error('emulator down');
    const target = { setProvisionedConcurrency: () => Promise.reject(failure) };
    const applier = new ScheduleApplier(
      target,
      'access',
      toScheduledActions(times, plan, { functionName: 'access', alias: 'live' }),
    );
    await expect(applier.advanceTo(START)).rejects.toMatchObject({ name: 'PrewarmError', cause: failure });
  });
});

describe('Function: scheduleTime', () => {
  it('reads an at() schedule as UTC and refuses anything else', () => {
    expect(scheduleTime('at(2024-06-01T08:01:00)')).toBe(START + 60_000);
    expect(() => scheduleTime('rate(5 minutes)')).toThrow(/one-time/);
  });
});
