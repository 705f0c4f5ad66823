import { readFile } from 'node:fs/promises';
import type { Finding } from '@boundless/copilot/findings';
import { parseUtcTime } from '@boundless/common/time';
import type { Command } from 'commander';
import { CliError, readFailure } from '../errors.ts';
import { writeOutput } from '../output.ts';

interface DiagnoseFlags {
  telemetry: string;
  at: string;
  window: string;
  out: string;
  findings?: string;
  question?: string;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

function parseWindow(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!match || Number(match[1]) === 0)
    throw new CliError(`--window "${text}" is not a duration such as 30m, 2h or 90s`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Findings as JSON lines (the copilot's own, or `GET /api/findings` saved); bad lines are reported and skipped. */
async function readFindings(path: string): Promise<{ findings: Record<string, unknown>[]; skipped: number }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read --findings ${path}: ${readFailure(error)}`, 2, { cause: error });
  }
  const findings: Record<string, unknown>[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value === 'object' && value !== null && 'kind' in value && 'detectedAt' in value)
        findings.push(value as Record<string, unknown>);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { findings, skipped };
}

async function diagnose(flags: DiagnoseFlags): Promise<void> {
  // Without a zone the time is UTC, as the telemetry's day files are: the same on every machine.
  const atMs = parseUtcTime(flags.at);
  if (!Number.isFinite(atMs)) throw new CliError(`--at "${flags.at}" is not an ISO-8601 time`);
  const windowMs = parseWindow(flags.window);
  // Loaded when the command runs, so other commands and --help start without them.
  const { readTelemetryDirectory, TelemetryDirectoryError } = await import(
    '@boundless/copilot/telemetry-dir'
  );
  const { diagnoseSnapshot } = await import('@boundless/copilot/diagnose');
  const started = performance.now();
  let snapshot: Awaited<ReturnType<typeof readTelemetryDirectory>>;
  try {
    snapshot = await readTelemetryDirectory(flags.telemetry, { startMs: atMs - windowMs, endMs: atMs });
  } catch (error) {
    if (error instanceof TelemetryDirectoryError)
      throw new CliError(`--telemetry: ${error.message}`, 2, { cause: error });
    throw error;
  }
  const findings = flags.findings ? await readFindings(flags.findings) : undefined;
  const diagnosis = diagnoseSnapshot(
    {
      snapshot,
      ...(findings ? { findings: findings.findings as unknown as Finding[] } : {}),
    },
    { atMs, windowMs, ...(flags.question ? { question: flags.question } : {}) },
  );
  await writeOutput(flags.out, `${JSON.stringify(diagnosis, null, 2)}\n`, '--out');
  const ms = Math.round(performance.now() - started);
  const lead = diagnosis.hypotheses[0];
  const head = lead
    ? `${diagnosis.hypotheses.length} hypotheses; first: ${lead.component} ${lead.fault} (confidence ${lead.confidence})`
    : 'no fault found';
  const skipped = findings?.skipped ? `; ${findings.skipped} unreadable finding lines skipped` : '';
  process.stderr.write(
    `diagnosed ${snapshot.logs.length} log events, ${snapshot.metrics.length} metric points and ${snapshot.spans.length} spans in ${ms} ms: ${head}; ${diagnosis.gaps.length} gaps${skipped}\n`,
  );
}

export function registerDiagnose(program: Command): void {
  program
    .command('diagnose')
    .description(
      'diagnose an incident offline from a telemetry directory (logs/<group>/<day>.log, xray/<day>.jsonl): ranked hypotheses (component + fault kind) each citing the log events, traces and metric points it rests on, and the gaps',
    )
    .requiredOption('--telemetry <dir>', 'telemetry directory, e.g. .data (holds logs/ and xray/)')
    .requiredOption('--at <iso>', 'the time of the alert or question; the window ends here')
    .option('--window <duration>', 'how far back to look, e.g. 30m, 2h', '30m')
    .requiredOption('--out <json>', 'where to write the diagnosis')
    .option(
      '--findings <jsonl>',
      "the copilot's findings (abuse detections) to weigh, one JSON object per line",
    )
    .option('--question <text>', 'what was asked or alerted on; components it names are looked at first')
    .action(diagnose);
}
