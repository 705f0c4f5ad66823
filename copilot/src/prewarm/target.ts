import { PrewarmError } from './errors.ts';
import { type ScheduledAction, scheduleTime } from './schedule.ts';

/** Anything that can hold provisioned concurrency: the local Lambda emulator, or Lambda itself. */
export interface ProvisionedConcurrencyTarget {
  setProvisionedConcurrency(functionName: string, value: number): Promise<void>;
  /**
   * Where the last request stands, for targets that allocate in the background (Lambda): a request accepted
   * can still fail to allocate. Null when no config is held. Targets that apply at once leave it out.
   */
  allocation?(functionName: string): Promise<ProvisionedAllocation | null>;
}

/** Lambda's view of a provisioned-concurrency config (GetProvisionedConcurrencyConfig). */
export interface ProvisionedAllocation {
  readonly status: 'IN_PROGRESS' | 'READY' | 'FAILED';
  readonly requested: number;
  readonly allocated: number;
  /** Why allocation failed, as Lambda words it. */
  readonly reason?: string;
}

/**
 * Plays scheduled actions against a target as event time advances, so a replayed day pre-warms the local
 * emulator exactly when Application Auto Scaling would have.
 */
export class ScheduleApplier {
  private readonly due: { time: number; value: number }[];
  private next = 0;

  constructor(
    private readonly target: ProvisionedConcurrencyTarget,
    private readonly functionName: string,
    actions: readonly ScheduledAction[],
  ) {
    this.due = actions
      .map((action) => ({
        time: scheduleTime(action.Schedule),
        value: action.ScalableTargetAction.MinCapacity,
      }))
      .sort((a, b) => a.time - b.time);
  }

  /** Applies every action due at or before `eventTime`; returns how many it applied. */
  async advanceTo(eventTime: number): Promise<number> {
    let applied = 0;
    while (this.next < this.due.length && this.due[this.next]!.time <= eventTime) {
      const action = this.due[this.next]!;
      try {
        await this.target.setProvisionedConcurrency(this.functionName, action.value);
      } catch (error) {
        throw new PrewarmError(
          `setting provisioned concurrency of ${this.functionName} to ${action.value} failed`,
          { cause: error },
        );
      }
      this.next++;
      applied++;
    }
    return applied;
  }

  get pending(): number {
    return this.due.length - this.next;
  }
}
