export { type Clock, type DeliveryDeps, systemClock } from './api/deps.ts';
export { createDeliveryRoutes, type DeliveryRoute } from './api/routes.ts';
export {
  type DeliveryConfig,
  type DeliveryLimits,
  type EdgeTokenKeys,
  loadDeliveryConfig,
} from './config/config.ts';
export * from './domain/model.ts';
export type { Principal, Role } from './domain/principal.ts';
export { type EdgeKeyValueStore, kvsKeys } from './edge/key-value-store.ts';
export { DeliveryError, type DeliveryErrorCode } from './errors.ts';
export { LocalIdentityIssuer, type LocalUser } from './identity/local-issuer.ts';
export { createIdentityVerifier, type IdentitySettings } from './identity/verifier.ts';
export { type SeedIdentity, type SeedSummary, seedDelivery } from './seed/seed.ts';
export { createDeliveryStore, createDocumentClient, type DeliveryStore } from './store/delivery-store.ts';
export { createDeliveryTable } from './store/tables.ts';
export {
  createTelemetryFactory,
  type LogSink,
  type Telemetry,
  type TelemetryFactory,
} from './telemetry/telemetry.ts';
export {
  deviceHashOf,
  type EdgeTokenClaims,
  issueEdgeToken,
  parseEdgeToken,
  verifyEdgeToken,
} from './token/edge-token.ts';
