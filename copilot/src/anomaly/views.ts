// The detector's views and the point it reports for each row.

/** Which view raised the evidence. */
export type AnomalyView =
  | 'value'
  | 'mean'
  | 'daily_profile'
  | 'volatility'
  | 'median'
  | 'log_value'
  | 'flat_line';

export interface AnomalyPoint {
  timestamp: number;
  value: number;
  /**
   * 0..1: `e / (1 + e)` of the evidence `e`, 0 inside every range; halved (below 0.5) on rows the alarm
   * policy does not raise, so `score ≥ 0.5` exactly when `isAnomaly`.
   */
  score: number;
  /** The raw evidence: the largest novelty, in units of the alarm threshold (≥ 1 at the threshold). */
  evidence: number;
  isAnomaly: boolean;
  /** The view with the strongest evidence (undefined when the point is inside every range). */
  view: AnomalyView | undefined;
  /** The expected value (daily profile when the series is seasonal, else the recent level) and the band
   * outside which the point itself would reach the threshold. */
  expected: number;
  lower: number;
  upper: number;
}

/**
 * In the order in which a point's explanation is chosen (the simplest first). Every view but the last is a
 * feature judged against the range it has covered (`RANGED_VIEWS` of them); the flat-line view judges a run
 * against the runs before it (flatline.ts).
 */
export const VIEWS: readonly AnomalyView[] = [
  'value',
  'mean',
  'daily_profile',
  'volatility',
  'median',
  'log_value',
  'flat_line',
];

/** The views judged against a record range of their feature: every view before 'flat_line'. */
export const RANGED_VIEWS = VIEWS.indexOf('flat_line');
