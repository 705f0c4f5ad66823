import type { BurnRateAlert, SloDefinition } from './definitions.ts';
import { burnRate, type ErrorBudget, errorBudget } from './math.ts';

export const MINUTE_MS = 60_000;

export interface WindowBurn {
  minutes: number;
  validEvents: number;
  badEvents: number;
  burnRate: number;
}

/** An alert pair changing state at the end of an event-time minute. */
export interface AlertTransition {
  sloId: string;
  alert: BurnRateAlert;
  state: 'firing' | 'resolved';
  /** End of the minute whose close changed the state (windows cover the minutes before it). */
  atMs: number;
  long: WindowBurn;
  short: WindowBurn;
  budget: ErrorBudget;
  /** Start of the earliest minute with bad events inside the long window: where the trouble began. */
  firstBadMs: number;
}

interface AlertState {
  alert: BurnRateAlert;
  longIdx: number;
  shortIdx: number;
  firingSinceMs: number | null;
}

/**
 * Per-SLO counters: a ring of per-minute (valid, bad) buckets long enough for the widest window, plus a running
 * sum per distinct window so closing a minute costs O(windows), not O(minutes).
 */
export class SloTracker {
  private readonly capacity: number;
  private readonly validRing: Uint32Array;
  private readonly badRing: Uint32Array;
  private readonly windows: number[];
  private readonly sumValid: Float64Array;
  private readonly sumBad: Float64Array;
  private readonly budgetIdx: number;
  private readonly currentIdx: number;
  readonly alertStates: AlertState[];

  constructor(
    readonly slo: SloDefinition,
    alerts: readonly BurnRateAlert[],
    currentBurnMinutes: number,
  ) {
    const wanted = [
      slo.windowMinutes,
      currentBurnMinutes,
      ...alerts.flatMap((a) => [a.longMinutes, a.shortMinutes]),
    ];
    this.windows = [...new Set(wanted)];
    // One spare slot: the slot of the minute being opened is cleared only after every window has let it go.
    this.capacity = Math.max(...this.windows) + 1;
    this.validRing = new Uint32Array(this.capacity);
    this.badRing = new Uint32Array(this.capacity);
    this.sumValid = new Float64Array(this.windows.length);
    this.sumBad = new Float64Array(this.windows.length);
    this.budgetIdx = this.windows.indexOf(slo.windowMinutes);
    this.currentIdx = this.windows.indexOf(currentBurnMinutes);
    this.alertStates = alerts.map((alert) => ({
      alert,
      longIdx: this.windows.indexOf(alert.longMinutes),
      shortIdx: this.windows.indexOf(alert.shortMinutes),
      firingSinceMs: null,
    }));
  }

  /** Oldest minute still held, relative to the open minute. */
  get horizonMinutes(): number {
    return this.capacity - 1;
  }

  private slot(minute: number): number {
    return ((minute % this.capacity) + this.capacity) % this.capacity;
  }

  /** Counts one event into its minute; a late minute is also added to the closed windows that cover it. */
  record(minute: number, openMinute: number, bad: boolean): void {
    const slot = this.slot(minute);
    this.validRing[slot]! += 1;
    if (bad) this.badRing[slot]! += 1;
    if (minute === openMinute) return;
    for (let i = 0; i < this.windows.length; i++) {
      if (minute < openMinute - this.windows[i]!) continue;
      this.sumValid[i]! += 1;
      if (bad) this.sumBad[i]! += 1;
    }
  }

  /** Moves `minute` into every window and lets the minute that falls out of each window go. */
  close(minute: number, out: AlertTransition[]): void {
    const slot = this.slot(minute);
    for (let i = 0; i < this.windows.length; i++) {
      const leaving = this.slot(minute - this.windows[i]!);
      this.sumValid[i]! += this.validRing[slot]! - this.validRing[leaving]!;
      this.sumBad[i]! += this.badRing[slot]! - this.badRing[leaving]!;
    }
    this.evaluate((minute + 1) * MINUTE_MS, minute, out);
  }

  /** Valid and bad events counted so far in a minute the ring still holds. */
  minuteCounts(minute: number): { validEvents: number; badEvents: number } {
    const slot = this.slot(minute);
    return { validEvents: this.validRing[slot]!, badEvents: this.badRing[slot]! };
  }

  /** Clears the slot a new minute reuses; its previous minute has left every window by now. */
  open(minute: number): void {
    const slot = this.slot(minute);
    this.validRing[slot] = 0;
    this.badRing[slot] = 0;
  }

  /** After a gap longer than every window nothing is left to count. */
  clear(): void {
    this.validRing.fill(0);
    this.badRing.fill(0);
    this.sumValid.fill(0);
    this.sumBad.fill(0);
  }

  /** Index of a window length this tracker keeps, for `windowBurn`. */
  windowIndex(minutes: number): number {
    const idx = this.windows.indexOf(minutes);
    if (idx < 0) throw new RangeError(`no ${minutes}-minute window is kept for SLO ${this.slo.id}`);
    return idx;
  }

  windowBurn(idx: number): WindowBurn {
    const validEvents = this.sumValid[idx]!;
    const badEvents = this.sumBad[idx]!;
    return {
      minutes: this.windows[idx]!,
      validEvents,
      badEvents,
      burnRate: burnRate(badEvents, validEvents, this.slo.objective),
    };
  }

  budget(): ErrorBudget {
    return errorBudget({
      objective: this.slo.objective,
      windowMinutes: this.slo.windowMinutes,
      validEvents: this.sumValid[this.budgetIdx]!,
      badEvents: this.sumBad[this.budgetIdx]!,
      currentBurnRate: this.windowBurn(this.currentIdx).burnRate,
    });
  }

  private evaluate(atMs: number, lastMinute: number, out: AlertTransition[]): void {
    for (const state of this.alertStates) {
      const { burnRate: threshold } = state.alert;
      // Cheap check first: most minutes change nothing and need no allocation.
      const firing =
        this.isBurning(state.longIdx, threshold) &&
        this.isBurning(state.shortIdx, threshold) &&
        this.sumValid[state.longIdx]! >= state.alert.minEvents;
      if (firing === (state.firingSinceMs !== null)) continue;
      state.firingSinceMs = firing ? atMs : null;
      out.push({
        sloId: this.slo.id,
        alert: state.alert,
        state: firing ? 'firing' : 'resolved',
        atMs,
        long: this.windowBurn(state.longIdx),
        short: this.windowBurn(state.shortIdx),
        budget: this.budget(),
        firstBadMs: this.firstBadMinute(lastMinute, state.alert.longMinutes) * MINUTE_MS,
      });
    }
  }

  private isBurning(idx: number, threshold: number): boolean {
    // "Exceeds" means strictly above; the tolerance keeps a burn exactly at the threshold (by hand) from firing
    // because 1 - 0.9 is 0.09999999999999998 in binary.
    return burnRate(this.sumBad[idx]!, this.sumValid[idx]!, this.slo.objective) > threshold * (1 + 1e-9);
  }

  private firstBadMinute(lastMinute: number, span: number): number {
    for (let minute = lastMinute - span + 1; minute < lastMinute; minute++)
      if (this.badRing[this.slot(minute)]! > 0) return minute;
    return lastMinute;
  }
}
