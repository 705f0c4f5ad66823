// The operational numbers the dashboard shows beside SLOs and detections: routes, functions, capacity, cost.
export type { CapacityView, FunctionCapacity } from './capacity.ts';
export type { CostView } from './cost-view.ts';
export { lambdaDemand } from './lambda-demand.ts';
export { OpsMetrics, type OpsMetricsOptions, type OpsStamp } from './ops-metrics.ts';
export type { Overview, RouteHealth } from './overview.ts';
