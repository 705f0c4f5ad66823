import { InfraConfigError } from '../errors.ts';

/**
 * Which delivery configuration variables hold secrets, and the variable naming the Secrets Manager secret that
 * supplies each. The delivery core reads its configuration from the environment; in AWS the values are
 * fetched once per execution environment, so they never sit in the function's configuration.
 */
export const SECRET_VARIABLES = {
  BOUNDLESS_CLOUDFRONT_PRIVATE_KEY: 'BOUNDLESS_CLOUDFRONT_PRIVATE_KEY_SECRET_ARN',
  BOUNDLESS_EDGE_TOKEN_SECRETS: 'BOUNDLESS_EDGE_TOKEN_SECRETS_SECRET_ARN',
} as const;

export type SecretFetcher = (secretArn: string) => Promise<string | undefined>;

/**
 * Fills each secret variable from the secret its `..._SECRET_ARN` names. A variable already set wins (local
 * runs and tests); a missing or empty secret fails the cold start with the variable's name, never the value.
 */
export async function loadSecretsIntoEnvironment(
  env: Record<string, string | undefined>,
  fetchSecret: SecretFetcher,
): Promise<void> {
  const problems: string[] = [];
  await Promise.all(
    Object.entries(SECRET_VARIABLES).map(async ([variable, arnVariable]) => {
      if (env[variable]) return;
      const arn = env[arnVariable];
      if (!arn) {
        problems.push(`${variable}: set it or ${arnVariable}`);
        return;
      }
      let value: string | undefined;
      try {
        value = await fetchSecret(arn);
      } catch (cause) {
        problems.push(`${variable}: cannot read the secret ${arn} (${(cause as Error).name ?? 'error'})`);
        return;
      }
      if (!value)
        problems.push(`${variable}: the secret ${arn} is empty; put its value first (infra/README.md)`);
      else env[variable] = value;
    }),
  );
  if (problems.length > 0) throw new InfraConfigError('delivery secrets unavailable', problems.sort());
}
