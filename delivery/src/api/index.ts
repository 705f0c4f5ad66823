// The access API: its routes (one Lambda function each) and what they need injected.
export { type Clock, type DeliveryDeps, systemClock } from './deps.ts';
export type { DeliveryRoute } from './route.ts';
export { createDeliveryRoutes } from './routes.ts';
