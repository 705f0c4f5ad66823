import {
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  type LambdaClient,
  PutProvisionedConcurrencyConfigCommand,
} from '@aws-sdk/client-lambda';
import { deadline } from '../sources/aws-client.ts';
import { PrewarmError } from './errors.ts';
import type { ProvisionedAllocation, ProvisionedConcurrencyTarget } from './target.ts';

export interface LambdaProvisionedConcurrencyOptions {
  client: LambdaClient;
  /** The alias (or version) that holds provisioned concurrency; Lambda accepts none on `$LATEST`. */
  qualifier: string;
  timeoutMs?: number;
}

/**
 * The AWS side of `ProvisionedConcurrencyTarget`: Lambda's PutProvisionedConcurrencyConfig on the alias, and
 * DeleteProvisionedConcurrencyConfig for 0 (Lambda rejects a config of 0 environments). The live loop calls it
 * only when its request changes. Lambda allocates in the background; the loop's lead covers the allocation, and
 * `allocation` (GetProvisionedConcurrencyConfig) tells the loop on its next tick whether it failed.
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

  async allocation(functionName: string): Promise<ProvisionedAllocation | null> {
    const { client, qualifier, timeoutMs } = this.options;
    try {
      const out = await client.send(
        new GetProvisionedConcurrencyConfigCommand({ FunctionName: functionName, Qualifier: qualifier }),
        deadline(timeoutMs),
      );
      const status = out.Status;
      if (status !== 'IN_PROGRESS' && status !== 'READY' && status !== 'FAILED') {
        throw new PrewarmError(`Lambda answered an unknown allocation status ${String(status)}`);
      }
      return {
        status,
        requested: out.RequestedProvisionedConcurrentExecutions ?? 0,
        allocated: out.AllocatedProvisionedConcurrentExecutions ?? 0,
        ...(out.StatusReason ? { reason: out.StatusReason } : {}),
      };
    } catch (error) {
      if ((error as { name?: string }).name === 'ProvisionedConcurrencyConfigNotFoundException') return null;
      if (error instanceof PrewarmError) throw error;
      throw new PrewarmError(`reading provisioned concurrency of ${functionName}:${qualifier} failed`, {
        cause: error,
      });
    }
  }
}
