import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportFiles, renderHtml, renderMarkdown, trafficRecorded } from '@boundless/copilot/report';
import { afterEach, describe, expect, it } from 'vitest';
import { buildLocalReport } from '../cli/local/report.ts';
import { scheduleDailyReports } from '../cli/local/report-schedule.ts';

const dirs: string[] = [];
const freshDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-schedule-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('Daily reports for a day without traffic', () => {
  it('says so at the top of the report', async () => {
    const report = await buildLocalReport({ dataDir: freshDataDir(), day: '2026-12-04' });
    expect(trafficRecorded(report)).toBe(false);
    expect(renderMarkdown(report)).toContain('**No traffic on 2026-12-04.**');
  });

  it('publishes nothing at start for a fresh data dir, and says why', async () => {
    const dataDir = freshDataDir();
    let schedule: { stop(): void } | undefined;
    const outcome = await new Promise<{ skipped?: string; published?: string; failed?: unknown }>(
      (resolve) => {
        schedule = scheduleDailyReports({
          dataDir,
          now: () => Date.parse('2026-12-05T09:00:00Z'),
          onSkipped: (day) => resolve({ skipped: day }),
          onPublished: ({ day }) => resolve({ published: day }),
          onError: (_day, error) => resolve({ failed: error }),
        });
      },
    );
    // The next run is hours away (00:15 UTC): nothing else is due.
    schedule?.stop();
    expect(outcome).toEqual({ skipped: '2026-12-04' });
    expect(existsSync(join(dataDir, 'reports', '2026-12-04.json'))).toBe(false);
  });
});

describe('A report run on request', () => {
  it("writes and publishes the day's report even without traffic, unlike the catch-up at start", async () => {
    const dataDir = freshDataDir();
    const published: string[] = [];
    let caughtUp: (day: string) => void = () => undefined;
    const skipped = new Promise<string>((resolve) => {
      caughtUp = resolve;
    });
    const schedule = scheduleDailyReports({
      dataDir,
      now: () => Date.parse('2026-12-05T09:00:00Z'),
      onPublished: ({ day }) => published.push(day),
      onSkipped: (day) => caughtUp(day),
      onError: (day, error) => published.push(`${day} failed: ${(error as Error).message}`),
    });
    try {
      // The catch-up at start (yesterday, no traffic) is over before the run on request, and before the test ends.
      expect(await skipped).toBe('2026-12-04');
      const summary = await schedule.runNow('2026-12-05');
      expect(summary).toMatchObject({ day: '2026-12-05', recommendations: 0, estimatedMonthlySavingUsd: 0 });
      expect(Number.isNaN(Date.parse(summary.generatedAt))).toBe(false);
      expect(existsSync(join(dataDir, 'reports', '2026-12-05.json'))).toBe(true);
      expect(published).toContain('2026-12-05');
    } finally {
      schedule.stop();
    }
  });
});

describe("The HTML report's charts on a young stack", () => {
  it('draw a first hour and fractions of a cent at their own scale, each label once', async () => {
    const report = await buildLocalReport({ dataDir: freshDataDir(), day: '2026-12-05' });
    report.cache.hourly = [{ hourMs: Date.parse('2026-12-05T19:00:00Z'), requests: 12_345, hitRatio: 0.75 }];
    report.cost = {
      source: 'local cost model',
      currency: 'USD',
      services: [],
      daily: [
        { date: '2026-12-04', amount: 0 },
        { date: '2026-12-05', amount: 0.000612 },
      ],
      windowDays: 2,
    };
    const html = renderHtml(report);
    const [hourly, cost] = html.split('<figure>').slice(1);
    // One hour: one label, its hit ratio a dot.
    expect(hourly?.match(/>19:00</g)).toHaveLength(1);
    expect(hourly).toContain('<circle');
    // The scale is the bar's own top (its label rounded): the bar fills the chart and no more.
    expect(hourly).toContain('max 12300');
    expect(hourly).toMatch(/height="124\.0"/);
    // A cost of $0.000612 is the chart's top, not a sliver under a top of 1.
    expect(cost).toContain('max 0.000612');
    expect(cost).toMatch(/height="124\.0"/);
  });
});

describe('Reports written at once', () => {
  it('store the same day twice at the same moment without failing or leaving a temporary file', async () => {
    const dataDir = freshDataDir();
    const report = await buildLocalReport({ dataDir, day: '2026-12-05' });
    const files = new ReportFiles(join(dataDir, 'reports'));
    await Promise.all([files.write(report), files.write(report), files.write(report)]);
    expect(readdirSync(join(dataDir, 'reports')).sort()).toEqual([
      '2026-12-05.html',
      '2026-12-05.json',
      '2026-12-05.md',
    ]);
    expect(await files.list()).toHaveLength(1);
  });
});
