import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InfraConfigError } from './errors.ts';
import { DELIVERY_FUNCTIONS, type DeliveryFunctionName } from './delivery/functions.ts';

/**
 * The numbers the stacks read from one data file (`infra/tunables.json`): cache TTLs per path pattern, storage
 * class transitions, API throttling, Lambda memory and provisioned-concurrency schedules, WAF rate rules, the
 * canary, the scale-out consumer and the cost guards. Structure (which paths are protected, which IAM a role
 * holds) stays in code; only what an optimisation may move lives here, so a change set is a patch to this
 * file and its effect is the template diff between the syntheses before and after.
 */

/** The path patterns the distribution serves, most specific first (CloudFront matches in this order). */
export const CACHE_PATH_PATTERNS = ['/titles/*.epub', '/titles/*', '/public/*', 'default'] as const;
export type CachePathPattern = (typeof CACHE_PATH_PATTERNS)[number];

const MAX_TTL_SECONDS = 31_536_000;
const seconds = z.number().int().min(0).max(MAX_TTL_SECONDS);

const cacheBehaviorSchema = z
  .strictObject({
    minTtlSeconds: seconds,
    defaultTtlSeconds: seconds,
    maxTtlSeconds: seconds,
    /** Gzip/Brotli at the edge; pointless for already-compressed bodies (EPUB is a zip). */
    compress: z.boolean(),
  })
  .refine((b) => b.minTtlSeconds <= b.defaultTtlSeconds && b.defaultTtlSeconds <= b.maxTtlSeconds, {
    message: 'TTLs must satisfy minTtlSeconds <= defaultTtlSeconds <= maxTtlSeconds',
  });

const days = z.number().int().positive().max(3650);

const contentStorageSchema = z
  .strictObject({
    /** S3 Standard-IA bills at least 30 days and 128 KB per object; earlier transitions are refused by S3. */
    infrequentAccessAfterDays: days.min(30),
    glacierInstantRetrievalAfterDays: days,
    /** Replaced or deleted versions of an object are kept this long (rollback of a bad upload). */
    noncurrentVersionExpirationDays: days,
  })
  .refine((s) => s.glacierInstantRetrievalAfterDays >= s.infrequentAccessAfterDays + 30, {
    message:
      'glacierInstantRetrievalAfterDays must be at least 30 days after infrequentAccessAfterDays (S3 keeps an object 30 days in Standard-IA)',
  });

const logStorageSchema = z
  .strictObject({
    infrequentAccessAfterDays: days.min(30),
    expireAfterDays: days,
  })
  .refine((s) => s.expireAfterDays > s.infrequentAccessAfterDays, {
    message: 'expireAfterDays must come after infrequentAccessAfterDays',
  });

const throttleSchema = z.strictObject({
  /** Steady requests per second. */
  rateLimit: z.number().positive().max(100_000),
  burstLimit: z.number().int().positive().max(100_000),
});

/** EventBridge/Application Auto Scaling schedule expressions. */
const scheduleExpression = z
  .string()
  .regex(
    /^(cron\((\S+ ){5}\S+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\)|at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\))$/,
    'must be cron(m h dom mon dow y), rate(n unit) or at(yyyy-mm-ddThh:mm:ss)',
  );

const scheduledCapacitySchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9-]{1,40}$/, 'lowercase letters, digits and dashes, at most 40'),
    schedule: scheduleExpression,
    /** IANA zone the schedule is read in. */
    timeZone: z.string().min(1).default('UTC'),
    min: z.number().int().min(0).max(10_000),
    max: z.number().int().min(1).max(10_000),
  })
  .refine((s) => s.min <= s.max, { message: 'min must not exceed max' });

const provisionedConcurrencySchema = z
  .strictObject({
    /** Provisioned on the alias at deploy time, and the scaling floor outside any schedule. */
    baseline: z.number().int().min(1).max(10_000),
    max: z.number().int().min(1).max(10_000),
    /** Target-tracking on ProvisionedConcurrencyUtilization between the floor and the ceiling. */
    utilizationTarget: z.number().gt(0).max(0.95),
    /** Pre-warm windows: each sets the floor and ceiling from its time on. */
    schedules: z.array(scheduledCapacitySchema).max(20).default([]),
  })
  .refine((p) => p.baseline <= p.max, { message: 'baseline must not exceed max' })
  .refine((p) => new Set(p.schedules.map((s) => s.name)).size === p.schedules.length, {
    message: 'schedule names must be unique',
  });

const functionSchema = z.strictObject({
  memoryMb: z.number().int().min(128).max(10_240).optional(),
  timeoutSeconds: z.number().int().min(1).max(29).optional(),
  provisionedConcurrency: provisionedConcurrencySchema.optional(),
});

