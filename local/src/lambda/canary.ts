import type { InvocationFacts } from './lambda-records.ts';

/**
 * The guard of a canary deploy, as CodeDeploy's alarms judge one: the new version's error rate and p99 duration
 * over the invocations it served, against the deployment's limits (the tunables' `deploy` section), or its SLO's
 * fast burn. Judged on the version's own invocations only, and only once it has served enough to judge.
 */
export interface CanaryLimits {
  errorRatePercent: number;
  p99LatencyMs: number;
  /** Invocations the canary must serve before its error rate or p99 can trip the guard. @default 10 */
  minInvocations?: number;
}

export type CanaryVerdict = { trip: false } | { trip: true; reason: string };

/** An error as the Errors metric counts it (a thrown error), or a 5xx the function returned to API Gateway. */
const isError = (f: InvocationFacts) => f.failed || (f.statusCode !== undefined && f.statusCode >= 500);

export class CanaryWindow {
  private invocations = 0;
  private errors = 0;
  private readonly durations: number[] = [];

  constructor(
    readonly version: string,
    private readonly limits: CanaryLimits,
  ) {}

  add(facts: InvocationFacts): void {
    if (facts.version !== this.version) return;
    this.invocations += 1;
    if (isError(facts)) this.errors += 1;
    this.durations.push(facts.endMs - facts.startMs);
  }

  stats(): { invocations: number; errors: number; p99Ms: number | null } {
    const sorted = [...this.durations].sort((a, b) => a - b);
    const p99 = sorted.length
      ? (sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] ?? null)
      : null;
    return { invocations: this.invocations, errors: this.errors, p99Ms: p99 };
  }

  verdict(sloBurning: readonly string[] = []): CanaryVerdict {
    if (sloBurning.length > 0) return { trip: true, reason: `SLO fast burn: ${sloBurning.join(', ')}` };
    const { invocations, errors, p99Ms } = this.stats();
    if (invocations < (this.limits.minInvocations ?? 10)) return { trip: false };
    const rate = (100 * errors) / invocations;
    if (rate > this.limits.errorRatePercent)
      return {
        trip: true,
        reason: `error rate ${rate.toFixed(1)} % > ${this.limits.errorRatePercent} % (${errors}/${invocations})`,
      };
    if (p99Ms !== null && p99Ms > this.limits.p99LatencyMs)
      return { trip: true, reason: `p99 duration ${Math.round(p99Ms)} ms > ${this.limits.p99LatencyMs} ms` };
    return { trip: false };
  }
}
