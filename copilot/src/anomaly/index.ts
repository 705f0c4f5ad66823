// Metric anomalies: an online detector over one series, scored on event time, and its finding.
export {
  AnomalyDetector,
  DEFAULT_DETECTOR_OPTIONS,
  type DetectorOptions,
  type ScoredSeries,
  scoreSeries,
} from './detector.ts';
export { AnomalyError } from './errors.ts';
export { anomalyFinding } from './finding.ts';
export type { AnomalyPoint, AnomalyView } from './views.ts';
