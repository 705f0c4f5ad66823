/**
 * The execution environments of one Lambda function, as a pure state machine over an injected time (`now`):
 * no timers, no I/O. The emulator drives it and turns its answers into waits, logs and metrics.
 *
 *   starting (cold, bound to a request) ──initialised──▶ busy ──released──▶ idle ──acquired──▶ busy
 *   initialising (provisioned pre-warm) ──initialised──▶ idle
 *   idle on-demand environments expire after the keep-alive; provisioned ones stay until unprovisioned.
 *
 * Like Lambda, an environment serves one request at a time, requests go to provisioned environments first,
 * and the concurrency limit caps environments executing at once (provisioned ones included).
 */
export type EnvironmentState = 'initialising' | 'starting' | 'idle' | 'busy';

export interface ExecutionEnvironment {
  readonly id: string;
  readonly provisioned: boolean;
  readonly createdAt: number;
  state: EnvironmentState;
  lastUsedAt: number;
  invocations: number;
  /** Set when provisioned concurrency was lowered while the environment was busy: it goes when released. */
  retiring: boolean;
}

export interface PoolSettings {
  /** Environments executing at once (reserved concurrency); beyond it requests are throttled. */
  concurrencyLimit: number;
  /** How long an idle on-demand environment is kept for reuse. */
  keepAliveMs: number;
}

export type Acquisition =
  | { outcome: 'warm'; environment: ExecutionEnvironment }
  | { outcome: 'cold'; environment: ExecutionEnvironment }
  | { outcome: 'throttled'; concurrentExecutions: number };

export interface PoolSnapshot {
  environments: number;
  concurrentExecutions: number;
  /** Provisioned environments allocated (ready or still initialising), not counting retiring ones. */
  provisionedConcurrency: number;
  provisionedReady: number;
  provisionedConcurrentExecutions: number;
  /** Busy provisioned environments over allocated ones, 0..1 (0 when nothing is provisioned). */
  provisionedUtilization: number;
  idleOnDemand: number;
}

export class PoolSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoolSettingsError';
  }
}

export class EnvironmentPool {
  private readonly environments = new Map<string, ExecutionEnvironment>();

  constructor(
    readonly functionName: string,
    private readonly settings: PoolSettings,
    private readonly newId: () => string,
  ) {
    if (!Number.isInteger(settings.concurrencyLimit) || settings.concurrencyLimit < 1) {
      throw new PoolSettingsError(
        `concurrencyLimit of ${functionName} must be a positive integer, got ${settings.concurrencyLimit}`,
      );
    }
  }

  acquire(now: number): Acquisition {
    const warm = this.pickIdle();
    const executing = this.concurrentExecutions();
    if (executing >= this.settings.concurrencyLimit) {
      return { outcome: 'throttled', concurrentExecutions: executing };
    }
    if (warm) {
      warm.state = 'busy';
      warm.lastUsedAt = now;
      warm.invocations += 1;
      return { outcome: 'warm', environment: warm };
    }
    const environment = this.create(false, 'starting', now);
    environment.invocations = 1;
    return { outcome: 'cold', environment };
  }

  /** Init finished: a cold environment starts its request, a provisioned one becomes ready. */
  initialised(id: string, now: number): ExecutionEnvironment | undefined {
    const environment = this.environments.get(id);
    if (!environment) return undefined;
    if (environment.state === 'starting') environment.state = 'busy';
    else if (environment.state === 'initialising') environment.state = 'idle';
    environment.lastUsedAt = now;
    return environment;
  }

  release(id: string, now: number): void {
    const environment = this.environments.get(id);
    if (!environment) return;
    if (environment.retiring) {
      this.environments.delete(id);
      return;
    }
    environment.state = 'idle';
    environment.lastUsedAt = now;
  }

  /** A failed init leaves nothing reusable behind, as in Lambda. */
  discard(id: string): void {
    this.environments.delete(id);
  }

  /** Removes idle on-demand environments past their keep-alive; returns them. */
  expire(now: number): ExecutionEnvironment[] {
    const expired: ExecutionEnvironment[] = [];
    for (const environment of this.environments.values()) {
      const stale = now - environment.lastUsedAt >= this.settings.keepAliveMs;
      if (!environment.provisioned && environment.state === 'idle' && stale) expired.push(environment);
    }
    for (const environment of expired) this.environments.delete(environment.id);
    return expired;
  }

  /**
   * Sets the provisioned concurrency; returns the new environments the caller must initialise. Lowering it
   * drops initialising and idle environments first and retires busy ones when they finish.
   */
  setProvisioned(target: number, now: number): ExecutionEnvironment[] {
    if (!Number.isInteger(target) || target < 0 || target > this.settings.concurrencyLimit) {
      throw new PoolSettingsError(
        `provisioned concurrency of ${this.functionName} must be an integer in 0..${this.settings.concurrencyLimit}` +
          ` (its concurrency limit), got ${target}`,
      );
    }
    const current = this.provisionedAllocated();
    if (target >= current.length) {
      return Array.from({ length: target - current.length }, () => this.create(true, 'initialising', now));
    }
    const order: EnvironmentState[] = ['initialising', 'idle', 'busy'];
    const surplus = [...current]
      .sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state))
      .slice(0, current.length - target);
    for (const environment of surplus) {
      if (environment.state === 'busy') environment.retiring = true;
      else this.environments.delete(environment.id);
    }
    return [];
  }

  snapshot(): PoolSnapshot {
    const all = [...this.environments.values()];
    const provisioned = this.provisionedAllocated();
    // Retiring environments no longer count as provisioned concurrency, busy or not.
    const provisionedBusy = provisioned.filter((env) => env.state === 'busy').length;
    return {
      environments: all.length,
      concurrentExecutions: this.concurrentExecutions(),
      provisionedConcurrency: provisioned.length,
      provisionedReady: provisioned.filter((env) => env.state !== 'initialising').length,
      provisionedConcurrentExecutions: provisionedBusy,
      provisionedUtilization: provisioned.length === 0 ? 0 : provisionedBusy / provisioned.length,
      idleOnDemand: all.filter((env) => !env.provisioned && env.state === 'idle').length,
    };
  }

  private pickIdle(): ExecutionEnvironment | undefined {
    let best: ExecutionEnvironment | undefined;
    for (const environment of this.environments.values()) {
      if (environment.state !== 'idle') continue;
      // Provisioned first; then the most recently used, so the rest can age out of the keep-alive.
      if (
        !best ||
        (environment.provisioned && !best.provisioned) ||
        (environment.provisioned === best.provisioned && environment.lastUsedAt > best.lastUsedAt)
      ) {
        best = environment;
      }
    }
    return best;
  }

  private concurrentExecutions(): number {
    let count = 0;
    for (const environment of this.environments.values()) {
      if (environment.state === 'busy' || environment.state === 'starting') count += 1;
    }
    return count;
  }

  private provisionedAllocated(): ExecutionEnvironment[] {
    return [...this.environments.values()].filter((env) => env.provisioned && !env.retiring);
  }

  private create(provisioned: boolean, state: EnvironmentState, now: number): ExecutionEnvironment {
    const environment: ExecutionEnvironment = {
      id: this.newId(),
      provisioned,
      createdAt: now,
      state,
      lastUsedAt: now,
      invocations: 0,
      retiring: false,
    };
    this.environments.set(environment.id, environment);
    return environment;
  }
}
