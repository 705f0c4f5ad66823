import { FAULT_KINDS } from '@boundless/copilot/diagnose';
import { z } from 'zod';

/**
 * The faults an incident scenario (or `boundless start --inject`) can inject, and the no-fault conditions that
 * must not be mistaken for one. A fault names its kind, the component it hits (a name, or a role resolved
 * against the estate: `@entry`, `@mid`, `@leaf`, `@db`, `@api`, `@table`, `@edge`, `@edge-function`), how hard
 * (0..1) and for how long. The kinds are the diagnostician's: a scenario can inject each kind a diagnosis can
 * name.
 */
export const INCIDENT_FAULT_KINDS = FAULT_KINDS;

export type IncidentFaultKind = (typeof INCIDENT_FAULT_KINDS)[number];

export const NO_FAULT_CONDITIONS = [
  'noisy_healthy',
  'release_burst',
  'traffic_dip',
  'benign_deploy',
] as const;
export type NoFaultCondition = (typeof NO_FAULT_CONDITIONS)[number];

export const FAULT_DESCRIPTIONS: Record<IncidentFaultKind, string> = {
  dependency_error: 'the component fails a share of its requests (exceptions, 5xx); callers fail with it',
  dependency_latency: 'the component answers several times slower than usual; callers wait on it',
  cpu_saturation: 'the component runs out of CPU: its CPU metric pins near 100 % and its own time grows',
  memory_saturation:
    'the component runs out of memory: memory near its limit, out-of-memory kills and timeouts',
  throttling:
    'the component refuses a share of requests as throttled (429, ProvisionedThroughputExceeded, Lambda concurrency)',
  bad_deploy: 'a new version (or configuration) goes out and requests start failing or slowing right after',
  cold_start_storm: 'most invocations start a new execution environment and pay its INIT',
  origin_errors: 'the CDN gets errors and timeouts from its origin and passes 5xx to viewers',
  cache_hit_collapse: 'the CDN stops serving from cache: hit rate collapses and origin load and latency rise',
  signing_key_mismatch:
    'after a signing-key rotation the edge rejects tokens signed with a key it does not hold',
  abuse_load: 'a few clients (scrapers, a shared token) multiply the load on the edge',
  egress_cost_spike:
    'bytes sent out per request jump (uncompressed or oversized objects): transfer cost spikes',
};

export const faultSpecSchema = z.strictObject({
  kind: z.enum(INCIDENT_FAULT_KINDS),
  target: z.string().min(1).optional().describe('a component name or a role such as @entry, @db, @edge'),
  intensity: z.number().min(0).max(1).default(0.6),
  /** How long the fault lasts, in ms. */
  durationMs: z
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
});

export type FaultSpec = z.output<typeof faultSpecSchema>;

/** `throttling`, `throttling:DynamoDB`, `dependency_error:delivery-grant-access:5m` as typed on a command line. */
export function parseFaultArgument(text: string): FaultSpec {
  const [kind = '', target, duration] = text.split(':');
  const durationMs = duration ? parseDuration(duration) : undefined;
  if (duration && durationMs === undefined)
    throw new RangeError(`fault duration "${duration}" is not like 90s, 5m or 1h`);
  const parsed = faultSpecSchema.safeParse({
    kind,
    ...(target ? { target } : {}),
    ...(durationMs ? { durationMs } : {}),
  });
  if (!parsed.success)
    throw new RangeError(
      `unknown fault "${text}": use <kind>[:<target>[:<duration>]] with kind one of ${INCIDENT_FAULT_KINDS.join(', ')}`,
    );
  return parsed.data;
}

/** `90s`, `5m`, `1h` in milliseconds; undefined when the text is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(s|m|h)$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 's'];
}
