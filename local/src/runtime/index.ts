// `boundless start`'s delivery side: every stand-in wired together on one machine, with the seeded demo data.
export type { DemoUser } from './demo-data.ts';
export type { LocalDeliveryOptions } from './runtime-config.ts';
export {
  API_ACCESS_LOG_GROUP,
  DEPLOYMENTS_LOG_GROUP,
  type LocalDelivery,
  type LocalEdgeTelemetry,
  startLocalDelivery,
} from './runtime.ts';
export { functionNameOf, type LocalTunables } from './tunables.ts';