/**
 * The bounds within which the copilot's every-minute pre-warming loop may set provisioned concurrency in AWS
 * (copilot/PREWARM.md): which functions, on which alias, between which capacities, and whether it acts at all.
 * Its role may change provisioned concurrency on these functions' alias only, and the loop clamps every request
 * to [minCapacity, maxCapacity]. Functions whose `provisionedConcurrency` is set above keep their schedule.
 */
const prewarmSchema = z
  .strictObject({
    /** off: no loop; dry-run: plans and audits, changes nothing; live: sets provisioned concurrency. */
    mode: z.enum(['off', 'dry-run', 'live']).default('off'),
    /** By handler name (`grantAccess`). */
    functions: z.array(z.string()).max(20).default([]),
    /** The alias the functions are deployed behind (the canary's alias). */
    alias: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,128}$/, 'an alias name')
      .refine((a) => a !== '$LATEST' && !/^\d+$/.test(a), { message: 'an alias, not $LATEST or a version' })
      .default('live'),
    minCapacity: z.number().int().min(0).max(10_000).default(0),
    maxCapacity: z.number().int().min(1).max(10_000),
    /**
     * A release calendar: the start times (ISO-8601) of scheduled releases, whose first hour the loop plans
     * from what earlier releases did (copilot/PREWARM.md, "A release calendar"). Optional.
     */
    events: z
      .array(z.iso.datetime({ offset: true }))
      .max(100)
      .default([]),
  })
  .refine((p) => p.minCapacity <= p.maxCapacity, { message: 'minCapacity must not exceed maxCapacity' });

const rateRuleSchema = z.strictObject({
  /** Requests per address within the window before WAF blocks it (WAF's minimum is 10). */
  limit: z.number().int().min(10).max(2_000_000_000),
  windowSeconds: z.union([z.literal(60), z.literal(120), z.literal(300), z.literal(600)]),
});

export const tunablesSchema = z.strictObject({
  $comment: z.string().optional(),
  cache: z.strictObject({
    behaviors: z.strictObject(
      Object.fromEntries(CACHE_PATH_PATTERNS.map((p) => [p, cacheBehaviorSchema])) as Record<
        CachePathPattern,
        typeof cacheBehaviorSchema
      >,
    ),
  }),
  storage: z.strictObject({ content: contentStorageSchema, logs: logStorageSchema }),
  api: z.strictObject({
    throttling: z.strictObject({
      default: throttleSchema,
      /** By route key (`POST /v1/access`); routes not named take the default. */
      routes: z.record(z.string(), throttleSchema).default({}),
    }),
  }),
  lambda: z.strictObject({
    defaults: z.strictObject({
      memoryMb: z.number().int().min(128).max(10_240),
      timeoutSeconds: z.number().int().min(1).max(29),
    }),
    /** By handler name (`grantAccess`); functions not named take the defaults. */
    functions: z.record(z.string(), functionSchema).default({}),
    prewarm: prewarmSchema.optional(),
  }),
  waf: z.strictObject({
    rateRules: z.strictObject({
      /** Every address, whatever it asks for. */
      perAddress: rateRuleSchema,
      /** Addresses the copilot put in the rate-limited IP set. */
      listedAddresses: rateRuleSchema,
    }),
  }),
  deploy: z.strictObject({
    canaryPercent: z.number().int().min(1).max(99),
    canaryIntervalMinutes: z.number().int().min(1).max(2880),
    /** The canary rolls back when the new version's errors or p99 latency pass these. */
    rollbackErrorRatePercent: z.number().positive().max(100),
    rollbackP99LatencyMs: z.number().int().positive().max(30_000),
  }),
  scaleOut: z.strictObject({
    /** Shards of the stream CloudFront writes real-time logs to. */
    realtimeLogShards: z.number().int().min(1).max(500),
    /** Shards of the stream keyed by account and address (see SCALE-OUT.md). */
    subjectShards: z.number().int().min(1).max(500),
    /**
     * Buckets per family: the unit of detector state. More buckets than shards, so shards can split; changing it
     * re-keys every subject (state starts over).
     */
    buckets: z.number().int().min(1).max(4096),
    batchSize: z.number().int().min(1).max(10_000),
    batchingWindowSeconds: z.number().int().min(0).max(300),
    /** How far back a consumer replays its shard's log to rebuild the detectors' state after a cold start. */
    replayHorizonMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    consumerMemoryMb: z.number().int().min(128).max(10_240),
    /** Real-time log sampling: 100 sends every request (the detectors assume every request). */
    realtimeLogSamplingPercent: z.number().int().min(1).max(100),
  }),
  cost: z.strictObject({
    monthlyBudgetUsd: z.number().positive(),
    /** Budget notifications at these percentages of actual spend (forecast at 100 %). */
    budgetAlertPercents: z
      .array(z.number().positive().max(1000))
      .min(1)
      .max(5)
      .refine((percents) => new Set(percents).size === percents.length, {
        message: 'percentages must be distinct',
      }),
    /** Cost Anomaly Detection notifies above this absolute impact. */
    anomalyImpactUsd: z.number().positive(),
  }),
});

