import { z } from 'zod';
import { PrewarmError } from './errors.ts';

const MINUTE_MS = 60_000;

const SCALABLE_DIMENSION = 'lambda:function:ProvisionedConcurrency';

/** The input of Application Auto Scaling's PutScheduledAction for a Lambda alias. */
export interface ScheduledAction {
  readonly ServiceNamespace: 'lambda';
  readonly ScheduledActionName: string;
  readonly ResourceId: string;
  readonly ScalableDimension: typeof SCALABLE_DIMENSION;
  /** `at(yyyy-mm-ddThh:mm:ss)` in UTC. */
  readonly Schedule: string;
  readonly Timezone: 'UTC';
  readonly ScalableTargetAction: { readonly MinCapacity: number; readonly MaxCapacity: number };
}

const scheduleOptionsSchema = z.object({
  functionName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a Lambda function name'),
  alias: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a Lambda alias'),
  /** Increases are requested this long before they are needed; decreases wait until they are. */
  allocationMinutes: z.number().int().min(0).default(3),
  /** Upper bound left to other policies (target tracking) on top of the planned floor. */
  maxCapacity: z.number().int().min(0).optional(),
  /**
   * Requested values are rounded up to a geometric grid of this ratio, trading at most that much extra
   * capacity for far fewer actions (Application Auto Scaling keeps 200 scheduled actions per target).
   */
  gridRatio: z.number().min(1).default(1.1),
});

export type ScheduleOptions = z.input<typeof scheduleOptionsSchema>;

function formatAt(time: number): string {
  return new Date(time).toISOString().slice(0, 19);
}

/**
 * Capacity to request at each minute so that every planned minute is covered once allocation finishes: the
 * largest planned value over the next `allocation` minutes. Increases therefore move earlier by the
 * allocation time, decreases never cut capacity a later minute still needs.
 */
export function requestedCapacity(
  times: readonly number[],
  capacity: ArrayLike<number>,
  allocationMinutes: number,
): Int32Array {
  const requested = new Int32Array(times.length);
  const horizon = allocationMinutes * MINUTE_MS;
  const window: number[] = [];
  let ahead = times.length - 1;
  for (let row = times.length - 1; row >= 0; row--) {
    // Monotonic deque of row indexes with decreasing capacity, covering rows in [row, row + allocation].
    while (window.length > 0 && capacity[window[window.length - 1]!]! <= capacity[row]!) window.pop();
    window.push(row);
    while (ahead > row && times[ahead]! > times[row]! + horizon) ahead--;
    while (window[0]! > ahead) window.shift();
    requested[row] = capacity[window[0]!]!;
  }
  return requested;
}

/** Smallest value ≥ `value` on the grid 0, 1, 2, … ceil(r^k): exact for small values, coarse for large. */
export function roundUpToGrid(value: number, ratio: number): number {
  if (value <= 0 || ratio === 1) return Math.max(0, value);
  let level = 1;
  while (level < value) level = Math.max(level + 1, Math.ceil(level * ratio));
  return level;
}

/** Scheduled actions for a plan, one per change of requested capacity (the first row always gets one). */
export function toScheduledActions(
  times: readonly number[],
  capacity: ArrayLike<number>,
  options: ScheduleOptions,
): ScheduledAction[] {
  const parsed = scheduleOptionsSchema.safeParse(options);
  if (!parsed.success) throw new PrewarmError(`bad schedule options: ${parsed.error.message}`);
  const config = parsed.data;
  if (times.length !== capacity.length) throw new PrewarmError('times and capacity differ in length');
  const requested = requestedCapacity(times, capacity, config.allocationMinutes).map((value) =>
    roundUpToGrid(value, config.gridRatio),
  );
  const actions: ScheduledAction[] = [];
  let previous = -1;
  requested.forEach((value, row) => {
    if (value === previous) return;
    previous = value;
    const at = formatAt(times[row]!);
    actions.push({
      ServiceNamespace: 'lambda',
      ScheduledActionName: `prewarm-${config.functionName}-${at.replace(/[-:]/g, '')}`,
      ResourceId: `function:${config.functionName}:${config.alias}`,
      ScalableDimension: SCALABLE_DIMENSION,
      Schedule: `at(${at})`,
      Timezone: 'UTC',
      ScalableTargetAction: { MinCapacity: value, MaxCapacity: Math.max(value, config.maxCapacity ?? value) },
    });
  });
  return actions;
}

/** Event time (epoch ms) of an `at(yyyy-mm-ddThh:mm:ss)` schedule in UTC. */
export function scheduleTime(schedule: string): number {
  const match = /^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$/.exec(schedule);
  const time = match ? Date.parse(`${match[1]}Z`) : Number.NaN;
  if (Number.isNaN(time)) throw new PrewarmError(`not a one-time schedule: "${schedule}"`);
  return time;
}
