import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { CopilotConfig } from '@boundless/copilot/config';
import {
  type AwsCopilot,
  type AwsCopilotClients,
  type AwsCopilotOptions,
  startAwsCopilot,
} from '@boundless/copilot/service/aws';
import { z } from 'zod';
import { STACK_NAMES } from '../app-builder.ts';
import { PRIMARY_REGION, resolveContext } from '../context.ts';
import { InfraConfigError } from '../errors.ts';
import { type AwsTunablesDocumentOptions, awsTunablesDocument } from './aws-change-sets.ts';

type Env = Record<string, string | undefined>;

const settingsSchema = z.object({
  COPILOT_REPORT_BUCKET: z.string().min(3),
  COPILOT_CHANGE_SET_ROLE_ARN: z.string().startsWith('arn:').optional(),
  COPILOT_CFN_EXECUTION_ROLE_ARN: z.string().startsWith('arn:').optional(),
  /** The bootstrap execution role of each region a change-set stack lives in (JSON `{"<region>": "<arn>"}`). */
  COPILOT_CFN_EXECUTION_ROLE_ARNS: z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object {"<region>": "<role arn>"}' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/), z.string().startsWith('arn:')))
    .optional(),
  /** The deployment context the stacks were synthesized with (JSON), so the copilot synthesizes the same. */
  COPILOT_DEPLOYMENT_CONTEXT: z.string().min(2),
});

/** What a test (or another account layout) replaces: the SDK clients and the tunables document's synthesis. */
export interface DeployedCopilotOverrides {
  clients?: (config: CopilotConfig) => AwsCopilotClients;
  cloudFormation?: (stack: string, region: string) => CloudFormationClient;
  tunables?: Partial<AwsTunablesDocumentOptions>;
  changeSets?: Omit<NonNullable<AwsCopilotOptions['changeSets']>, 'documents'>;
}

/**
 * The copilot as the CopilotStack runs it: `startAwsCopilot` (copilot/) with the change-set flow this package
 * can give it, the tunables applied through CloudFormation change sets by the change-set role. The copilot
 * package does not depend on infra; this composition root does.
 */
export async function startDeployedCopilot(
  env: Env = process.env,
  overrides: DeployedCopilotOverrides = {},
): Promise<AwsCopilot> {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success)
    throw new InfraConfigError(
      'the deployed copilot needs its change-set settings',
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  const settings = parsed.data;
  let contextInput: unknown;
  try {
    contextInput = JSON.parse(settings.COPILOT_DEPLOYMENT_CONTEXT);
  } catch (cause) {
    throw new InfraConfigError('COPILOT_DEPLOYMENT_CONTEXT is not JSON', [String(cause)]);
  }
  const context = resolveContext(contextInput as Record<string, string>, {});
  const region = env.COPILOT_REGION ?? env.AWS_REGION ?? PRIMARY_REGION;
  const s3 = new S3Client({ region });
  const assumed = settings.COPILOT_CHANGE_SET_ROLE_ARN
    ? fromTemporaryCredentials({
        params: { RoleArn: settings.COPILOT_CHANGE_SET_ROLE_ARN, RoleSessionName: 'boundless-copilot' },
      })
    : undefined;
  const clients = new Map<string, CloudFormationClient>();
  const stackRegion = (stack: string) => (stack === STACK_NAMES.replica ? context.replicaRegion : region);
  const executionRoles = settings.COPILOT_CFN_EXECUTION_ROLE_ARNS ?? {};
  const cloudFormation = (stack: string) => {
    const where = stackRegion(stack);
    let client = clients.get(where);
    if (!client) {
      client =
        overrides.cloudFormation?.(stack, where) ??
        new CloudFormationClient({ region: where, ...(assumed ? { credentials: assumed } : {}) });
      clients.set(where, client);
    }
    return client;
  };
  const tunables = awsTunablesDocument({
    s3,
    bucket: settings.COPILOT_REPORT_BUCKET,
    region,
    account: context.account,
    prefix: context.prefix,
    cloudFormation,
    stackRegion,
    // The templates applied carry the deployed Lambda code: bundled as `cdk deploy` bundled it.
    synth: { context: contextInput as Record<string, string>, bundling: true },
    applier: {
      // Each stack's change set runs with its own region's bootstrap execution role.
      roleArn: (stack: string) =>
        executionRoles[stackRegion(stack)] ??
        (stackRegion(stack) === region ? settings.COPILOT_CFN_EXECUTION_ROLE_ARN : undefined),
    },
    ...overrides.tunables,
  });
  try {
    const copilot = await startAwsCopilot(env, overrides.clients, {
      changeSets: { ...overrides.changeSets, documents: [tunables] },
    });
    return {
      ...copilot,
      close: async () => {
        await copilot.close();
        await tunables.close();
      },
    };
  } catch (error) {
    await tunables.close();
    throw error;
  }
}
