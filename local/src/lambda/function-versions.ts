import type { EnvironmentPool } from './environment-pool.ts';

/**
 * A function's published versions and its `live` alias. Each version has its own execution environments (a new
 * version starts cold, as in Lambda); the alias routes to its version and, during a canary, a weighted share to
 * one more. Routing is spread evenly rather than drawn at random, so 10 % means every tenth request.
 */
export type Handler = (event: never, context: never) => Promise<unknown>;

export interface FunctionVersion {
  version: string;
  handler: Handler;
  pool: EnvironmentPool;
  publishedAt: number;
  description?: string;
  counters: { invocations: number; errors: number; coldStarts: number };
}

export interface AliasRouting {
  /** The version the alias points at. */
  version: string;
  /** A canary: another version and the share (0..1) of invocations it takes. */
  additional?: { version: string; weight: number };
}

export class FunctionVersions {
  private readonly versions = new Map<string, FunctionVersion>();
  private routing: AliasRouting;
  private routed = 0;

  constructor(
    initial: FunctionVersion,
    private readonly newPool: () => EnvironmentPool,
  ) {
    this.versions.set(initial.version, initial);
    this.routing = { version: initial.version };
  }

  publish(version: string, handler: Handler, now: number, description?: string): FunctionVersion {
    if (!/^[A-Za-z0-9$._-]{1,64}$/.test(version))
      throw new RangeError(
        `version label "${version}" must be 1-64 letters, digits, dots, dashes or underscores`,
      );
    if (this.versions.has(version)) throw new RangeError(`version ${version} is already published`);
    const published: FunctionVersion = {
      version,
      handler,
      pool: this.newPool(),
      publishedAt: now,
      ...(description ? { description } : {}),
      counters: { invocations: 0, errors: 0, coldStarts: 0 },
    };
    this.versions.set(version, published);
    return published;
  }

  route(routing: AliasRouting): void {
    this.get(routing.version);
    if (routing.additional) {
      this.get(routing.additional.version);
      const { weight } = routing.additional;
      if (!(weight >= 0 && weight <= 1)) throw new RangeError(`weight must be in 0..1, got ${weight}`);
      if (routing.additional.version === routing.version)
        throw new RangeError('the additional version must differ from the alias version');
    }
    this.routing = structuredClone(routing);
    this.routed = 0;
  }

  aliasRouting(): AliasRouting {
    return structuredClone(this.routing);
  }

  /** The version the next invocation runs. */
  next(): FunctionVersion {
    const extra = this.routing.additional;
    const n = this.routed;
    this.routed += 1;
    if (extra && Math.floor((n + 1) * extra.weight) > Math.floor(n * extra.weight))
      return this.get(extra.version);
    return this.get(this.routing.version);
  }

  get(version: string): FunctionVersion {
    const found = this.versions.get(version);
    if (!found) throw new RangeError(`no version ${version}`);
    return found;
  }

  primary(): FunctionVersion {
    return this.get(this.routing.version);
  }

  list(): FunctionVersion[] {
    return [...this.versions.values()];
  }
}
