// Pre-warming: provisioned-concurrency plans from per-minute demand, burst proposals, scheduled actions, and
// the capacity simulator and policies an evaluation compares them with.
export { concurrencyPerSecond, secondArrivals } from './arrivals.ts';
export {
  type DemandMinute,
  fillMissingMinutes,
  gapsOf,
  holdOnClock,
  meanConcurrency,
  peakConcurrency,
  scaleAudiences,
  type TraceGaps,
} from './demand.ts';
export {
  decisionRecord,
  type PrewarmDecisionRecord,
  PrewarmDecisionLog,
  type PrewarmLoopStatus,
} from './decision-log.ts';
export { busySaving, environmentMinuteDollars, layerBusyShare } from './economics.ts';
export { EventUplift, parseEventCalendar } from './events.ts';
export { CloudWatchLambdaDemand } from './cloudwatch-demand-aws.ts';
export { PrewarmError } from './errors.ts';
export { LambdaProvisionedConcurrency, type LambdaProvisionedConcurrencyOptions } from './lambda-aws.ts';
export {
  type DemandReader,
  type LiveDecision,
  type LivePrewarmConfig,
  LivePrewarmer,
} from './live.ts';
export {
  DEFAULT_COLD_START_COST,
  DEFAULT_MAX_CAPACITY,
  type PlanOptions,
  planForColdStartCosts,
  planProvisionedConcurrency,
  type ProvisioningPlan,
} from './planner.ts';
export {
  constantPolicy,
  scheduledFloorWithTargetTracking,
  scheduledPolicy,
  type TargetTrackingOptions,
  targetTrackingPolicy,
} from './policies.ts';
export { breakEvenUtilisation, LAMBDA_PRICES, type LambdaPrices } from './pricing.ts';
export { type BurstOptions, type BurstProposals, proposeBurstPreparations } from './proposals.ts';
export { type ScheduledAction, type ScheduleOptions, toScheduledActions } from './schedule.ts';
export {
  type CapacityPolicy,
  type Period,
  type SimulationConfig,
  type SimulationResult,
  simulate,
  simulatePeriods,
} from './simulator.ts';
export type { ProvisionedConcurrencyTarget, ScheduleApplier } from './target.ts';
