import {
  DeleteProvisionedConcurrencyConfigCommand,
  type LambdaClient,
  PutProvisionedConcurrencyConfigCommand,
} from '@aws-sdk/client-lambda';
import { deadline } from '../sources/aws-client.ts';
import { PrewarmError } from './errors.ts';
import type { ProvisionedConcurrencyTarget } from './target.ts';

export interface LambdaProvisionedConcurrencyOptions {
  client: LambdaClient;
  /** The alias (or version) that holds provisioned concurrency; Lambda accepts none on `$LATEST`. */
  qualifier: string;
  timeoutMs?: number;
}

/**
 * The AWS side of `ProvisionedConcurrencyTarget`: Lambda's PutProvisionedConcurrencyConfig on the alias, and
 * DeleteProvisionedConcurrencyConfig for 0 (Lambda rejects a config of 0 environments). The live loop calls it
 * only when its request changes. Lambda allocates in the background; the loop's lead covers the allocation.
 */
export class LambdaProvisionedConcurrency implements ProvisionedConcurrencyTarget {
  constructor(private readonly options: LambdaProvisionedConcurrencyOptions) {
    if (options.qualifier === '$LATEST' || options.qualifier.trim() === '') {
      throw new PrewarmError('provisioned concurrency needs an alias or a version, not $LATEST');
    }
  }

  async setProvisionedConcurrency(functionName: string, value: number): Promise<void> {
    if (!Number.isInteger(value) || value < 0) {
      throw new PrewarmError(`provisioned concurrency must be a whole number ≥ 0, got ${value}`);
    }
    const { client, qualifier, timeoutMs } = this.options;
    try {
      if (value === 0) {
        await client.send(
          new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: functionName, Qualifier: qualifier }),
          deadline(timeoutMs),
        );
      } else {
        await client.send(
          new PutProvisionedConcurrencyConfigCommand({
            FunctionName: functionName,
            Qualifier: qualifier,
            ProvisionedConcurrentExecutions: value,
          }),
          deadline(timeoutMs),
        );
      }
    } catch (error) {
      // Deleting a config that does not exist leaves what was asked for: none.
      if (
        value === 0 &&
        (error as { name?: string }).name === 'ProvisionedConcurrencyConfigNotFoundException'
      )
        return;
      throw new PrewarmError(
        `Lambda refused provisioned concurrency ${value} on ${functionName}:${qualifier}`,
        { cause: error },
      );
    }
  }
}
