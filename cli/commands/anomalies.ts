import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { scoreParsedSeries } from '../io/score-csv.ts';
import type { Command } from 'commander';
import { CliError, readFailure, writeFailure } from '../errors.ts';

interface AnomaliesFlags {
  input: string;
  out: string;
  strict?: boolean;
  findings?: string;
}

async function anomalies(flags: AnomaliesFlags): Promise<void> {
  // Loaded when the command runs, so other commands and --help start without them.
  const { AnomalyError } = await import('@boundless/copilot/anomaly');
  const { anomalyFinding } = await import('@boundless/copilot/anomaly');
  const { scoreParsedSeries } = await import('../io/score-csv.ts');
  const { parseSeriesCsv } = await import('../io/series-csv.ts');
  let text: string;
  try {
    text = await readFile(flags.input, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${flags.input}: ${readFailure(error)}`, 2, { cause: error });
  }
  let scored: ReturnType<typeof scoreParsedSeries>;
  let malformed: { line: number; reason: string }[];
  try {
    const series = parseSeriesCsv(text);
    malformed = series.malformed;
    if (flags.strict && malformed.length > 0) {
      const first = malformed[0]!;
      throw new AnomalyError(`line ${first.line}: ${first.reason}`);
    }
    scored = scoreParsedSeries(series);
  } catch (error) {
    if (error instanceof AnomalyError)
      throw new CliError(`${flags.input}: ${error.message}`, 2, { cause: error });
    throw error;
  }
  try {
    await writeFile(flags.out, scored.csv);
    if (flags.findings) {
      const name = basename(flags.input).replace(/\.csv$/i, '');
      const lines = scored.anomalies.map((point) => JSON.stringify(anomalyFinding(name, point)));
      await writeFile(flags.findings, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    }
  } catch (error) {
    const path = (error as NodeJS.ErrnoException).path ?? flags.out;
    throw new CliError(`cannot write ${path}: ${writeFailure(error)}`, 2, { cause: error });
  }
  let summary = `scored ${scored.rows} rows, ${scored.alarms} anomalies`;
  if (malformed.length > 0) {
    const shown = malformed
      .slice(0, 5)
      .map((row) => `line ${row.line}: ${row.reason}`)
      .join('; ');
    summary += `; skipped ${malformed.length} malformed rows (written as score 0): ${shown}${malformed.length > 5 ? '; …' : ''}`;
  }
  process.stderr.write(`${summary}\n`);
}

export function registerAnomalies(program: Command): void {
  program
    .command('anomalies')
    .description(
      'score a timestamp,value series for anomalies; output timestamp,anomaly_score,is_anomaly, row i from rows ≤ i only',
    )
    .requiredOption('--input <csv>', 'input series: header timestamp,value')
    .requiredOption('--out <csv>', 'output: timestamp,anomaly_score,is_anomaly, one row per input row')
    .option('--strict', 'fail on the first malformed row instead of skipping it')
    .option('--findings <jsonl>', 'also write each raised anomaly as a metric_anomaly finding')
    .action(anomalies);
}
