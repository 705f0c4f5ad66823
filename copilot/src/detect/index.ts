// Abuse detection on CloudFront access records (token sharing, scraping, geo spikes), on event time.
export { detectorConfig, type DetectorConfig, type DetectorOptions } from './config.ts';
export { bbtOf, type Refusal, refusalOf, type TokenClaims, tokenClaimsOf } from './edge-token.ts';
export { AbuseDetectors, detectAll } from './engine.ts';
export { detectionToFinding } from './finding.ts';
export { type DetectProgress, type DetectRunOptions, type DetectRunResult, detectFiles } from './run.ts';
export {
  type AccessEvent,
  type Detection,
  type DetectionKind,
  type DetectionSubject,
  DetectorError,
} from './types.ts';
