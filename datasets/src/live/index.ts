// The live loop of `boundless start`: seeded readers and scripted abuse against the local edge.
export { formatLiveEvent } from './format.ts';
export { LIVE_SCENARIO_KINDS, type LiveScenarioKind } from './scenarios.ts';
export {
  type LiveEvent,
  type LiveScenarioOptions,
  type LiveScenarios,
  startLiveScenarios,
} from './scheduler.ts';
