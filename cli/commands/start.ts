import { statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { LOCAL_FAULT_KINDS } from '@boundless/local/faults';
import { CliError, notADirectory } from '../errors.ts';
import { banner } from './start-banner.ts';
import { untilSignalled } from './start-signals.ts';

interface StartOptions {
  dataDir: string;
  port: string;
  host: string;
  reset?: boolean;
  /** `--no-simulate` sets it false. */
  simulate: boolean;
  /** `--no-copilot` sets it false: the delivery core alone. */
  copilot: boolean;
  simulateEvery: string;
  /** `--no-dashboard` sets it false: no build, nothing served at `/`. */
  dashboard: boolean;
  allowRemoteSignIn?: boolean;
  inject: string[];
  injectAfter: string;
  prewarm: 'live' | 'dry-run' | 'off';
  prewarmEvents?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Fixed ports by default so the printed walkthrough can be copied as is; --port moves the whole block. */
const DEFAULT_PORT = 4000;

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'run the whole system on this machine: the delivery core (access API, CloudFront edge, DynamoDB, logs and traces), the copilot watching it, its dashboard and live readers',
    )
    .option('--data-dir <dir>', 'where data, keys, logs and traces persist', '.data')
    .option(
      '--port <port>',
      `access API port; the edge listens on port+1, X-Ray on UDP port+2, the copilot on port+3, WAF on port+4`,
      String(DEFAULT_PORT),
    )
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--reset', 'delete the data dir first and start from a fresh seed')
    .option('--no-simulate', 'no live readers and abuse scenarios against the edge (the copilot still runs)')
    .option(
      '--no-copilot',
      'the delivery core only: no detectors, SLO engine or copilot service reading its logs (for benchmarks)',
    )
    .option('--simulate-every <minutes>', 'one live abuse scenario this often', '3')
    .option('--no-dashboard', 'do not build or serve the dashboard (the copilot API and events still run)')
    .option(
      '--allow-remote-sign-in',
      'serve the local sign-in (which mints operator tokens) to other machines too; off: loopback only',
    )
    .option(
      '--inject <fault>',
      `inject a fault for a while: <kind>[:<function, table or edge>[:<duration>]], e.g. throttling:delivery-grant-access:5m or origin_errors:edge:10m (repeatable; kinds: ${LOCAL_FAULT_KINDS.join(', ')}); more while running: POST /local/faults`,
      collect,
      [],
    )
    .addOption(
      new Option(
        '--prewarm <mode>',
        'the copilot re-plans each function’s provisioned concurrency every minute (copilot/PREWARM.md); dry-run plans and audits only',
      )
        .choices(['live', 'dry-run', 'off'])
        .default('live'),
    )
    .option(
      '--prewarm-events <calendar.csv>',
      'a release calendar for the pre-warming loop (a "start" column of ISO-8601 times, as prewarm plan --events reads)',
    )
    .option(
      '--inject-after <duration>',
      'start injected faults this long after start-up, so a baseline exists',
      '2m',
    )
    .action(async (options: StartOptions) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65531) {
        throw new CliError(
          `--port must be an integer in 0..65531 (0: any free ports), got "${options.port}"`,
        );
      }
      const offset = (by: number) => (port === 0 ? 0 : port + by);
      // A calendar nothing would read is a mistake in the command line, not something to drop silently.
      if (options.prewarmEvents !== undefined && (options.prewarm === 'off' || !options.copilot)) {
        throw new CliError(
          `--prewarm-events has no effect with ${options.prewarm === 'off' ? '--prewarm off' : '--no-copilot'}: the pre-warming loop that reads the calendar does not run (drop one of the two)`,
        );
      }
      // Read before anything starts, so a bad calendar stops the start with its line named.
      const events = options.prewarmEvents
        ? await (await import('./prewarm.ts')).readEventCalendar(options.prewarmEvents)
        : [];
      const everyMinutes = Number(options.simulateEvery);
      if (!(everyMinutes >= 0.25 && everyMinutes <= 1440)) {
        throw new CliError(`--simulate-every must be minutes in 0.25..1440, got "${options.simulateEvery}"`);
      }
      const { parseDuration, parseFaultArgument } = await import('@boundless/datasets/incidents');
      const delayMs = parseDuration(options.injectAfter);
      if (delayMs === undefined)
        throw new CliError(
          `--inject-after must be a duration such as 90s or 2m, got "${options.injectAfter}"`,
        );
      const faults = options.inject.map((text) => {
        try {
          const spec = parseFaultArgument(text);
          if (!LOCAL_FAULT_KINDS.some((kind) => kind === spec.kind))
            throw new RangeError(
              `the local stack can inject ${LOCAL_FAULT_KINDS.join(', ')}, not ${spec.kind}`,
            );
          return {
            kind: spec.kind,
            durationMs: spec.durationMs,
            delayMs,
            ...(spec.target ? { target: spec.target } : {}),
          };
        } catch (error) {
          throw new CliError(
            `--inject ${text}: ${error instanceof Error ? error.message : String(error)}`,
            2,
            { cause: error },
          );
        }
      });
      // A file where the data dir should be would surface as a damaged tunables.json inside it; --reset deletes it.
      const stats = statSync(options.dataDir, { throwIfNoEntry: false });
      const notDir = options.reset ? undefined : notADirectory('--data-dir', options.dataDir, stats);
      if (notDir) throw notDir;
      // Listen before starting: Ctrl-C during start-up then shuts down cleanly once everything is up.
      const signalled = untilSignalled();
      const dataDir = resolve(options.dataDir);
      if (options.reset) await rm(dataDir, { recursive: true, force: true });
      const { startLocalDelivery } = await import('@boundless/local');
      const changes = await import('../local/change-sets.ts');
      const tunables = await changes.localTunables(dataDir).catch((error: unknown) => {
        if (!(error instanceof changes.TunablesFileError)) throw error;
        throw new CliError(
          `${error.message}\n(fix it, or delete it to start again from the defaults in infra/tunables.json)`,
          2,
          { cause: error },
        );
      });
      // --- the edge's real-time records go to the copilot (created before the edge, filled once it runs) ---
      const realtime = options.copilot
        ? new (await import('@boundless/copilot/pipeline')).EdgeSinkFeed()
        : undefined;
      const delivery = await startLocalDelivery(
        {
          dataDir,
          host: options.host,
          apiPort: port,
          edgePort: offset(1),
          xrayPort: offset(2),
          wafPort: offset(4),
          allowRemoteSignIn: options.allowRemoteSignIn === true,
          faults,
          tunables,
        },
        // The live simulator stands in for many viewers through x-forwarded-for; the edge believes it from
        // loopback only (its default trusted proxies), so a peer on another machine cannot choose its address.
        {
          ...(realtime ? { realtimeLogSink: realtime.sink } : {}),
          viewerIpFrom: 'x-forwarded-for',
        },
      ).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        if (addressInUse(error))
          throw new CliError(
            `could not start the local runtime: ${reason}\n(another boundless start may be running: stop it, or move this one with --port <n>, which takes ports n to n+4, or --port 0 for any free ports)`,
            2,
            { cause: error },
          );
        throw new CliError(`could not start the local runtime: ${reason}`, 1, { cause: error });
      });
      // --- the operations copilot next to the delivery core (copilot/README.md), off with --no-copilot ---
      let copilot: { close(): Promise<void> } | undefined;
      let prewarm: { stop(): Promise<void> } | undefined;
      let reports: ReturnType<typeof import('../local/report-schedule.ts').scheduleDailyReports> | undefined;
      let copilotUrl: string | undefined;
      let dashboardUrl: string | undefined;
      if (realtime) {
        const { setCopilotLogLevel } = await import('@boundless/copilot/logger');
        // The terminal shows the banner and the live lines; the copilot's structured logs only when something is wrong.
        if (!process.env.POWERTOOLS_LOG_LEVEL) setCopilotLogLevel('WARN');
        const { ensureDashboardBuild, DASHBOARD_DIST } = await import('../dashboard-build.ts');
        const dashboard = options.dashboard
          ? await ensureDashboardBuild((line) => process.stdout.write(`${line}\n`))
          : undefined;
        const { startLocalCopilot } = await import('@boundless/local/copilot');
        const service = await startLocalCopilot({
          dashboardDir: dashboard?.ok ? DASHBOARD_DIST : undefined,
          allowRemoteSignIn: options.allowRemoteSignIn === true,
          adminApiUrl: delivery.apiUrl,
          waf: delivery.waf,
          local: { dataDir },
          host: options.host,
          port: offset(3),
          realtime,
          changeSets: {
            documents: [changes.localTunablesDocument(dataDir, delivery)],
            metrics: changes.localMetricReader(dataDir, delivery),
          },
          reports: new (await import('@boundless/copilot/report')).ReportFiles(join(dataDir, 'reports')),
          // "Run now" on the Reports page: the schedule's own run, started just below.
          reportRunner: {
            run: (day) => {
              if (!reports) throw new Error('the daily report schedule has not started yet');
              return reports.runNow(day);
            },
          },
        });
        // --- the daily optimization report: yesterday's at start if missing, then 00:15 UTC each day ---
        reports = (await import('../local/report-schedule.ts')).scheduleDailyReports({
          dataDir,
          costs: service.costs,
          onPublished: (summary) => {
            service.publishReport(summary);
            process.stdout.write(
              `report: ${summary.day}: ${summary.recommendations} recommendation(s), est. $${summary.estimatedMonthlySavingUsd}/month (dashboard: Reports)\n`,
            );
          },
          onError: (day, error) =>
            process.stderr.write(`report: ${day} failed: ${(error as Error).message}\n`),
          onSkipped: (day) =>
            process.stdout.write(`report: ${day}: no traffic recorded that day, no report published\n`),
        });
        service.pipeline.subscribe({
          mitigationApplied: (m) =>
            process.stdout.write(
              `copilot: ${m.status} ${m.action} on ${JSON.stringify(m.target)} (${m.reason}) [${m.id}]\n`,
            ),
        });
        // A canary is rolled back when any SLO pages (fast or steady burn) since it began.
        const { snapshotSloGuard } = await import('@boundless/copilot/changes');
        const sloGuard = snapshotSloGuard(() => service.pipeline.sloSnapshot());
        delivery.guardDeploysWith(async (_fn, sinceMs) =>
          sloGuard.burning(
            service.pipeline.sloSnapshot().slos.map((slo) => slo.id),
            sinceMs,
          ),
        );
        if (options.prewarm !== 'off') {
          const { startLocalPrewarming } = await import('../local/prewarm-loop.ts');
          prewarm = await startLocalPrewarming(delivery, service, tunables, {
            dryRun: options.prewarm === 'dry-run',
            events,
          });
        } else service.prewarmDecisions.attach(null, 'started with --prewarm off');
        copilot = service;
        copilotUrl = service.url;
        if (dashboard?.ok) dashboardUrl = `${service.url}/`;
      }
      // --- end copilot ---
      process.stdout.write(banner(delivery, copilotUrl, dashboardUrl));
      // --- live readers and abuse scenarios against the edge (datasets/src/live), off with --no-simulate ---
      let live: { stop(): Promise<void> } | undefined;
      if (options.simulate) {
        const { startLiveScenarios } = await import('@boundless/datasets/live');
        const { formatLiveEvent } = await import('@boundless/datasets/live');
        const everyMs = Math.round(everyMinutes * 60_000);
        live = startLiveScenarios({
          apiUrl: delivery.apiUrl,
          edgeUrl: delivery.edgeUrl,
          jwtFor: (accountId) => delivery.tokenFor({ sub: accountId }),
          everyMs,
          firstAfterMs: Math.min(everyMs, 30_000),
          onEvent: (event) => process.stdout.write(`${formatLiveEvent(event)}\n`),
        });
        process.stdout.write(
          `live: 4 readers reading; an abuse scenario every ${everyMinutes} min, the first in ${Math.round(Math.min(everyMs, 30_000) / 1000)} s (--no-simulate turns this off)\n`,
        );
      }
      // --- end live ---
      await signalled;
      await live?.stop();
      reports?.stop();
      await prewarm?.stop();
      await copilot?.close();
      await delivery.close();
      process.stdout.write('stopped.\n');
    });
}

/** A port of the block is taken: the error or one of its causes says EADDRINUSE. */
function addressInUse(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause)
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return true;
  return false;
}
