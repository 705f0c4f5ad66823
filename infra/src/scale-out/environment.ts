import { z } from 'zod';
import { InfraConfigError } from '../errors.ts';

/** Read once per execution environment; every problem named at once (values never echoed). */
function read<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.output<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new InfraConfigError(
      'invalid scale-out configuration',
      parsed.error.issues.map((i) => `${String(i.path[0] ?? 'environment')}: ${i.message}`),
    );
  }
  return parsed.data;
}

const region = z.string().min(1).default('us-east-1');

const routerEnvironmentSchema = z.object({
  AWS_REGION: region,
  BOUNDLESS_SUBJECT_STREAM: z.string().min(1),
  BOUNDLESS_GLOBAL_STREAM: z.string().min(1),
  BOUNDLESS_BUCKETS: z.coerce.number().int().min(1).max(4096),
});

const consumerEnvironmentSchema = z.object({
  AWS_REGION: region,
  BOUNDLESS_SCALE_OUT_TABLE: z.string().min(3),
  BOUNDLESS_EVENT_BUS: z.string().min(1),
  BOUNDLESS_REPLAY_HORIZON_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /** Only against a local DynamoDB (tests, the local runtime). */
  BOUNDLESS_DYNAMODB_ENDPOINT: z.url().optional(),
});

export const routerEnvironment = (env: Record<string, string | undefined> = process.env) =>
  read(routerEnvironmentSchema, env);
export const consumerEnvironment = (env: Record<string, string | undefined> = process.env) =>
  read(consumerEnvironmentSchema, env);
