import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, notADirectory, readFailure } from '../errors.ts';

interface ReportOptions {
  date: string;
  dataDir: string;
  focus?: string;
  lookbackDays: string;
  format: 'md' | 'json' | 'none';
  bucket?: string;
  telemetry: 'dir' | 'aws';
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'the daily optimization report (cache behaviour, storage classes, throttling, right-sizing, cost) from a data dir',
    )
    .option('--date <day>', 'UTC day: YYYY-MM-DD, today or yesterday', 'yesterday')
    .option(
      '--data-dir <dir>',
      'the data dir `boundless start` writes (logs, edge logs, origin, tunables)',
      '.data',
    )
    .option('--focus <csv>', 'a FOCUS 1.0 cost export for the cost section')
    .option('--lookback-days <n>', 'days of origin reads behind the storage-class analysis', '30')
    .option('--format <format>', 'what to print: md, json or none (all three are stored anyway)', 'md')
    .option(
      '--bucket <name>',
      'store the report in this S3 bucket under reports/ instead of the data dir (the copilot in AWS reads it there)',
      process.env.COPILOT_REPORT_BUCKET,
    )
    .option(
      '--telemetry <where>',
      'dir: the data dir; aws: the log groups in CloudWatch Logs (COPILOT_API_LOG_GROUPS, COPILOT_API_ACCESS_LOG_GROUP), Cost Explorer, ' +
        'the CloudFront standard logs (COPILOT_LOG_BUCKET, COPILOT_LOG_PREFIX) and the content bucket with its access logs (COPILOT_CONTENT_BUCKET)',
      process.env.COPILOT_MODE === 'aws' ? 'aws' : 'dir',
    )
    .addHelpText(
      'after',
      '\nStores <data dir>/reports/<day>.json, .md and .html (charts inline); the dashboard shows them under Reports.\n' +
        'Each recommendation carries its change set: propose it from the dashboard or POST /api/change-sets.',
    )
    .action(async (options: ReportOptions) => {
      const { reportDay, writeLocalReport } = await import('../local/report.ts');
      let day: string;
      try {
        day = reportDay(options.date);
      } catch (error) {
        throw new CliError((error as Error).message, 2, { cause: error });
      }
      const lookbackDays = Number(options.lookbackDays);
      if (!Number.isInteger(lookbackDays) || lookbackDays < 1 || lookbackDays > 400)
        throw new CliError(`--lookback-days must be an integer in 1..400, got "${options.lookbackDays}"`, 2);
      if (!['md', 'json', 'none'].includes(options.format))
        throw new CliError(`--format must be md, json or none, got "${options.format}"`, 2);
      if (!['dir', 'aws'].includes(options.telemetry))
        throw new CliError(`--telemetry must be dir or aws, got "${options.telemetry}"`, 2);
      // A mistyped data dir would otherwise be created and given an empty report, exit code 0.
      if (options.telemetry === 'dir' && !existsSync(options.dataDir))
        throw new CliError(
          `no data dir at ${resolve(options.dataDir)}: \`boundless start\` writes one (.data by default); --data-dir names another`,
          2,
        );
      const notDir = notADirectory(
        '--data-dir',
        options.dataDir,
        statSync(options.dataDir, { throwIfNoEntry: false }),
      );
      if (options.telemetry === 'dir' && notDir) throw notDir;
      if (options.telemetry === 'dir') await checkTunables(options.dataDir);
      const focus = options.focus ? await readFocusFile(options.focus) : undefined;
      const store = options.bucket ? await s3ReportStore(options.bucket) : undefined;
      const aws = options.telemetry === 'aws' ? await awsInputs() : undefined;
      const { report, paths } = await writeLocalReport({
        ...(store ? { store } : {}),
        ...(aws
          ? {
              logs: aws.logs,
              ...(aws.tunables ? { tunables: aws.tunables } : {}),
              ...(aws.edgeLogs ? { edgeLogs: aws.edgeLogs } : {}),
              ...(aws.storage ? { storage: aws.storage } : {}),
              ...(focus ? {} : { costs: aws.costs, costLabel: aws.costLabel }),
            }
          : {}),
        dataDir: resolve(options.dataDir),
        day,
        lookbackDays,
        ...focus,
      }).catch((error: unknown) => {
        throw new CliError(`report for ${day}: ${(error as Error).message}`, 1, { cause: error });
      });
      if (options.format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      if (options.format === 'md') {
        const { renderMarkdown } = await import('@boundless/copilot/report');
        process.stdout.write(renderMarkdown(report));
      }
      process.stderr.write(`report: ${paths.md}\nreport: ${paths.html}\n`);
    });
}

/**
 * The --focus file is the user's: one that cannot be read or is not a FOCUS export is a usage error naming it,
 * found before any report work starts (the report's own failure would say neither which file nor exit 2).
 * Read and parsed once, here: the report takes the rows as its cost source.
 */
async function readFocusFile(path: string) {
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new CliError(`--focus: cannot read ${path}: ${readFailure(error)}`, 2, { cause: error });
  });
  const { FocusCostSource, importFocus, SourceError } = await import('@boundless/copilot/sources');
  try {
    return { costs: new FocusCostSource(importFocus(text).rows), costLabel: `FOCUS file ${resolve(path)}` };
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    throw new CliError(`--focus ${path} is not a FOCUS 1.0 export: ${error.reason}`, 2, { cause: error });
  }
}

/**
 * The data dir's tunables.json is the user's file, as for start: a damaged one is a usage error naming it and
 * the way back, found before the report reads anything (its own failure would exit 1 without the way back).
 */
async function checkTunables(dataDir: string): Promise<void> {
  const { localTunables, TunablesFileError } = await import('../local/change-sets.ts');
  await localTunables(resolve(dataDir)).catch((error: unknown) => {
    if (!(error instanceof TunablesFileError)) throw error;
    throw new CliError(
      `${error.message}\n(fix it, or delete it to report from the defaults in infra/tunables.json)`,
      2,
      {
        cause: error,
      },
    );
  });
}

/** The log groups and the bill in AWS, from the copilot's environment; a missing variable is a usage error. */
async function awsInputs() {
  const { awsReportInputs } = await import('@boundless/copilot/service/aws');
  const { loadCopilotConfig } = await import('@boundless/copilot/config');
  try {
    return awsReportInputs(loadCopilotConfig({}, process.env));
  } catch (error) {
    throw new CliError((error as Error).message, 2, { cause: error });
  }
}

/** The reports bucket through the SDK's default credentials, in COPILOT_REGION (or AWS_REGION). */
async function s3ReportStore(bucket: string) {
  const { S3Client } = await import('@aws-sdk/client-s3');
  const { S3ReportStore } = await import('@boundless/copilot/report');
  const region = process.env.COPILOT_REGION ?? process.env.AWS_REGION ?? 'us-east-1';
  return new S3ReportStore(new S3Client({ region }), { bucket });
}
