import { type LocalDelivery, startLocalDelivery } from '@boundless/local';
import { EdgeSinkFeed } from '@boundless/copilot/pipeline';
import type { StoredMitigation } from '@boundless/copilot/service';
import { type LocalCopilot, type LocalCopilotOptions, startLocalCopilot } from '@boundless/local/copilot';
import { type LiveScenarioOptions, startLiveScenarios } from '@boundless/datasets/live';
import { io as connect } from 'socket.io-client';
import { join } from 'node:path';
import { ReportFiles } from '@boundless/copilot/report';
import { localMetricReader, localTunablesDocument } from '../../cli/local/change-sets.ts';
import { scheduleDailyReports } from '../../cli/local/report-schedule.ts';

/**
 * The whole loop on one machine for tests and the benchmark, wired as `boundless start` wires it: the local
 * delivery runtime (dynalite, access API, edge) whose real-time log records go straight into the copilot's
 * pipeline (standard logs as backfill), the edge honouring `x-forwarded-for` from loopback peers only, and the
 * copilot acting through the admin API (tokens, accounts) and the local WAFv2 endpoint (addresses).
 */
export interface LiveStack {
  delivery: LocalDelivery;
  copilot: LocalCopilot;
  /** Live readers and scenarios against this stack (nothing scheduled unless asked). */
  scenarios(options?: Partial<LiveScenarioOptions>): ReturnType<typeof startLiveScenarios>;
  close(): Promise<void>;
}

const SEED = 42;

export async function startLiveStack(
  dataDir: string,
  pollIntervalMs = 2_000,
  extra: Pick<LocalCopilotOptions, 'dashboardDir'> & { changeSets?: boolean } = {},
): Promise<LiveStack> {
  const { changeSets, ...copilotExtra } = extra;
  const realtime = new EdgeSinkFeed();
  const delivery = await startLocalDelivery(
    { dataDir, seed: SEED, lambda: { coldStartMs: 5 } },
    { realtimeLogSink: realtime.sink, viewerIpFrom: 'x-forwarded-for' },
  );
  let copilot: LocalCopilot;
  // The daily report schedule, started once the copilot is (it reads the copilot's cost model and publishes on its
  // socket), and run on request from the Reports page.
  let reports: ReturnType<typeof scheduleDailyReports> | undefined;
  try {
    copilot = await startLocalCopilot({
      adminApiUrl: delivery.apiUrl,
      waf: delivery.waf,
      local: { dataDir },
      pollIntervalMs,
      realtime,
      env: {},
      ...copilotExtra,
      // As `boundless start` wires them: change sets on the data dir's tunables, reports under reports/.
      ...(changeSets
        ? {
            changeSets: {
              documents: [localTunablesDocument(dataDir, delivery)],
              metrics: localMetricReader(dataDir, delivery),
            },
            reports: new ReportFiles(join(dataDir, 'reports')),
            reportRunner: {
              run: (day: string) => {
                if (!reports) throw new Error('the daily report schedule has not started yet');
                return reports.runNow(day);
              },
            },
          }
        : {}),
    });
  } catch (error) {
    await delivery.close();
    throw error;
  }
  if (changeSets)
    reports = scheduleDailyReports({
      dataDir,
      costs: copilot.costs,
      onPublished: (summary) => copilot.publishReport(summary),
      onError: (day, error) => process.stderr.write(`report: ${day} failed: ${(error as Error).message}\n`),
    });
  return {
    delivery,
    copilot,
    scenarios: (options = {}) =>
      startLiveScenarios({
        apiUrl: delivery.apiUrl,
        edgeUrl: delivery.edgeUrl,
        jwtFor: (accountId) => delivery.tokenFor({ sub: accountId }),
        seed: SEED,
        // Only what the caller asks for runs: no timer fires within a test.
        firstAfterMs: 24 * 3_600_000,
        summaryEveryMs: 24 * 3_600_000,
        randomSeed: 7,
        ...options,
      }),
    close: async () => {
      reports?.stop();
      await copilot.close();
      await delivery.close();
    },
  };
}

/**
 * Resolves with the first active mitigation `matches` accepts, announced on the copilot's socket.io feed, or
 * rejects after `deadlineMs`. Subscribe before the traffic starts.
 */
export function nextMitigation(
  copilot: LocalCopilot,
  token: string,
  matches: (m: StoredMitigation) => boolean,
  deadlineMs: number,
): { applied: Promise<StoredMitigation>; ready: Promise<void> } {
  const socket = connect(copilot.url, { auth: { token }, transports: ['websocket'] });
  let connected: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    connected = resolve;
  });
  const applied = new Promise<StoredMitigation>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no matching mitigation within ${deadlineMs} ms`)),
      deadlineMs,
    );
    socket.on('connect', () => connected());
    socket.on('mitigation.applied', (m: StoredMitigation) => {
      if (m.status !== 'active' || !matches(m)) return;
      clearTimeout(timer);
      resolve(m);
    });
    socket.on('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  }).finally(() => socket.close());
  return { applied, ready };
}
