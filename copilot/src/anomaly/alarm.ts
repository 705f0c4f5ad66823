/**
 * The alarm policy: one alarm per episode. A point alarms when its score reaches 0.5 once the detector has
 * formed, at least `refractoryMs` after the previous alarm, and once the score has stayed below 0.5 for
 * `rearmMs` since the previous episode (0: no re-arm wait).
 */
export class AlarmPolicy {
  private lastAlarm = Number.NEGATIVE_INFINITY;
  private lastHigh = Number.NEGATIVE_INFINITY;
  private armed = true;

  constructor(
    private readonly refractoryMs: number,
    private readonly rearmMs: number,
  ) {}

  /** Whether the point at `timestamp` with `score` raises an alarm. */
  decide(timestamp: number, score: number, formed: boolean): boolean {
    let isAnomaly = false;
    if (score >= 0.5) {
      if (formed && this.armed && timestamp - this.lastAlarm >= this.refractoryMs) {
        isAnomaly = true;
        this.lastAlarm = timestamp;
        if (this.rearmMs > 0) this.armed = false;
      }
      this.lastHigh = timestamp;
    } else if (!this.armed && timestamp - this.lastHigh >= this.rearmMs) {
      this.armed = true;
    }
    return isAnomaly;
  }
}

/**
 * The reported score agrees with the decision: a row the policy does not raise (warm-up, or an episode
 * already raised) reports half its evidence score, below 0.5, so `score ≥ 0.5` ⇔ `isAnomaly` for anyone who
 * thresholds the score instead of reading the decision.
 */
export function reportedScore(score: number, isAnomaly: boolean): number {
  return isAnomaly || score < 0.5 ? score : score / 2;
}
