import { Command, CommanderError } from 'commander';
import { registerAnomalies } from './commands/anomalies.ts';
import { registerDeploy } from './commands/deploy.ts';
import { registerDetect } from './commands/detect.ts';
import { registerDiagnose } from './commands/diagnose.ts';
import { registerEval } from './commands/eval.ts';
import { registerPrewarm } from './commands/prewarm.ts';
import { registerReport } from './commands/report.ts';
import { registerSimulate } from './commands/simulate.ts';
import { registerStart } from './commands/start.ts';
import { CliError } from './errors.ts';

export function buildProgram(): Command {
  const program = new Command('boundless')
    .description('Boundless delivery core and operations copilot')
    .version('0.1.0')
    // Options after a command belong to it (`deploy --version <label>` is not the program's --version).
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerStart(program);
  registerDetect(program);
  registerDiagnose(program);
  registerDeploy(program);
  registerAnomalies(program);
  registerPrewarm(program);
  registerReport(program);
  registerSimulate(program);
  registerEval(program);
  return program;
}

let pipesWatched = false;

/**
 * A reader that stops early (`boundless --help | head`) closes the pipe under the output: what is left is not
 * wanted, which is no error. Without this Node throws EPIPE from the next write, with a stack trace.
 */
function stopQuietlyOnClosedPipe(): void {
  if (pipesWatched) return;
  pipesWatched = true;
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(process.exitCode ?? 0);
    });
}

/** Runs the command line and returns the process exit code; errors are printed, never thrown. */
export async function main(argv: readonly string[]): Promise<number> {
  stopQuietlyOnClosedPipe();
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander exits 1 on a usage mistake (a missing required option, an unknown one, a command without its
      // subcommand); the command line's code for bad usage or input is 2 whoever finds it. Help and version: 0.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      process.stderr.write(`boundless: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(
      `boundless: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    return 1;
  }
}
