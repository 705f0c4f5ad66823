import { z } from 'zod';
import { chatConfigFromEnv, chatConfigSchema, mergeChatConfig } from '../chat/config.ts';

/**
 * The copilot service's configuration, read once at start and validated. Embedded defaults run everything on
 * one machine next to `boundless start`; environment variables point the same code at an AWS account.
 */
/** CloudWatch Logs' own rule for a log group name. */
const logGroupSchema = z.string().regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, 'a CloudWatch Logs log group name');

const ipSetSchema = z.object({
  name: z.string().min(1),
  id: z.string().min(1),
  scope: z.enum(['CLOUDFRONT', 'REGIONAL']).default('CLOUDFRONT'),
});

export const copilotConfigSchema = z.object({
  mode: z.enum(['local', 'aws']).default('local'),
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port (tests). */
  port: z.number().int().min(0).max(65535).default(0),
  region: z.string().min(1).default('us-east-1'),
  tableName: z.string().min(3).default('boundless-copilot'),
  /** How often the pipeline polls its sources. */
  pollIntervalMs: z.number().int().min(50).max(600_000).default(2_000),
  /** Largest JSON body the REST API accepts. */
  bodyLimitBytes: z.number().int().positive().max(1_048_576).default(16_384),
  /** The dashboard's production build to serve at `/` (the copilot image ships it); none: the API only. */
  dashboardDir: z.string().min(1).optional(),
  /** Where the delivery core's admin API answers (the local runtime's API URL, or the API Gateway stage). */
  adminApiUrl: z.url().optional(),
  identity: z
    .object({
      issuer: z.string().min(1).default('https://identity.boundless.local'),
      /** The copilot app client: tokens for other clients (the reader app) are refused. */
      audience: z.string().min(1).default('boundless-copilot'),
      /** The delivery API's app client, for the copilot's own service token (local issuer only). */
      deliveryAudience: z.string().min(1).default('boundless-local'),
      jwksUrl: z.url().optional(),
    })
    .prefault({}),
  local: z
    .object({
      /** The local runtime's data dir: edge logs under `cloudfront/`, keys under `keys/`. */
      dataDir: z.string().min(1).default('.data'),
    })
    .prefault({}),
  aws: z
    .object({
      logBucket: z.string().min(3).optional(),
      logPrefix: z.string().default(''),
      kinesisStream: z.string().min(1).optional(),
      wafBlockIpSet: ipSetSchema.optional(),
      wafRateLimitIpSet: ipSetSchema.optional(),
      /** Where change sets are verified in CloudWatch: the distribution's and the HTTP API stage's metrics. */
      distributionId: z.string().min(1).optional(),
      httpApiId: z.string().min(1).optional(),
      httpApiStage: z.string().min(1).default('$default'),
      /** The SQS queue an EventBridge rule fills with the scale-out detections (DESIGN §6). */
      detectionQueueUrl: z.url().optional(),
      /** The distribution's cache behaviours' path patterns in CloudFront's order: verification per behaviour. */
      cachePatterns: z.array(z.string().min(1)).default([]),
      /** The content bucket and where its server access logs go in the log bucket: the storage-class section. */
      contentBucket: z.string().min(3).optional(),
      contentAccessLogPrefix: z.string().default('s3-access/content/'),
      /** The access API stage's access log group: throttles (429s) per route for verification. */
      apiAccessLogGroup: logGroupSchema.optional(),
      /** The access API functions' log groups: the daily report's throttling and right-sizing sections. */
      apiLogGroups: z.array(logGroupSchema).default([]),
      /** Where the daily reports and the deployed tunables live (S3). */
      reportBucket: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
        .optional(),
      /**
       * The pre-warming loop's approved bounds (the tunables' `lambda.prewarm`, set by the deployment): the
       * functions it may set provisioned concurrency on, their alias, and the capacities every request is
       * clamped to. Mode off starts no loop.
       */
      prewarm: z
        .object({
          mode: z.enum(['off', 'dry-run', 'live']).default('off'),
          functions: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a Lambda function name')).default([]),
          alias: z.string().min(1).default('live'),
          minCapacity: z.number().int().min(0).max(10_000).default(0),
          maxCapacity: z.number().int().positive().max(10_000).optional(),
          /** The release calendar's start times (ISO-8601), from COPILOT_PREWARM_EVENTS (a comma list). */
          events: z.array(z.iso.datetime({ offset: true })).default([]),
        })
        .refine((p) => p.mode === 'off' || (p.functions.length > 0 && p.maxCapacity !== undefined), {
          message: 'pre-warming needs COPILOT_PREWARM_FUNCTIONS and COPILOT_PREWARM_MAX_CAPACITY unless off',
        })
        .refine((p) => p.maxCapacity === undefined || p.minCapacity <= p.maxCapacity, {
          message: 'COPILOT_PREWARM_MIN_CAPACITY must not exceed COPILOT_PREWARM_MAX_CAPACITY',
        })
        .prefault({}),
    })
    .prefault({}),
  /** Overrides the guardrails' dry-run flag of policies.json at start. */
  dryRun: z.boolean().optional(),
  /** The incident chat: offline by default, Bedrock or an OpenAI-compatible endpoint (copilot/CHAT.md). */
  chat: chatConfigSchema.prefault({}),
});

