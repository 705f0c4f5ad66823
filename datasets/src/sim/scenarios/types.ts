import type { PlannedLabel, ScenarioKind } from '../labels.ts';
import type { RequestStream } from '../request.ts';

/** One scripted abuse episode: its streams (abusers and, where needed, the victim) and the labels it earns. */
export interface Scenario {
  readonly id: string;
  readonly kind: ScenarioKind;
  readonly variant: string;
  readonly description: string;
  /** Planned start (epoch ms); labels use the first abusive request actually emitted. */
  readonly plannedStart: number;
  readonly params: Record<string, string | number | boolean | readonly string[]>;
  readonly labels: readonly PlannedLabel[];
  readonly streams: readonly RequestStream[];
}

/** `scenarios.json` entry: the same, for humans, without streams. */
export type ScenarioDescription = Omit<Scenario, 'streams' | 'plannedStart'> & { plannedStart: string };

export function describeScenario(scenario: Scenario): ScenarioDescription {
  const { streams: _streams, plannedStart, ...rest } = scenario;
  return { ...rest, plannedStart: new Date(plannedStart).toISOString() };
}
