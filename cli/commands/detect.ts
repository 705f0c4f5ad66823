import type { DetectProgress } from '@boundless/copilot/detect';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { writeOutput } from '../output.ts';

interface DetectOptions {
  input: string[];
  out: string;
  progress?: boolean;
}

function showProgress(p: DetectProgress): void {
  const seconds = Math.max(p.elapsedMs / 1000, 1e-3);
  const percent = p.totalBytes > 0 ? Math.min(100, (100 * p.stats.bytesRead) / p.totalBytes) : 100;
  const rate = Math.round(p.stats.lines / seconds).toLocaleString('en-US');
  process.stderr.write(
    `\rdetect: ${percent.toFixed(1)}% of bytes, ${p.stats.lines.toLocaleString('en-US')} lines, ${rate} lines/s   `,
  );
}

export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description('detect token sharing, scraping and geo spikes in CloudFront standard logs (event time)')
    .requiredOption(
      '--input <paths...>',
      'CloudFront standard log files (plain or gzip, known by their first bytes) or directories of them',
    )
    .requiredOption('--out <file>', 'where to write detections, one JSON object per line')
    .option('--progress', 'show progress on stderr (default when stderr is a terminal)')
    .action(async (options: DetectOptions) => {
      // Loaded here, not at the top: every other command (and --help) starts without the detectors.
      const { detectFiles } = await import('@boundless/copilot/detect');
      const { LogParseError, skippedTotal } = await import('@boundless/copilot/logs');
      const progress = options.progress ?? process.stderr.isTTY === true;
      const result = await detectFiles(options.input, progress ? { onProgress: showProgress } : {}).catch(
        (error: unknown) => {
          if (error instanceof LogParseError) throw new CliError(error.message, 2, { cause: error });
          throw error;
        },
      );
      if (progress) process.stderr.write('\n');
      const body = result.detections.map((d) => JSON.stringify(d)).join('\n');
      await writeOutput(options.out, body.length > 0 ? `${body}\n` : '', '--out');
      const skipped = Object.entries(result.stats.skipped)
        .map(([reason, n]) => `${reason} ${n}`)
        .join(', ');
      const kinds = Object.entries(result.byKind)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ');
      process.stdout.write(
        `files ${result.files}, lines ${result.stats.lines}, records ${result.stats.records}, ` +
          `skipped ${skippedTotal(result.stats)}${skipped ? ` (${skipped})` : ''}\n` +
          `detections ${result.detections.length}: ${kinds} -> ${options.out}\n`,
      );
      // Not an error (an hour without requests reads the same), but a wrong file must not pass for a quiet one.
      if (result.stats.lines > 0 && result.stats.records === 0)
        process.stderr.write(
          `detect: warning: none of the ${result.stats.lines} lines was a CloudFront standard log record; ` +
            'the input should be W3C lines under a "#Fields:" header, as CloudFront writes them\n',
        );
    });
}
