import { z } from 'zod';
import { InfraConfigError } from './errors.ts';

/**
 * Where and how one deployment goes: CDK context (`cdk synth -c key=value` or `cdk.json`), validated once.
 * Everything here is a fact about the account, not a tunable: no change set patches it.
 */

/**
 * CloudFront-scoped WAF web ACLs, the distribution's certificate and the copilot's WAF adapter all live in
 * us-east-1, so the delivery, observability and copilot stacks do too; data is replicated to `replicaRegion`.
 */
export const PRIMARY_REGION = 'us-east-1';

/** An account number that cannot be deployed to: offline synthesis without credentials uses it. */
export const PLACEHOLDER_ACCOUNT = '000000000000';

const contextSchema = z.strictObject({
  account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
  replicaRegion: z
    .string()
    .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as us-west-2')
    .refine((r) => r !== PRIMARY_REGION, `must differ from the primary region ${PRIMARY_REGION}`),
  /** Prefix of names that must be unique in the account (buckets, streams, pools). */
  prefix: z
    .string()
    .regex(
      /^[a-z][a-z0-9-]{1,20}$/,
      'lowercase letters, digits and dashes, 2-21 characters, starting with a letter',
    ),
  /** PEM file with the public half of the CloudFront signing key; the private half goes to Secrets Manager. */
  signingPublicKeyFile: z.string().min(1).optional(),
  /**
   * The same public key as PEM text. The CopilotStack hands the copilot the deployed key this way (a public key is
   * no secret), so that its syntheses carry the key group the deployment has.
   */
  signingPublicKey: z
    .string()
    .includes('-----BEGIN PUBLIC KEY-----', { message: 'must be a PEM public key' })
    .optional(),
  /** Kid of the edge-token secret new tokens are signed with (the secret lives in Secrets Manager and the KVS). */
  edgeTokenKid: z.string().regex(/^[A-Za-z0-9]{1,8}$/, 'must match [A-Za-z0-9]{1,8}'),
  /** Alternate domain and its us-east-1 ACM certificate; without them the distribution's own domain is used. */
  edgeDomainName: z.string().min(3).optional(),
  edgeCertificateArn: z.string().startsWith('arn:aws:acm:us-east-1:').optional(),
  /** Who receives pages, tickets and budget alerts. */
  alarmEmail: z.email().optional(),
  /** A pushed copilot image (`<repo-uri>:<tag>`); without it the image is built from the repository. */
  copilotImage: z.string().min(3).optional(),
  /** The built dashboard (`npm run build -w dashboard`); without it the dashboard bucket is created empty. */
  dashboardDir: z.string().min(1).optional(),
  /**
   * The deployed dashboard build's content hash (`dashboardBuildHash`): with it, a synthesis without the files
   * (the copilot's) names the upload the deployment published.
   */
  dashboardAssetHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest')
    .optional(),
});

export type DeploymentContext = z.output<typeof contextSchema>;
export type DeploymentContextInput = Partial<z.input<typeof contextSchema>>;

export const CONTEXT_KEYS = Object.keys(contextSchema.shape) as (keyof DeploymentContext)[];

const DEFAULTS = { replicaRegion: 'us-west-2', prefix: 'boundless', edgeTokenKid: 'k1' } as const;

/**
 * Context values over the defaults; the account falls back to the CLI's (`CDK_DEFAULT_ACCOUNT`) and then to
 * the placeholder, so `cdk synth` works offline. Empty strings count as absent (`-c key=` clears a value).
 */
export function resolveContext(
  values: DeploymentContextInput,
  env: Record<string, string | undefined> = process.env,
): DeploymentContext & { placeholderAccount: boolean } {
  const given = Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== undefined && v !== ''),
  ) as DeploymentContextInput;
  const account = given.account ?? (env.CDK_DEFAULT_ACCOUNT || PLACEHOLDER_ACCOUNT);
  const parsed = contextSchema.safeParse({ ...DEFAULTS, ...given, account });
  if (!parsed.success) {
    throw new InfraConfigError(
      'invalid deployment context',
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  if ((parsed.data.edgeDomainName === undefined) !== (parsed.data.edgeCertificateArn === undefined)) {
    throw new InfraConfigError('invalid deployment context', [
      'edgeDomainName and edgeCertificateArn go together: give both or neither',
    ]);
  }
  return { ...parsed.data, placeholderAccount: parsed.data.account === PLACEHOLDER_ACCOUNT };
}
