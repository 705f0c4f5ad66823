// CloudFront standard access logs: files (plain or gzip), the #Fields header, lines as records.
export {
  type EdgeLogRecord,
  LogParseError,
  newParseStats,
  type ParseStats,
  type SkipReason,
  skippedTotal,
} from './cloudfront-line.ts';
export { listCloudFrontLogFiles, readCloudFrontLog, readCloudFrontLogs } from './cloudfront-standard.ts';
export { GunzipError, type Inflation } from './file-chunks.ts';
