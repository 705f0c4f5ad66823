// `boundless start`'s delivery side: every stand-in wired together on one machine, with the seeded demo data.
export type { DemoUser } from './demo-data.ts';
export type { LocalDeliveryOptions } from './runtime-config.ts';
export { type LocalDelivery, type LocalEdgeTelemetry, startLocalDelivery } from './runtime.ts';
