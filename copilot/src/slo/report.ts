import type { Finding } from '../findings.ts';
import type { BurnRateAlert, SliSpec, SloDefinitions } from './definitions.ts';
import { SloEngine, type SloEngineStats } from './engine.ts';
import type { SloEvent } from './events.ts';
import { burnAlertFinding, formatMinutes } from './finding.ts';
import { SloError } from './errors.ts';
import type { ErrorBudget } from './math.ts';
import { type AlertTransition, MINUTE_MS, type WindowBurn } from './tracker.ts';

/**
 * firing: both windows above the threshold with enough traffic; pending: one window above it (the short one
 * rising, or the long one still remembering a burst that has passed); low_traffic: both above it but the long
 * window holds fewer valid events than the minimum-traffic rule asks; ok: neither.
 */
export type AlertState = 'firing' | 'pending' | 'low_traffic' | 'ok';

export interface AlertStatus {
  name: string;
  action: 'page' | 'ticket';
  thresholdBurnRate: number;
  /** The minimum-traffic rule: valid events the long window needs before the alert may fire. */
  minEvents: number;
  state: AlertState;
  long: WindowBurn;
  short: WindowBurn;
  firing: boolean;
  /** ISO time the alert started firing, when it is firing. */
  firingSince: string | null;
}

export interface SloStatus {
  id: string;
  description: string;
  sli: SliSpec;
  objective: number;
  window: string;
  budget: ErrorBudget;
  alerts: AlertStatus[];
}

export interface SloReport {
  /** End of the last closed minute the windows cover; null when the engine has seen no time at all. */
  asOf: string | null;
  slos: SloStatus[];
  /** Every alert state change, in event-time order. */
  transitions: AlertTransition[];
  /** One finding per firing transition. */
  findings: Finding[];
  stats: SloEngineStats & { afterAsOf: number };
}

/** Current budgets and alert states of a running engine, for the dashboard. */
export function sloStatuses(engine: SloEngine): SloStatus[] {
  return engine.trackers.map((tracker) => ({
    id: tracker.slo.id,
    description: tracker.slo.description,
    sli: tracker.slo.sli,
    objective: tracker.slo.objective,
    window: formatMinutes(tracker.slo.windowMinutes),
    budget: tracker.budget(),
    alerts: tracker.alertStates.map((state) => {
      const long = tracker.windowBurn(tracker.windowIndex(state.alert.longMinutes));
      const short = tracker.windowBurn(tracker.windowIndex(state.alert.shortMinutes));
      const firing = state.firingSinceMs !== null;
      return {
        name: state.alert.name,
        action: state.alert.action,
        thresholdBurnRate: state.alert.burnRate,
        minEvents: state.alert.minEvents,
        state: alertState(firing, long, short, state.alert),
        long,
        short,
        firing,
        firingSince: firing ? new Date(state.firingSinceMs as number).toISOString() : null,
      };
    }),
  }));
}

export function alertState(
  firing: boolean,
  long: WindowBurn,
  short: WindowBurn,
  alert: Pick<BurnRateAlert, 'burnRate' | 'minEvents'>,
): AlertState {
  if (firing) return 'firing';
  const longOver = long.burnRate > alert.burnRate;
  const shortOver = short.burnRate > alert.burnRate;
  if (longOver && shortOver) return long.validEvents < alert.minEvents ? 'low_traffic' : 'pending';
  return longOver || shortOver ? 'pending' : 'ok';
}

/** Collects transitions and turns firing ones into findings while events stream through an engine. */
export class SloReportBuilder {
  readonly engine: SloEngine;
  readonly transitions: AlertTransition[] = [];
  readonly findings: Finding[] = [];
  private afterAsOf = 0;

  constructor(
    definitions: SloDefinitions,
    private readonly asOfMs: number,
  ) {
    this.engine = new SloEngine(definitions);
  }

  add(event: SloEvent): void {
    if (event.timestampMs >= this.asOfMs) {
      this.afterAsOf++;
      return;
    }
    this.collect(this.engine.observe(event));
  }

  finish(): SloReport {
    this.collect(this.engine.advanceTo(this.asOfMs));
    const closed = this.engine.closedThroughMs;
    return {
      asOf: closed === null ? null : new Date(closed).toISOString(),
      slos: sloStatuses(this.engine),
      transitions: this.transitions,
      findings: this.findings,
      stats: { ...this.engine.stats, afterAsOf: this.afterAsOf },
    };
  }

  private collect(transitions: readonly AlertTransition[]): void {
    for (const transition of transitions) {
      this.transitions.push(transition);
      if (transition.state !== 'firing') continue;
      const slo = this.engine.definitions.slos.find((s) => s.id === transition.sloId)!;
      this.findings.push(burnAlertFinding(transition, slo));
    }
  }
}

function toMs(asOf: number | Date | string): number {
  const ms = typeof asOf === 'number' ? asOf : new Date(asOf).getTime();
  if (!Number.isFinite(ms)) throw new SloError(`asOf "${String(asOf)}" is not a time`);
  // Only whole minutes are reported: the windows end where the last closed minute ends.
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/**
 * SLO budgets, burn rates, alert history and findings from a batch of events, as of an event time. Events at or
 * after `asOf` are counted and ignored, so a report is reproducible from a log that kept growing.
 */
export function computeSloReport(
  events: Iterable<SloEvent>,
  definitions: SloDefinitions,
  asOf: number | Date | string,
): SloReport {
  const builder = new SloReportBuilder(definitions, toMs(asOf));
  for (const event of events) builder.add(event);
  return builder.finish();
}

/** The same for an async source such as the log readers. */
export async function computeSloReportFrom(
  events: AsyncIterable<SloEvent>,
  definitions: SloDefinitions,
  asOf: number | Date | string,
): Promise<SloReport> {
  const builder = new SloReportBuilder(definitions, toMs(asOf));
  for await (const event of events) builder.add(event);
  return builder.finish();
}
