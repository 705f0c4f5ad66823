import type { ExecutionEnvironment } from './environment-pool.ts';
import type { AliasRouting, FunctionVersion, Handler } from './function-versions.ts';
import { LambdaEmulatorError } from './lambda-errors.ts';
import type { RegisteredFunction } from './registered-function.ts';

// Versions and the `live` alias of a registered function, as a canary deploy drives them: publish a version, point
// the alias (with a weighted share to a second version), read what each version served.

export interface VersionStats {
  version: string;
  publishedAt: number;
  description?: string;
  invocations: number;
  errors: number;
  coldStarts: number;
  environments: number;
}

/** Starts the provisioned environments a version was just given (their INIT). */
export type ProvisionedInit = (
  fn: RegisteredFunction,
  version: FunctionVersion,
  environments: ExecutionEnvironment[],
) => Promise<unknown>;

/**
 * Publishes a version of the function's code; `wrap` stands in for new code (a local deploy has no other code
 * to publish): it receives the current handler and returns the version's.
 */
export function publishVersion(
  fn: RegisteredFunction,
  version: string,
  options: { wrap?: (handler: Handler) => Handler; description?: string },
  clock: () => number,
): void {
  const base = fn.definition.handler as Handler;
  try {
    fn.versions.publish(version, options.wrap ? options.wrap(base) : base, clock(), options.description);
  } catch (error) {
    throw invalidParameter(error);
  }
}

/** Points the alias (and a weighted share during a canary); provisioned concurrency follows the alias's version. */
export async function routeAlias(
  fn: RegisteredFunction,
  routing: AliasRouting,
  clock: () => number,
  initialiseProvisioned: ProvisionedInit,
): Promise<void> {
  const before = fn.versions.primary();
  try {
    fn.versions.route(routing);
  } catch (error) {
    throw invalidParameter(error);
  }
  const after = fn.versions.primary();
  if (after !== before && fn.provisioned > 0) {
    before.pool.setProvisioned(0, clock());
    const fresh = after.pool.setProvisioned(fn.provisioned, clock());
    await initialiseProvisioned(fn, after, fresh);
  }
}

export function versionStats(fn: RegisteredFunction): VersionStats[] {
  return fn.versions.list().map((v) => ({
    version: v.version,
    publishedAt: v.publishedAt,
    ...(v.description ? { description: v.description } : {}),
    ...v.counters,
    environments: v.pool.snapshot().environments,
  }));
}

/** The versions' own validation errors, answered as the Lambda API answers a bad version or routing. */
function invalidParameter(error: unknown): LambdaEmulatorError {
  return new LambdaEmulatorError('InvalidParameterValueException', (error as Error).message, {
    cause: error,
  });
}
