import { z } from 'zod';
import { type ContentStore, parseCidr, type RealtimeLogRecord } from '@boundless/delivery';
import type { CacheBehavior } from './cache-behaviors.ts';
import { EdgeConfigError } from '../errors.ts';
import type { EdgeFaultHooks } from './edge-faults.ts';
import type { LogSink } from './edge-telemetry.ts';
import type { LocalKeyValueStore } from './local-kvs.ts';
import type { ViewerGeo } from './request-log.ts';
import { LOOPBACK_PROXIES } from './viewer-address.ts';
import type { WebAcl } from '../waf/web-acl.ts';

// The local edge's configuration, validated once at start: plain settings through a zod schema, the live parts
// (stores, sinks, clock, hooks) passed through as they are.
const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  originDir: z.string().min(1).optional(),
  trustedKeys: z.record(z.string().min(1), z.string().includes('PUBLIC KEY')),
  logDir: z.string().min(1),
  cache: z
    .object({
      maxEntries: z.number().int().positive(),
      maxBytes: z.number().int().positive(),
      defaultTtlSeconds: z.number().positive(),
    })
    .default({ maxEntries: 5_000, maxBytes: 256 * 1024 * 1024, defaultTtlSeconds: 86_400 }),
  originShield: z.boolean().default(true),
  distributionId: z
    .string()
    .regex(/^[A-Z0-9]{1,32}$/, 'uppercase letters and digits')
    .default('ELOCALEDGE'),
  domainName: z.string().min(1).optional(),
  edgeLocation: z.string().min(1).default('LCL1-C1'),
  protectedPrefixes: z.array(z.string().startsWith('/')).default(['/titles/']),
  /**
   * Where the viewer address comes from: the TCP peer (CloudFront's view), or `x-forwarded-for` as far as
   * `trustedProxies` wrote it: the rightmost hop that is not a trusted proxy (viewer-address.ts).
   */
  viewerIpFrom: z.enum(['socket', 'x-forwarded-for']).default('socket'),
  /**
   * The proxies in front of the edge, as CIDRs; only their `x-forwarded-for` is believed. The default, loopback,
   * fits a local traffic simulator standing in for many viewers: a peer on another machine is logged under its
   * own address whatever it sends.
   */
  trustedProxies: z
    .array(z.string().refine((cidr) => parseCidr(cidr) !== undefined, 'must be a CIDR such as 10.0.0.0/8'))
    .default([...LOOPBACK_PROXIES]),
  logCookies: z.boolean().default(false),
  logFlushIntervalMs: z.number().int().min(0).default(5_000),
});

export interface LocalEdgeOptions
  extends Partial<Omit<z.input<typeof optionsSchema>, 'trustedKeys' | 'logDir'>> {
  /** Local origin directory; or pass `origin` for any content store. */
  originDir?: string;
  origin?: ContentStore;
  kvs: LocalKeyValueStore;
  /** CloudFront public key id → PEM public key (the distribution's trusted key group). */
  trustedKeys: Record<string, string>;
  logDir: string;
  realtimeLogSink?: (record: RealtimeLogRecord) => void;
  /** Epoch milliseconds; drives signed policy time, the function's Date.now(), cache TTLs and log times. */
  clock?: () => number;
  /** Viewer country and ASN for the logs (CloudFront's geolocation); unknown by default. */
  geo?: (ip: string) => ViewerGeo | undefined;
  /** The distribution's web ACL (local AWS WAF: IP-set blocks and rate-based rules); none by default. */
  webAcl?: WebAcl;
  /** Cache behaviours (TTLs per path pattern); paths none matches are cached for `cache.defaultTtlSeconds`. */
  cacheBehaviors?: readonly CacheBehavior[];
  /**
   * Where the edge writes its telemetry as CloudFront does in AWS (edge-telemetry.ts): access records and the
   * distribution's metrics into log groups, the viewer-request function's console lines into its own group.
   */
  telemetry?: { logs: LogSink; functionName?: string };
  /** Injected faults (origin errors or slowness, cache bypass, missing signing keys, inflated objects). */
  faults?: EdgeFaultHooks;
  /**
   * Told of each failure the edge answers for instead of crashing: the request pipeline (the viewer gets a 502),
   * the real-time log consumer or the access-log writer (the record is dropped, as CloudFront drops what it
   * cannot deliver). Defaults to a line on stderr with the cause.
   */
  onError?: (error: unknown, where: EdgeFailurePoint) => void;
}

/** The part of the edge that failed, as `onError` is told. */
export type EdgeFailurePoint = 'request_pipeline' | 'realtime_log' | 'access_log';

/** The default `onError`: one line on stderr naming the failing part and the cause. */
export function logEdgeFailure(error: unknown, where: EdgeFailurePoint): void {
  const cause = error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error(`local edge: ${where} failed: ${cause}`);
}

/** The validated plain settings of a local edge, defaults filled in. */
export type LocalEdgeConfig = ReturnType<typeof parseLocalEdgeOptions>;

export function parseLocalEdgeOptions(options: LocalEdgeOptions) {
  const {
    kvs: _kvs,
    origin: _origin,
    realtimeLogSink: _sink,
    clock: _clock,
    geo: _geo,
    webAcl: _webAcl,
    cacheBehaviors: _behaviors,
    telemetry: _telemetry,
    faults: _faults,
    onError: _onError,
    ...plain
  } = options;
  const parsed = optionsSchema.safeParse(plain);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`);
    throw new EdgeConfigError(`invalid local edge options: ${problems.join('; ')}`);
  }
  if (!options.origin && !parsed.data.originDir)
    throw new EdgeConfigError('local edge needs originDir or origin');
  return parsed.data;
}
