import type { Rng } from '../sim/rng.ts';
import type { Estate } from './estate.ts';
import type { TelemetryDirectoryWriter } from './telemetry-writer.ts';
import type { World } from './world.ts';

/**
 * The CDN's telemetry for a simulated minute: a sample of its access log records as CloudFront's standard
 * logging writes them to CloudWatch Logs in JSON, its per-minute metrics as EMF (Requests, BytesDownloaded,
 * error rates, CacheHitRate, OriginLatency), and the viewer-request function's log lines for the tokens it
 * refuses. Readers are many addresses; an abusive client is a handful.
 */
const READERS = 3000;

function ip(rng: Rng, abusive: boolean): string {
  if (abusive) return `203.0.113.${rng.int(10, 14)}`;
  const n = rng.int(0, READERS);
  return `10.${(n >> 8) & 255}.${n & 255}.${rng.int(2, 250)}`;
}

export function emitEdgeMinute(
  minuteMs: number,
  estate: Estate,
  world: World,
  writer: TelemetryDirectoryWriter,
  rng: Rng,
): void {
  const edge = estate.edge;
  if (!edge) return;
  const group = `/aws/cloudfront/${edge.distribution}`;
  const fnGroup = `/aws/cloudfront/function/${edge.functionName}`;
  const e = world.effects(edge.distribution, minuteMs);
  const fnEffects = world.effects(edge.functionName, minuteMs);
  const traffic = world.traffic(minuteMs);
  // Records are a 1-in-20 sample of requests; metrics count them all.
  const legit = Math.round(rng.logNormal(estate.baseRps * 3 * 60 * traffic, 0.08));
  const abusive = Math.round(legit * (e.abuseRpsX ?? 0));
  const hitRate = e.hitRate ?? edge.hitRate;
  let requests = 0;
  let bytes = 0;
  let s5xx = 0;
  let s4xx = 0;
  let hits = 0;
  const originLatencies: number[] = [];
  for (let i = 0; i < legit + abusive; i++) {
    const abuser = i >= legit;
    const t = minuteMs + rng.int(0, 60_000);
    const rejectKey = rng.chance(fnEffects.rejectP ?? 0);
    const rejectOther = rng.chance(0.01);
    const hit = !rejectKey && !rejectOther && rng.chance(abuser ? 0.3 : hitRate);
    let status = 200;
    let detail = hit ? 'Hit' : 'Miss';
    let taken = hit ? rng.logNormal(8, 0.4) : 0;
    if (rejectKey || rejectOther) {
      status = 403;
      detail = 'FunctionGeneratedResponse';
      taken = rng.logNormal(2, 0.3);
    } else if (!hit) {
      const origin = rng.logNormal(edge.originMs * (e.originLatencyX ?? 1) * (abuser ? 1.2 : 1), 0.35);
      originLatencies.push(origin);
      taken = origin + rng.logNormal(6, 0.3);
      if (rng.chance(e.originFailP ?? 0)) {
        status = rng.pick([502, 504]);
        detail = status === 502 ? 'OriginConnectError' : 'OriginReadTimeout';
      }
    }
    const size =
      status === 200 ? Math.round(rng.logNormal(edge.bytesPerRequest * (e.bytesX ?? 1), 0.5)) : 900;
    requests++;
    bytes += size;
    if (status >= 500) s5xx++;
    else if (status >= 400) s4xx++;
    if (hit) hits++;
    if (rejectKey || (rejectOther && rng.chance(0.5)))
      writer.log(fnGroup, `${new Date(minuteMs).toISOString().slice(0, 10)}/us-east-1`, t, {
        level: 'WARN',
        message: 'token rejected',
        reason: rejectKey ? 'bad_signature' : rng.pick(['expired', 'device_mismatch']),
        kid: rejectKey ? 'k2' : 'k1',
      });
    if (rng.chance(1 / 20))
      writer.log(group, 'CloudFront', t, {
        timestamp: new Date(t).toISOString(),
        'c-ip': ip(rng, abuser),
        'cs-method': 'GET',
        'cs-uri-stem': `/titles/t-${String(rng.int(1, 300)).padStart(4, '0')}/asset-${rng.int(1, 40)}`,
        'sc-status': status,
        'sc-bytes': size,
        'time-taken': Number((taken / 1000).toFixed(3)),
        'x-edge-location': rng.pick(['IAD89-C1', 'FRA56-P2', 'NRT57-C3']),
        'x-edge-request-id': rng.hex(24),
        'x-edge-result-type':
          status >= 500
            ? 'Error'
            : detail === 'FunctionGeneratedResponse'
              ? 'FunctionGeneratedResponse'
              : hit
                ? 'Hit'
                : 'Miss',
        'x-edge-detailed-result-type': detail,
      });
  }
  originLatencies.sort((a, b) => a - b);
  const p = (q: number) =>
    originLatencies[Math.min(originLatencies.length - 1, Math.floor(q * originLatencies.length))] ?? 0;
  writer.log(group, 'metrics', minuteMs + 59_999, {
    _aws: {
      Timestamp: minuteMs + 59_999,
      CloudWatchMetrics: [
        {
          Namespace: 'AWS/CloudFront',
          Dimensions: [['DistributionId', 'Region']],
          Metrics: [
            { Name: 'Requests', Unit: 'None' },
            { Name: 'BytesDownloaded', Unit: 'None' },
            { Name: '4xxErrorRate', Unit: 'Percent' },
            { Name: '5xxErrorRate', Unit: 'Percent' },
            { Name: 'CacheHitRate', Unit: 'Percent' },
            { Name: 'OriginLatency', Unit: 'Milliseconds' },
          ],
        },
      ],
    },
    DistributionId: edge.distribution,
    Region: 'Global',
    Requests: requests,
    BytesDownloaded: bytes,
    '4xxErrorRate': (100 * s4xx) / Math.max(1, requests),
    '5xxErrorRate': (100 * s5xx) / Math.max(1, requests),
    CacheHitRate: (100 * hits) / Math.max(1, requests),
    OriginLatency: p(0.9),
  });
}

/** A CloudTrail management event as delivered to a CloudWatch Logs group. */
export function emitTrailEvent(
  writer: TelemetryDirectoryWriter,
  group: string,
  atMs: number,
  eventSource: string,
  eventName: string,
  requestParameters: Record<string, string>,
  rng: Rng,
): void {
  writer.log(group, `000000000000_CloudTrail_us-east-1`, atMs, {
    eventVersion: '1.09',
    userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::000000000000:assumed-role/deployer/ci' },
    eventTime: new Date(atMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource,
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: 'codepipeline.amazonaws.com',
    requestParameters,
    responseElements: null,
    requestID: rng.hex(32),
    eventID: rng.hex(32),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '000000000000',
  });
}
