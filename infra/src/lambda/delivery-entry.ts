/**
 * The delivery core's Lambda entry as deployed: the secrets its configuration names come from Secrets Manager
 * (once per execution environment, before the first invocation), then every route handler of the delivery
 * core is exported unchanged. infra points each function at one export.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { loadSecretsIntoEnvironment } from './secrets.ts';

await loadSecretsIntoEnvironment(process.env, async (arn) => {
  const value = await getSecret(arn, { maxAge: 300 });
  return typeof value === 'string' ? value : undefined;
});

export * from '@boundless/delivery/lambda';
