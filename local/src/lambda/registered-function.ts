import type { Context } from 'aws-lambda';
import type { EnvironmentPool } from './environment-pool.ts';
import { FunctionVersions, type Handler } from './function-versions.ts';

export interface LambdaFunction<TEvent = unknown, TResult = unknown> {
  functionName: string;
  handler: (event: TEvent, context: Context) => Promise<TResult>;
  /** @default 256 */
  memoryMb?: number;
}

/** A function as the emulator holds it: its configuration, versions with their environments, and its counters. */
export interface RegisteredFunction {
  definition: LambdaFunction;
  memoryMb: number;
  versions: FunctionVersions;
  /** Provisioned concurrency on the alias: held by the version it points at. */
  provisioned: number;
  counters: { invocations: number; coldStarts: number; throttles: number; errors: number };
}

/**
 * A newly registered function: `$LATEST` only, no environments yet, the alias on `$LATEST`. `newPool` makes the
 * execution environments of each version, this one and every one published later.
 */
export function newRegisteredFunction(
  definition: LambdaFunction<never, unknown>,
  newPool: () => EnvironmentPool,
  clock: () => number,
): RegisteredFunction {
  const versions = new FunctionVersions(
    {
      version: '$LATEST',
      handler: definition.handler as Handler,
      pool: newPool(),
      publishedAt: clock(),
      counters: { invocations: 0, errors: 0, coldStarts: 0 },
    },
    newPool,
  );
  const counters = { invocations: 0, coldStarts: 0, throttles: 0, errors: 0 };
  return {
    definition: definition as LambdaFunction,
    memoryMb: definition.memoryMb ?? 256,
    versions,
    provisioned: 0,
    counters,
  };
}
