// The delivery core's domain and contracts, free of AWS clients: the model and access rules, principals, the
// edge token codec, configuration, typed errors, the content and KeyValueStore interfaces, and the CloudFront
// log formats. Handlers, the store, identity and telemetry have entry points of their own (package.json).
export {
  type CloudFrontLogField,
  type CloudFrontLogRecord,
  CLOUDFRONT_LOG_FIELDS,
  cloudFrontLogHeader,
  cloudFrontLogTimestamp,
  encodeCloudFrontLogField,
  formatCloudFrontLogLine,
} from './cloudfront-log.ts';
export {
  type DeliveryConfig,
  type DeliveryLimits,
  type EdgeTokenKeys,
  loadDeliveryConfig,
} from './config/config.ts';
export {
  assertContentKey,
  type ByteRange,
  type ContentInfo,
  type ContentObject,
  type ContentStore,
  ContentStoreError,
} from './content/content-store.ts';
export { contentTypeFor } from './content/content-types.ts';
export { buildBlockList, ipInRanges, isWithinCampus, parseCidr } from './domain/campus.ts';
export * from './domain/model.ts';
export { hasRole, type Principal, ROLES, type Role } from './domain/principal.ts';
export { EdgeError, KeyValueStoreError } from './edge/errors.ts';
export { type EdgeKeyValueStore, kvsKeys, putSigningSecrets } from './edge/key-value-store.ts';
export {
  buildRealtimeLogRecord,
  formatRealtimeLogRecord,
  REALTIME_LOG_FIELDS,
  type RealtimeLogField,
  type RealtimeLogRecord,
  realtimeTimestamp,
} from './edge/realtime-log.ts';
export { DeliveryError, type DeliveryErrorCode, isDeliveryError } from './errors.ts';
export { generateRsaKeyPairPem } from './rsa-key-pair.ts';
export {
  deviceHashOf,
  type EdgeTokenClaims,
  issueEdgeToken,
  parseEdgeToken,
  verifyEdgeToken,
} from './token/edge-token.ts';
