import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvironmentPool, PoolSettingsError } from './environment-pool.ts';

function pool(concurrencyLimit = 3, keepAliveMs = 1000) {
  let next = 0;
  return new EnvironmentPool('fn', { concurrencyLimit, keepAliveMs }, () => `env-${++next}`);
}

describe('Class: EnvironmentPool', () => {
  describe('Method: acquire', () => {
    it('starts a cold environment when none is idle, and reuses it once released', () => {
      const environments = pool();
      const first = environments.acquire(0);
      expect(first.outcome).toBe('cold');
      if (first.outcome !== 'cold') return;
      environments.initialised(first.environment.id, 250);
      environments.release(first.environment.id, 300);

      const second = environments.acquire(400);

      expect(second).toMatchObject({
        outcome: 'warm',
        environment: { id: first.environment.id, invocations: 2 },
      });
    });

    it('never gives one environment two requests at once', () => {
      const environments = pool();
      const first = environments.acquire(0);
      const second = environments.acquire(0);
      expect(first.outcome).toBe('cold');
      expect(second.outcome).toBe('cold');
      if (first.outcome === 'throttled' || second.outcome === 'throttled') return;
      expect(second.environment.id).not.toBe(first.environment.id);
    });

    it('throttles beyond the concurrency limit and admits again once one finishes', () => {
      const environments = pool(2);
      const first = environments.acquire(0);
      environments.acquire(0);
      expect(environments.acquire(0)).toEqual({ outcome: 'throttled', concurrentExecutions: 2 });
      if (first.outcome === 'throttled') return;
      environments.initialised(first.environment.id, 10);
      environments.release(first.environment.id, 20);
      expect(environments.acquire(30).outcome).toBe('warm');
    });

    it('prefers a ready provisioned environment over an idle on-demand one', () => {
      const environments = pool();
      const onDemand = environments.acquire(0);
      if (onDemand.outcome === 'throttled') return;
      environments.initialised(onDemand.environment.id, 1);
      environments.release(onDemand.environment.id, 2);
      const [provisioned] = environments.setProvisioned(1, 3);
      environments.initialised(provisioned!.id, 4);

      const next = environments.acquire(5);

      expect(next).toMatchObject({
        outcome: 'warm',
        environment: { id: provisioned!.id, provisioned: true },
      });
    });
  });

  describe('Method: expire', () => {
    it('drops idle on-demand environments after the keep-alive but keeps provisioned ones', () => {
      const environments = pool(3, 1000);
      const cold = environments.acquire(0);
      if (cold.outcome === 'throttled') return;
      environments.initialised(cold.environment.id, 0);
      environments.release(cold.environment.id, 0);
      const [provisioned] = environments.setProvisioned(1, 0);
      environments.initialised(provisioned!.id, 0);

      expect(environments.expire(999)).toEqual([]);
      expect(environments.expire(1000).map((env) => env.id)).toEqual([cold.environment.id]);
      expect(environments.snapshot()).toMatchObject({ environments: 1, provisionedReady: 1 });
    });
  });

  describe('Method: setProvisioned', () => {
    it('retires a busy provisioned environment only when its request finishes', () => {
      const environments = pool();
      const [a] = environments.setProvisioned(1, 0);
      environments.initialised(a!.id, 0);
      environments.acquire(1);

      environments.setProvisioned(0, 2);
      expect(environments.snapshot()).toMatchObject({ environments: 1, provisionedConcurrency: 0 });
      environments.release(a!.id, 3);

      expect(environments.snapshot().environments).toBe(0);
    });

    it('rejects values outside 0..concurrencyLimit with the value seen', () => {
      expect(() => pool(2).setProvisioned(3, 0)).toThrow(PoolSettingsError);
      expect(() => pool(2).setProvisioned(-1, 0)).toThrow(/got -1/);
    });

    it('reports utilization as busy provisioned over allocated', () => {
      const environments = pool(4);
      for (const env of environments.setProvisioned(4, 0)) environments.initialised(env.id, 0);
      environments.acquire(1);
      expect(environments.snapshot()).toMatchObject({
        provisionedUtilization: 0.25,
        concurrentExecutions: 1,
      });
    });
  });

  it('keeps its invariants under any sequence of operations', () => {
    const operation = fc.oneof(
      fc.constant({ kind: 'acquire' as const }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('provision' as const), value: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 2000 }) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const environments = pool(4, 1000);
        const busy: string[] = [];
        let now = 0;
        for (const op of operations) {
          if (op.kind === 'acquire') {
            const got = environments.acquire(now);
            if (got.outcome !== 'throttled') {
              environments.initialised(got.environment.id, now);
              busy.push(got.environment.id);
            }
          } else if (op.kind === 'release' && busy.length > 0) {
            const [id] = busy.splice(op.pick % busy.length, 1);
            environments.release(id!, now);
          } else if (op.kind === 'provision') {
            for (const env of environments.setProvisioned(op.value, now))
              environments.initialised(env.id, now);
          } else if (op.kind === 'tick') {
            now += op.ms;
            environments.expire(now);
          }
          const snapshot = environments.snapshot();
          expect(snapshot.concurrentExecutions).toBe(busy.length);
          expect(snapshot.concurrentExecutions).toBeLessThanOrEqual(4);
          expect(snapshot.provisionedUtilization).toBeGreaterThanOrEqual(0);
          expect(snapshot.provisionedUtilization).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});
