import type { ReportSummary } from '@boundless/copilot/service';
import type { CostSource } from '@boundless/copilot/sources';
import { type DailyReport, ReportFiles, trafficRecorded } from '@boundless/copilot/report';
import { join } from 'node:path';
import { buildLocalReport } from './report.ts';
import { DAY_MS } from '@boundless/common/time';

/** Reports run at 00:15 UTC for the day before, as the deployed schedule does (a quarter hour for late logs). */
const RUN_AT_MS = 15 * 60_000;

/**
 * The daily report under `boundless start`: yesterday's at start when it is missing, then every day at 00:15
 * UTC. A failed run is reported and the next day still runs. The catch-up at start publishes nothing for a day
 * without traffic (a fresh data dir has no "yesterday" to report on: `onSkipped` says so); the daily run
 * publishes every day, a quiet one included, whose report then says it saw no traffic.
 */
export function scheduleDailyReports(options: {
  dataDir: string;
  costs?: CostSource;
  onPublished?: (summary: ReportSummary) => void;
  onError: (day: string, error: unknown) => void;
  /** The catch-up at start found no traffic on `day` and published nothing. */
  onSkipped?: (day: string) => void;
  now?: () => number;
}): {
  /** Runs `day`'s report now, as the schedule would (published whatever the day's traffic); throws on failure. */
  runNow(day: string): Promise<ReportSummary>;
  stop(): void;
} {
  const now = options.now ?? Date.now;
  const files = new ReportFiles(join(options.dataDir, 'reports'));
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const build = (day: string) =>
    buildLocalReport({ dataDir: options.dataDir, day, ...(options.costs ? { costs: options.costs } : {}) });
  /** Stores the report and publishes its summary. */
  const publish = async (report: DailyReport): Promise<ReportSummary> => {
    await files.write(report);
    const summary = {
      day: report.day,
      generatedAt: report.generatedAt,
      recommendations: report.recommendations.length,
      estimatedMonthlySavingUsd: report.estimatedMonthlySavingUsd,
    };
    options.onPublished?.(summary);
    return summary;
  };
  /** A scheduled run; the catch-up at start publishes nothing for a day without traffic. */
  const run = async (day: string, catchUp = false) => {
    try {
      const report = await build(day);
      if (catchUp && !trafficRecorded(report)) options.onSkipped?.(day);
      else await publish(report);
    } catch (error) {
      options.onError(day, error);
    }
  };
  const yesterday = () => new Date(now() - DAY_MS).toISOString().slice(0, 10);
  const next = () => {
    if (stopped) return;
    const t = now();
    const due = Math.floor((t - RUN_AT_MS) / DAY_MS) * DAY_MS + DAY_MS + RUN_AT_MS;
    timer = setTimeout(() => void run(yesterday()).then(next), due - t);
    timer.unref();
  };
  void files
    .read(yesterday(), 'json')
    .then((existing) => (existing === undefined ? run(yesterday(), true) : undefined))
    .catch((error: unknown) => options.onError(yesterday(), error))
    .then(next);
  return {
    runNow: async (day) => publish(await build(day)),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
