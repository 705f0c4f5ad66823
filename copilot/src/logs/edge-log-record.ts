/** One CloudFront access record, as every reader of the logs (string, bytes, real-time) hands it on. */
export interface EdgeLogRecord {
  timestampMs: number;
  edgeLocation: string;
  bytes: number;
  clientIp: string;
  method: string;
  host: string;
  uriStem: string;
  status: number;
  referer: string;
  userAgent: string;
  query: string;
  edgeResultType: string;
  requestId: string;
  timeTakenMs: number;
  detailedResultType: string;
  contentType: string;
}
