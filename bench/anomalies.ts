import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnomalyDetector } from '@boundless/copilot/anomaly';
import { listNabFiles, loadNabSeries } from '@boundless/datasets/nab';

const NAB = resolve(fileURLToPath(new URL('../', import.meta.url)), '../shared/data/nab');

function bestOf<T>(runs: number, work: () => T): number {
  work();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** A month-and-more of 1-minute points with daily and weekly cycles, noise, spikes and a level shift. */
function syntheticSeries(points: number): { timestamps: Float64Array; values: Float64Array } {
  const timestamps = new Float64Array(points);
  const values = new Float64Array(points);
  let state = 7;
  for (let i = 0; i < points; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const minute = i % 1440;
    const day = Math.floor(i / 1440) % 7;
    timestamps[i] = Date.UTC(2024, 0, 1) + i * 60_000;
    values[i] =
      100 +
      40 * Math.sin((2 * Math.PI * minute) / 1440) +
      (day >= 5 ? -30 : 0) +
      10 * (state / 2_147_483_648) +
      (i % 50_000 === 0 ? 500 : 0) +
      (i > points / 2 ? 60 : 0);
  }
  return { timestamps, values };
}

/** Points scored per second by one detector per series (best of 5 after a warm-up run). */
export async function run(): Promise<Record<string, number | string>> {
  const synthetic = syntheticSeries(2_000_000);
  const syntheticMs = bestOf(5, () => {
    const detector = new AnomalyDetector();
    let alarms = 0;
    for (let i = 0; i < synthetic.values.length; i++)
      if (detector.update(synthetic.timestamps[i]!, synthetic.values[i]!).isAnomaly) alarms++;
    return alarms;
  });
  const nab = listNabFiles(NAB).map((file) => loadNabSeries(NAB, file));
  const nabPoints = nab.reduce((sum, series) => sum + series.values.length, 0);
  const nabMs = bestOf(5, () => {
    let alarms = 0;
    for (const series of nab) {
      const detector = new AnomalyDetector();
      for (let i = 0; i < series.values.length; i++)
        if (detector.update(series.timestamps[i]!, series.values[i]!).isAnomaly) alarms++;
    }
    return alarms;
  });
  const results = {
    anomalies_synthetic_points: synthetic.values.length,
    anomalies_synthetic_points_per_s: Math.round(synthetic.values.length / (syntheticMs / 1000)),
    anomalies_nab_points: nabPoints,
    anomalies_nab_points_per_s: Math.round(nabPoints / (nabMs / 1000)),
  };
  process.stdout.write(`${JSON.stringify(results)}\n`);
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
