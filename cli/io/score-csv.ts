import {
  AnomalyDetector,
  AnomalyError,
  type AnomalyPoint,
  type DetectorOptions,
} from '@boundless/copilot/anomaly';
import { csvCell } from './csv-cell.ts';
import type { ParsedSeries } from './series-csv.ts';

export interface ScoredCsv {
  /** The output file: header plus one line per input row. */
  csv: string;
  rows: number;
  alarms: number;
  /** Anomalies with their evidence, for findings. */
  anomalies: AnomalyPoint[];
}

/** Six decimals, truncated: a score just below the 0.5 threshold must not print as 0.500000. */
const formatScore = (score: number) => (score === 0 ? '0' : (Math.floor(score * 1e6) / 1e6).toFixed(6));

/**
 * Scores the rows in input order with one streaming detector: row i's score depends on rows ≤ i only.
 * Malformed rows are written as `timestamp,0,0` and do not touch the detector's state.
 */
export function scoreParsedSeries(series: ParsedSeries, options: Partial<DetectorOptions> = {}): ScoredCsv {
  const detector = new AnomalyDetector(options);
  const lines = ['timestamp,anomaly_score,is_anomaly'];
  const anomalies: AnomalyPoint[] = [];
  for (const row of series.rows) {
    // Quoted where needed on every row: a readable time may hold a comma too (`Sun, 08 Mar 2026 02:30:00 GMT`).
    const stamp = csvCell(row.text);
    if (!Number.isFinite(row.value) || !Number.isFinite(row.timestamp)) {
      lines.push(`${stamp},0,0`);
      continue;
    }
    let point: AnomalyPoint;
    try {
      point = detector.update(row.timestamp, row.value);
    } catch (error) {
      throw new AnomalyError(`line ${row.line}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    if (point.isAnomaly) anomalies.push(point);
    lines.push(`${stamp},${formatScore(point.score)},${point.isAnomaly ? 1 : 0}`);
  }
  return { csv: `${lines.join('\n')}\n`, rows: series.rows.length, alarms: anomalies.length, anomalies };
}
