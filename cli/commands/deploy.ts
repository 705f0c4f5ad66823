import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';

interface DeployOptions {
  version: string;
  api: string;
  canaryPercent: string;
  canaryMinutes: string;
  fault?: string;
}

/** `errors:0.5` (half the invocations throw) or `latency:1500` (1.5 s added): a bad deploy on purpose. */
function parseFault(value: string): Record<string, unknown> {
  const [kind, amount] = value.split(':');
  const n = Number(amount);
  if (kind === 'errors' && n >= 0 && n <= 1) return { kind, rate: n };
  if (kind === 'latency' && Number.isInteger(n) && n > 0 && n <= 60_000) return { kind, addMs: n };
  throw new CliError(`--fault wants errors:<0..1> or latency:<1..60000 ms>, got "${value}"`, 2);
}

/** The canary's share and length, checked here so that a typo reads in the flags' own words, not the API's. */
function canaryOptions(options: DeployOptions): { canaryPercent: number; canaryMs: number } {
  const canaryPercent = Number(options.canaryPercent);
  if (!(canaryPercent > 0 && canaryPercent < 100))
    throw new CliError(
      `--canary-percent must be a share above 0 and below 100, got "${options.canaryPercent}"`,
    );
  const minutes = Number(options.canaryMinutes);
  if (!(minutes >= 0.01 && minutes <= 60))
    throw new CliError(`--canary-minutes must be minutes in 0.01..60, got "${options.canaryMinutes}"`);
  return { canaryPercent, canaryMs: Math.round(minutes * 60_000) };
}

/** The running stack's address; a typo would otherwise read as a stack that did not answer. */
function apiUrl(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:')
    throw new CliError(`--api must be an http(s) URL such as http://127.0.0.1:4000, got "${text}"`);
  return text.replace(/\/+$/, '');
}

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description(
      'canary-deploy a function of the running local stack: a share of traffic first, then all of it',
    )
    .argument('<function>', 'the function name, e.g. delivery-grant-access')
    .requiredOption('--version <label>', 'the version label to publish, e.g. v2')
    .option('--api <url>', 'the running access API (boundless start)', 'http://127.0.0.1:4000')
    .option(
      '--canary-percent <n>',
      'share of the alias the new version takes first (above 0, below 100)',
      '10',
    )
    .option('--canary-minutes <n>', 'how long the canary runs before all traffic moves (0.01 to 60)', '5')
    .option('--fault <fault>', 'inject a bad deploy: errors:<rate 0..1> or latency:<ms, up to 60000>')
    .addHelpText(
      'after',
      '\nThe guard rolls the alias back by itself when the new version errs (> 1 %), its p99 passes 1 s, or an\n' +
        'SLO burns fast; every step is logged to /boundless/deployments. Exit code 0: promoted; 1: rolled back.',
    )
    .action(async (functionName: string, options: DeployOptions) => {
      const api = apiUrl(options.api);
      const body = {
        functionName,
        version: options.version,
        ...canaryOptions(options),
        ...(options.fault ? { fault: parseFault(options.fault) } : {}),
      };
      const call = async (path: string, init?: RequestInit) => {
        try {
          return await fetch(`${api}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
        } catch (error) {
          throw new CliError(`the local stack at ${api} did not answer: is boundless start running?`, 1, {
            cause: error,
          });
        }
      };
      const started = await call('/local/deployments', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = (await started.json()) as { deployment?: { id: string }; message?: string };
      if (!started.ok || !answer.deployment)
        throw new CliError(`deploy refused: ${answer.message ?? started.status}`, 2);
      const t0 = Date.now();
      process.stdout.write(
        `deploy ${answer.deployment.id}: ${functionName} ${options.version} takes ${body.canaryPercent} %\n`,
      );
      for (;;) {
        await sleep(1_000);
        const r = await call(`/local/deployments/${answer.deployment.id}`);
        const { deployment } = (await r.json()) as {
          deployment: {
            status: string;
            reason?: string;
            canary: { invocations: number; errors: number; p99Ms: number | null };
          };
        };
        const c = deployment.canary;
        const line = `${Math.round((Date.now() - t0) / 1000)} s: ${deployment.status}; canary ${c.invocations} invocations, ${c.errors} errors, p99 ${c.p99Ms === null ? '–' : Math.round(c.p99Ms)} ms`;
        process.stdout.write(`${line}${deployment.reason ? ` (${deployment.reason})` : ''}\n`);
        if (deployment.status === 'promoted') return;
        if (deployment.status !== 'canary')
          throw new CliError(
            `${functionName} ${options.version} ${deployment.status.replace('_', ' ')}: ${deployment.reason}`,
            1,
          );
      }
    });
}