export type Tunables = z.output<typeof tunablesSchema>;
export type TunablesInput = z.input<typeof tunablesSchema>;
export type FunctionTunables = {
  memoryMb: number;
  timeoutSeconds: number;
  provisionedConcurrency: z.output<typeof provisionedConcurrencySchema> | undefined;
};

export const DEFAULT_TUNABLES_PATH = new URL('../tunables.json', import.meta.url);

/** Validates tunables as a whole; every problem is named by its path. */
export function parseTunables(input: unknown): Tunables {
  const parsed = tunablesSchema.safeParse(input);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  if (parsed.success) {
    for (const name of Object.keys(parsed.data.lambda.functions)) {
      if (!(name in DELIVERY_FUNCTIONS))
        problems.push(
          `lambda.functions.${name}: no such function; expected one of ${Object.keys(DELIVERY_FUNCTIONS).join(', ')}`,
        );
    }
    for (const name of parsed.data.lambda.prewarm?.functions ?? []) {
      if (!(name in DELIVERY_FUNCTIONS))
        problems.push(
          `lambda.prewarm.functions: ${name}: no such function; expected one of ${Object.keys(DELIVERY_FUNCTIONS).join(', ')}`,
        );
    }
    const routes = new Set(Object.values(DELIVERY_FUNCTIONS).map((f) => f.routeKey));
    for (const route of Object.keys(parsed.data.api.throttling.routes)) {
      if (!routes.has(route))
        problems.push(
          `api.throttling.routes.${route}: no such route; expected one of ${[...routes].join(', ')}`,
        );
    }
  }
  if (problems.length > 0) throw new InfraConfigError('invalid tunables', problems);
  return parsed.data!;
}

/** Reads and validates the tunables file (synchronously, as CDK apps are built). */
export function loadTunables(path: string | URL = DEFAULT_TUNABLES_PATH): Tunables {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new InfraConfigError(`cannot read tunables at ${String(path)}`, [], { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InfraConfigError(`tunables at ${String(path)} are not valid JSON`, [(cause as Error).message], {
      cause,
    });
  }
  return parseTunables(json);
}

/** One function's settings: its own entry over the defaults. */
export function functionTunables(tunables: Tunables, name: DeliveryFunctionName): FunctionTunables {
  const own = tunables.lambda.functions[name];
  return {
    memoryMb: own?.memoryMb ?? tunables.lambda.defaults.memoryMb,
    timeoutSeconds: own?.timeoutSeconds ?? tunables.lambda.defaults.timeoutSeconds,
    provisionedConcurrency: own?.provisionedConcurrency,
  };
}

export type PrewarmMode = 'off' | 'dry-run' | 'live';

/** What a person approved for the pre-warming loop in AWS: deployed function names, pinned ones left out. */
export interface ApprovedPrewarm {
  readonly mode: PrewarmMode;
  /** Deployed function names (`delivery-grant-access`); empty when the loop is off. */
  readonly functionNames: readonly string[];
  readonly alias: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** The release calendar's start times (ISO-8601). */
  readonly events: readonly string[];
}

/**
 * The pre-warming bounds of the tunables: functions with a `provisionedConcurrency` schedule are excluded (their
 * Application Auto Scaling owns the alias), as `boundless start` leaves them alone locally. Mode off, or no
 * function left, is no loop and no permission.
 */
export function approvedPrewarm(tunables: Tunables): ApprovedPrewarm {
  const prewarm = tunables.lambda.prewarm;
  const functionNames = (prewarm?.functions ?? [])
    .filter((handler) => !tunables.lambda.functions[handler]?.provisionedConcurrency)
    .map((handler) => DELIVERY_FUNCTIONS[handler as DeliveryFunctionName].baseName);
  const mode = prewarm && functionNames.length > 0 ? prewarm.mode : 'off';
  return {
    mode,
    functionNames: mode === 'off' ? [] : functionNames,
    alias: prewarm?.alias ?? 'live',
    minCapacity: prewarm?.minCapacity ?? 0,
    maxCapacity: prewarm?.maxCapacity ?? 1,
    events: prewarm?.events ?? [],
  };
}
