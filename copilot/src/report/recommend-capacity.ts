import { LIST_PRICES_USD } from '../sources/cost-model.ts';
import type { ApiAccess, InvocationReport } from './function-telemetry.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import { humanSeconds, pointer, round } from './recommend-cache.ts';
import type { FunctionUse, ReportRecommendation, ReportTunables, RouteDemand } from './types.ts';

const DAYS_PER_MONTH = 30;
/** Throttling thresholds sit this far above the p99 second of demand, and the burst twice the rate. */
const HEADROOM = 2;
const roundMs = (ms: number | null) => (ms === null ? null : round(ms, 1));
const roundUp = (n: number, step: number) => Math.max(step, Math.ceil(n / step) * step);

/** Per route: requests per second (busiest and p99 of the seconds with traffic) against its limits. */
export class RouteDemandCounter {
  private readonly routes = new Map<
    string,
    { seconds: Map<number, number>; requests: number; throttled: number }
  >();
  add(a: ApiAccess): void {
    const r = this.routes.get(a.routeKey) ?? { seconds: new Map(), requests: 0, throttled: 0 };
    this.routes.set(a.routeKey, r);
    r.requests += 1;
    if (a.throttled) r.throttled += 1;
    const second = Math.floor(a.atMs / 1000);
    r.seconds.set(second, (r.seconds.get(second) ?? 0) + 1);
  }
  result(tunables: ReportTunables): RouteDemand[] {
    const limits = tunables.api.throttling;
    return [...this.routes].map(([routeKey, r]) => {
      const perSecond = [...r.seconds.values()].sort((a, b) => a - b);
      const limit = limits.routes[routeKey] ?? limits.default;
      return {
        routeKey,
        requests: r.requests,
        throttled: r.throttled,
        peakPerSecond: perSecond.at(-1) ?? 0,
        p99PerSecond: perSecond[Math.min(perSecond.length - 1, Math.floor(0.99 * perSecond.length))] ?? 0,
        rateLimit: limit.rateLimit,
        burstLimit: limit.burstLimit,
      };
    });
  }
}

/** Throttles against p99 demand: raise a limit that refused traffic below twice the p99 second. */
export function throttlingRecommendations(
  routes: readonly RouteDemand[],
  day: string,
): ReportRecommendation[] {
  return routes
    .filter((r) => r.throttled > 0 && r.rateLimit < HEADROOM * r.p99PerSecond)
    .map((r) => {
      const rateLimit = roundUp(HEADROOM * r.p99PerSecond, 50);
      const burstLimit = Math.max(r.burstLimit, roundUp(HEADROOM * Math.max(rateLimit, r.peakPerSecond), 50));
      return {
        id: `throttling:${r.routeKey}`,
        kind: 'throttling' as const,
        title: `Raise ${r.routeKey} throttling to ${rateLimit}/s (burst ${burstLimit})`,
        rationale: `${r.throttled} of ${r.requests} requests were throttled while the p99 second carried ${r.p99PerSecond} requests against a limit of ${r.rateLimit}/s`,
        evidence: [
          {
            label: 'throttled requests',
            value: String(r.throttled),
            ref: { section: 'routes', route: r.routeKey, day },
          },
          { label: 'p99 / busiest second', value: `${r.p99PerSecond} / ${r.peakPerSecond}` },
          { label: 'limit now', value: `${r.rateLimit}/s, burst ${r.burstLimit}` },
        ],
        estimate: {
          monthlySavingUsd: 0,
          assumptions: [
            `limit = ${HEADROOM}× the p99 second of the report day, rounded up to 50; burst ${HEADROOM}× the larger of rate and busiest second`,
            'the functions behind the route have the concurrency to serve it (see right-sizing)',
          ],
        },
        risk: 'more traffic reaches the functions and the table: an abusive client gets more through before WAF rate rules act',
        reversible: true,
        reversibility: 'roll back the change set: the stage takes the old limits at once',
        changeSet: {
          document: 'tunables' as const,
          patch: [
            {
              op: 'add' as const,
              path: pointer('api', 'throttling', 'routes', r.routeKey),
              value: { rateLimit, burstLimit },
            },
          ],
          verification: {
            metric: 'api.throttles',
            scope: { route: r.routeKey },
            windowMinutes: 60,
            direction: 'decrease' as const,
            guardSlos: [],
          },
        },
      };
    });
}