export type CopilotConfig = z.output<typeof copilotConfigSchema>;
export type CopilotConfigInput = z.input<typeof copilotConfigSchema>;

export class CopilotConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CopilotConfigError';
  }
}

type Env = Record<string, string | undefined>;

const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
const bool = (value: string | undefined) =>
  value === undefined ? undefined : ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());

/** `name|id` or `name|id|scope`, as WAF lists an IP set. */
function ipSet(value: string | undefined) {
  if (!value) return undefined;
  const [name, id, scope] = value.split('|');
  return { name, id, ...(scope ? { scope } : {}) };
}

function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The environment's overrides, named as the README lists them. */
export function configFromEnv(env: Env): CopilotConfigInput {
  return definedOnly({
    mode: env.COPILOT_MODE as CopilotConfigInput['mode'],
    host: env.COPILOT_HOST,
    port: number(env.COPILOT_PORT),
    region: env.COPILOT_REGION ?? env.AWS_REGION,
    tableName: env.COPILOT_TABLE,
    pollIntervalMs: number(env.COPILOT_POLL_MS),
    dashboardDir: env.COPILOT_DASHBOARD_DIR,
    adminApiUrl: env.COPILOT_ADMIN_API_URL,
    dryRun: bool(env.COPILOT_DRY_RUN),
    identity: definedOnly({
      issuer: env.COPILOT_IDENTITY_ISSUER,
      audience: env.COPILOT_IDENTITY_AUDIENCE,
      jwksUrl: env.COPILOT_JWKS_URL,
    }),
    local: definedOnly({ dataDir: env.COPILOT_DATA_DIR }),
    chat: chatConfigFromEnv(env),
    aws: definedOnly({
      logBucket: env.COPILOT_LOG_BUCKET,
      logPrefix: env.COPILOT_LOG_PREFIX,
      kinesisStream: env.COPILOT_KINESIS_STREAM,
      wafBlockIpSet: ipSet(env.COPILOT_WAF_BLOCK_IPSET),
      wafRateLimitIpSet: ipSet(env.COPILOT_WAF_RATE_LIMIT_IPSET),
      distributionId: env.COPILOT_DISTRIBUTION_ID,
      httpApiId: env.COPILOT_HTTP_API_ID,
      httpApiStage: env.COPILOT_HTTP_API_STAGE,
      detectionQueueUrl: env.COPILOT_DETECTION_QUEUE_URL,
      cachePatterns: env.COPILOT_CACHE_PATTERNS?.split(',').filter((p) => p.length > 0),
      contentBucket: env.COPILOT_CONTENT_BUCKET,
      contentAccessLogPrefix: env.COPILOT_CONTENT_ACCESS_LOG_PREFIX,
      apiAccessLogGroup: env.COPILOT_API_ACCESS_LOG_GROUP,
      apiLogGroups: env.COPILOT_API_LOG_GROUPS?.split(',').filter((group) => group.length > 0),
      reportBucket: env.COPILOT_REPORT_BUCKET,
      prewarm: definedOnly({
        mode: env.COPILOT_PREWARM_MODE,
        functions: env.COPILOT_PREWARM_FUNCTIONS?.split(',').filter((name) => name.length > 0),
        alias: env.COPILOT_PREWARM_ALIAS,
        minCapacity: number(env.COPILOT_PREWARM_MIN_CAPACITY),
        maxCapacity: number(env.COPILOT_PREWARM_MAX_CAPACITY),
        events: env.COPILOT_PREWARM_EVENTS?.split(',')
          .map((time) => time.trim())
          .filter((time) => time.length > 0),
      }),
    }),
  }) as CopilotConfigInput;
}

/** Defaults, then the environment, then explicit options (flags, tests); fails with every problem at once. */
export function loadCopilotConfig(options: CopilotConfigInput = {}, env: Env = process.env): CopilotConfig {
  const fromEnv = configFromEnv(env);
  const merged = {
    ...fromEnv,
    ...options,
    identity: { ...fromEnv.identity, ...options.identity },
    local: { ...fromEnv.local, ...options.local },
    aws: { ...fromEnv.aws, ...options.aws },
    chat: mergeChatConfig(fromEnv.chat ?? {}, options.chat),
  };
  const parsed = copilotConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CopilotConfigError(`invalid copilot configuration: ${problems.join('; ')}`, {
      cause: parsed.error,
    });
  }
  const config = parsed.data;
  if (config.mode === 'aws') {
    if (!config.aws.logBucket && !config.aws.kinesisStream)
      throw new CopilotConfigError(
        'aws mode needs COPILOT_LOG_BUCKET (standard logs) or COPILOT_KINESIS_STREAM (real-time logs)',
      );
    if (!config.identity.jwksUrl && !config.identity.issuer.startsWith('https://cognito-idp.'))
      throw new CopilotConfigError(
        `aws mode verifies Cognito tokens: set COPILOT_IDENTITY_ISSUER to the user pool URL (got "${config.identity.issuer}") or COPILOT_JWKS_URL`,
      );
  }
  return config;
}
