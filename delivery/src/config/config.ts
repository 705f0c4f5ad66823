import { z } from 'zod';
import { DeliveryError } from '../errors.ts';
import { KID_PATTERN } from '../token/edge-token.ts';
import { type ServiceClientGrant, serviceClientGrantsJson } from '../identity/service-clients.ts';

/**
 * Delivery configuration, read once from the environment at cold start and validated as a whole so a bad
 * deployment fails on its first invocation with every problem listed, not on the first request that needs a
 * value. Messages name the variable and the rule, never the value (several values are secrets).
 */
export interface DeliveryLimits {
  /** Default lifetime of an access grant (cookies + bbt), before mitigations shorten it. */
  accessTtlSeconds: number;
  /** Registered devices per account unless the account carries its own limit. */
  deviceLimit: number;
  maxBodyBytes: number;
  maxHeaderBytes: number;
}

export interface EdgeTokenKeys {
  /** The kid new tokens are signed with. */
  currentKid: string;
  /** Every kid still accepted: the current one and previous ones whose tokens have not yet expired. */
  secrets: Record<string, string>;
}

export interface DeliveryConfig {
  tableName: string;
  region: string;
  dynamoDbEndpoint: string | undefined;
  edgeBaseUrl: string;
  cloudFront: { keyPairId: string; privateKeyPem: string };
  edgeTokens: EdgeTokenKeys;
  identity: {
    issuer: string;
    audience: string;
    jwksUrl: string | undefined;
    publicKeyPem: string | undefined;
    serviceClients: ServiceClientGrant[];
  };
  keyValueStoreArn: string | undefined;
  limits: DeliveryLimits;
  telemetry: { serviceName: string; namespace: string };
}

export const DEFAULT_LIMITS: DeliveryLimits = {
  accessTtlSeconds: 3600,
  deviceLimit: 3,
  maxBodyBytes: 16 * 1024,
  maxHeaderBytes: 8 * 1024,
};

const pem = (label: string) =>
  z
    .string()
    .transform((value) => value.replace(/\\n/g, '\n').trim())
    .refine((value) => value.includes(`-----BEGIN ${label}`), `must be a PEM block (-----BEGIN ${label}...)`);

const secrets = z
  .string()
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object {"<kid>": "<secret>"}' });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(
      z.string().regex(KID_PATTERN, `kid must match ${KID_PATTERN}`),
      z.string().min(32, 'each signing secret must be at least 32 characters'),
    ),
  );

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z
  .object({
    BOUNDLESS_TABLE_NAME: z.string().min(1),
    AWS_REGION: z.string().min(1).default('us-east-1'),
    BOUNDLESS_DYNAMODB_ENDPOINT: z.url().optional(),
    BOUNDLESS_EDGE_BASE_URL: z.url().transform((url) => url.replace(/\/+$/, '')),
    BOUNDLESS_CLOUDFRONT_KEY_PAIR_ID: z
      .string()
      .regex(/^[A-Z0-9]{8,32}$/, 'must look like a CloudFront key id'),
    BOUNDLESS_CLOUDFRONT_PRIVATE_KEY: pem('PRIVATE KEY').or(pem('RSA PRIVATE KEY')),
    BOUNDLESS_EDGE_TOKEN_KID: z.string().regex(KID_PATTERN, `must match ${KID_PATTERN}`),
    BOUNDLESS_EDGE_TOKEN_SECRETS: secrets,
    BOUNDLESS_IDENTITY_ISSUER: z.url(),
    BOUNDLESS_IDENTITY_AUDIENCE: z.string().min(1),
    BOUNDLESS_IDENTITY_JWKS_URL: z.url().optional(),
    BOUNDLESS_IDENTITY_PUBLIC_KEY: pem('PUBLIC KEY').optional(),
    /** Client-credentials clients and the role each acts with (JSON array; the copilot's service client). */
    BOUNDLESS_IDENTITY_SERVICE_CLIENTS: serviceClientGrantsJson.optional(),
    BOUNDLESS_KVS_ARN: z.string().startsWith('arn:').optional(),
    BOUNDLESS_ACCESS_TTL_SECONDS: positiveInt(DEFAULT_LIMITS.accessTtlSeconds),
    BOUNDLESS_DEVICE_LIMIT: positiveInt(DEFAULT_LIMITS.deviceLimit),
    BOUNDLESS_MAX_BODY_BYTES: positiveInt(DEFAULT_LIMITS.maxBodyBytes),
    BOUNDLESS_MAX_HEADER_BYTES: positiveInt(DEFAULT_LIMITS.maxHeaderBytes),
    POWERTOOLS_SERVICE_NAME: z.string().min(1).default('delivery'),
    POWERTOOLS_METRICS_NAMESPACE: z.string().min(1).default('Boundless'),
  })
  .refine((env) => env.BOUNDLESS_EDGE_TOKEN_KID in env.BOUNDLESS_EDGE_TOKEN_SECRETS, {
    path: ['BOUNDLESS_EDGE_TOKEN_SECRETS'],
    message: 'must contain a secret for BOUNDLESS_EDGE_TOKEN_KID',
  });

export function loadDeliveryConfig(env: Record<string, string | undefined> = process.env): DeliveryConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = issue.path[0] ?? 'environment';
      const missing = issue.code === 'invalid_type' && env[String(variable)] === undefined;
      return `${String(variable)}: ${missing ? 'environment variable is required' : issue.message}`;
    });
    throw new DeliveryError('config_invalid', `Invalid delivery configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    tableName: e.BOUNDLESS_TABLE_NAME,
    region: e.AWS_REGION,
    dynamoDbEndpoint: e.BOUNDLESS_DYNAMODB_ENDPOINT,
    edgeBaseUrl: e.BOUNDLESS_EDGE_BASE_URL,
    cloudFront: {
      keyPairId: e.BOUNDLESS_CLOUDFRONT_KEY_PAIR_ID,
      privateKeyPem: e.BOUNDLESS_CLOUDFRONT_PRIVATE_KEY,
    },
    edgeTokens: { currentKid: e.BOUNDLESS_EDGE_TOKEN_KID, secrets: e.BOUNDLESS_EDGE_TOKEN_SECRETS },
    identity: {
      issuer: e.BOUNDLESS_IDENTITY_ISSUER,
      audience: e.BOUNDLESS_IDENTITY_AUDIENCE,
      jwksUrl: e.BOUNDLESS_IDENTITY_JWKS_URL,
      publicKeyPem: e.BOUNDLESS_IDENTITY_PUBLIC_KEY,
      serviceClients: e.BOUNDLESS_IDENTITY_SERVICE_CLIENTS ?? [],
    },
    keyValueStoreArn: e.BOUNDLESS_KVS_ARN,
    limits: {
      accessTtlSeconds: e.BOUNDLESS_ACCESS_TTL_SECONDS,
      deviceLimit: e.BOUNDLESS_DEVICE_LIMIT,
      maxBodyBytes: e.BOUNDLESS_MAX_BODY_BYTES,
      maxHeaderBytes: e.BOUNDLESS_MAX_HEADER_BYTES,
    },
    telemetry: { serviceName: e.POWERTOOLS_SERVICE_NAME, namespace: e.POWERTOOLS_METRICS_NAMESPACE },
  };
}