/** Per function: invocations, GB-seconds, duration quantiles, cold starts, monthly cost. */
export class FunctionUseCounter {
  private readonly fns = new Map<
    string,
    { n: number; gbs: number; memory: number; h: LatencyHistogram; cold: number }
  >();
  add(r: InvocationReport): void {
    const f = this.fns.get(r.functionName) ?? {
      n: 0,
      gbs: 0,
      memory: r.memoryMb,
      h: new LatencyHistogram(),
      cold: 0,
    };
    this.fns.set(r.functionName, f);
    f.n += 1;
    f.gbs += (r.billedDurationMs / 1000) * (r.memoryMb / 1024);
    f.memory = r.memoryMb;
    f.h.add(r.durationMs);
    if (r.initMs !== undefined) f.cold += 1;
  }
  result(handlerOf: (functionName: string) => string | undefined): FunctionUse[] {
    return [...this.fns].map(([functionName, f]) => ({
      functionName,
      handler: handlerOf(functionName),
      invocations: f.n,
      memoryMb: f.memory,
      gbSeconds: round(f.gbs, 3),
      p50Ms: roundMs(f.h.quantile(0.5)),
      p99Ms: roundMs(f.h.quantile(0.99)),
      coldStarts: f.cold,
      monthlyUsd: round(
        DAYS_PER_MONTH *
          (f.gbs * LIST_PRICES_USD.lambdaPerGbSecond +
            (f.n / 1e6) * LIST_PRICES_USD.lambdaPerMillionRequests),
        4,
      ),
    }));
  }
}

/**
 * Right-sizing without a memory-used figure: a function whose p99 is far inside its timeout is offered a trial at
 * half its memory, verified on its GB-seconds (and rolled back by its guard SLOs when its latency suffers).
 */
export function rightSizingRecommendations(
  fns: readonly FunctionUse[],
  tunables: ReportTunables,
  options: { timeoutMs: number; minMemoryMb?: number; guardSlos?: string[]; day: string },
): ReportRecommendation[] {
  const floor = options.minMemoryMb ?? 256;
  return fns
    .filter((f) => f.handler !== undefined && f.memoryMb / 2 >= floor && f.invocations >= 100)
    .filter((f) => f.p99Ms !== null && f.p99Ms < options.timeoutMs / 10)
    .map((f) => {
      const memoryMb = f.memoryMb / 2;
      const handler = f.handler as string;
      const configured = tunables.lambda.functions[handler];
      return {
        id: `right_sizing:${handler}`,
        kind: 'right_sizing' as const,
        title: `Try ${handler} at ${memoryMb} MB (now ${f.memoryMb} MB)`,
        rationale: `${f.invocations} invocations, p99 ${f.p99Ms} ms against a ${humanSeconds(options.timeoutMs / 1000)} timeout: the function waits more than it computes`,
        evidence: [
          {
            label: 'GB-seconds (day)',
            value: String(f.gbSeconds),
            ref: { section: 'functions', function: f.functionName, day: options.day },
          },
          { label: 'duration p50 / p99 ms', value: `${f.p50Ms} / ${f.p99Ms}` },
          { label: 'monthly cost now', value: `$${f.monthlyUsd}` },
        ],
        estimate: {
          monthlySavingUsd: round((f.gbSeconds / 2) * DAYS_PER_MONTH * LIST_PRICES_USD.lambdaPerGbSecond, 4),
          metric: {
            name: 'lambda.gb_seconds',
            unit: 'GB-s',
            before: f.gbSeconds,
            expected: round(f.gbSeconds / 2, 3),
          },
          assumptions: [
            'duration does not grow at half the memory (I/O-bound: waits on DynamoDB and KMS); verification measures it',
            `Lambda $${LIST_PRICES_USD.lambdaPerGbSecond} per GB-second; the report day repeats for ${DAYS_PER_MONTH} days`,
          ],
        },
        risk: 'CPU scales with memory: a CPU-bound path gets slower; the guard SLOs roll it back if latency burns',
        reversible: true,
        reversibility: 'roll back the change set: the next invocations run at the old memory',
        changeSet: {
          document: 'tunables' as const,
          patch: [
            configured
              ? {
                  op: 'replace' as const,
                  path: pointer('lambda', 'functions', handler, 'memoryMb'),
                  value: memoryMb,
                }
              : { op: 'add' as const, path: pointer('lambda', 'functions', handler), value: { memoryMb } },
          ],
          verification: {
            metric: 'lambda.gb_seconds',
            scope: { function: f.functionName },
            windowMinutes: 60,
            direction: 'decrease' as const,
            guardSlos: options.guardSlos ?? [],
          },
        },
      };
    });
}
