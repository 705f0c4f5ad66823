import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DASHBOARD_DIST, ensureDashboardBuild } from '../cli/dashboard-build.ts';
import { launchChromium, signIn } from '../test/support/browser.ts';
import { startLiveStack } from '../test/support/live-copilot.ts';

/**
 * The dashboard in Chromium against the whole system (`npm start`'s wiring, its production build served by the
 * copilot), measured through the browser's Performance API:
 * - first load: navigation start to the first frame with data (the overview's numbers, stamped by the page), cold
 *   (empty cache, a new browser context with only the session cookie) and warm (the same context again), RUNS
 *   times each; with what the cold load waited on: its script loaded, the overview's answer;
 * - JavaScript transferred: the scripts' transferSize (gzipped on the wire) on the cold load;
 * - live-update latency: the copilot emits EVENTS findings to the operators' room, one every 200 ms; the page
 *   stamps each when its card enters the DOM (MutationObserver); latency is that stamp minus the emit time
 *   (one clock: browser and service run on this machine).
 */
const RUNS = 5;
const EVENTS = 25;

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
};
const round = (n: number) => Math.round(n * 10) / 10;
const ms = (loads: Load[], key: keyof Load) => loads.map((load) => load[key]);

/**
 * The page stamps the frame in which the overview's numbers first show (an observer installed before any of its
 * scripts run), so the harness's own round trips after the load event are not counted as the page's time.
 */
function stampFirstData(): void {
  new MutationObserver((_, observer) => {
    if (!document.querySelector('[data-testid="tile-availability"]')) return;
    observer.disconnect();
    requestAnimationFrame(() => {
      (window as unknown as { firstDataMs: number }).firstDataMs = performance.now();
    });
  }).observe(document, { childList: true, subtree: true });
}

/**
 * What one load waited on, in ms from navigation start: the script loaded, the first request it made (the
 * session: how long the bundle took to evaluate), the overview's answer, the numbers on screen.
 */
interface Load {
  firstDataMs: number;
  scriptMs: number;
  firstRequestMs: number;
  overviewAnswerMs: number;
}

async function loadToData(page: Page, url: string): Promise<Load> {
  await page.goto(url);
  const handle = await page.waitForFunction(
    () => (window as unknown as { firstDataMs?: number }).firstDataMs ?? 0,
    undefined,
    { polling: 100, timeout: 30_000 },
  );
  const firstDataMs = (await handle.jsonValue()) as number;
  // No named functions inside: the page runs this text as it is, without the bundler's naming helper.
  return page.evaluate((firstDataMs) => {
    let scriptMs = Number.NaN;
    let firstRequestMs = Number.NaN;
    let overviewAnswerMs = Number.NaN;
    for (const entry of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
      const path = new URL(entry.name).pathname;
      if (Number.isNaN(scriptMs) && path.startsWith('/assets/') && path.endsWith('.js'))
        scriptMs = entry.responseEnd;
      if (Number.isNaN(firstRequestMs) && path === '/auth/session') firstRequestMs = entry.startTime;
      if (Number.isNaN(overviewAnswerMs) && path === '/api/overview') overviewAnswerMs = entry.responseEnd;
    }
    return { firstDataMs, scriptMs, firstRequestMs, overviewAnswerMs };
  }, firstDataMs);
}
export async function run(): Promise<Record<string, number | string>> {
  const loadStart = loadavg()[0]!;
  const built = await ensureDashboardBuild((line) => process.stdout.write(`  ${line}\n`));
  if (!built.ok) throw new Error('the dashboard did not build');
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-dashboard-'));
  const stack = await startLiveStack(dataDir, 1_000, { dashboardDir: DASHBOARD_DIST });
  const live = stack.scenarios({ readers: 2 });
  const browser = await launchChromium();
  try {
    const base = stack.copilot.url;
    const signedIn = await signIn(browser, base, 'viewer');
    const cookies = await signedIn.context.cookies();
    await signedIn.context.close();
    const cold: Load[] = [];
    const warm: Load[] = [];
    let jsBytes = 0;
    for (let i = 0; i < RUNS; i += 1) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addCookies(cookies);
      await context.addInitScript(stampFirstData);
      const page = await context.newPage();
      cold.push(await loadToData(page, `${base}/`));
      jsBytes = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => e.name.endsWith('.js'))
          .reduce((sum, e) => sum + (e as PerformanceResourceTiming).transferSize, 0),
      );
      warm.push(await loadToData(page, `${base}/`));
      await context.close();
    }

    const context = await browser.newContext();
    await context.addCookies(cookies);
    const page = await context.newPage();
    await page.goto(`${base}/abuse`);
    await page.getByRole('heading', { name: 'Findings' }).waitFor();
    await page.waitForFunction(() => document.querySelector('.live-live') !== null);
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as unknown as { seen: Record<string, number> }).seen = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[id^="finding-bench-"]'))
          seen[el.id] ??= performance.timeOrigin + performance.now();
      }).observe(document.body, { childList: true, subtree: true });
    });
    const emitted: Record<string, number> = {};
    for (let i = 0; i < EVENTS; i += 1) {
      const id = `bench-${i}`;
      const at = new Date().toISOString();
      emitted[`finding-${id}`] = Date.now();
      stack.copilot.io.to('operators').emit('finding.created', {
        id,
        kind: 'scraping',
        subject: { ip: `198.51.100.${i + 1}` },
        firstSeen: at,
        detectedAt: at,
        score: 0.9,
        severity: 'warning',
        summary: 'bench',
        evidence: { reasons: ['bench'] },
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await page.waitForFunction(
      (count) => Object.keys((window as unknown as { seen: object }).seen).length >= count,
      EVENTS,
      { timeout: 30_000 },
    );
    const seen = await page.evaluate(() => (window as unknown as { seen: Record<string, number> }).seen);
    const latencies = Object.entries(emitted).map(([id, at]) => (seen[id] ?? Number.NaN) - at);
    await context.close();
    return {
      first_load_cold_ms_median: round(quantile(ms(cold, 'firstDataMs'), 0.5)),
      first_load_cold_ms_max: round(Math.max(...ms(cold, 'firstDataMs'))),
      first_load_cold_script_loaded_ms_median: round(quantile(ms(cold, 'scriptMs'), 0.5)),
      first_load_cold_first_request_ms_median: round(quantile(ms(cold, 'firstRequestMs'), 0.5)),
      first_load_cold_overview_answered_ms_median: round(quantile(ms(cold, 'overviewAnswerMs'), 0.5)),
      first_load_warm_ms_median: round(quantile(ms(warm, 'firstDataMs'), 0.5)),
      first_load_warm_ms_max: round(Math.max(...ms(warm, 'firstDataMs'))),
      load_average_1m_start: round(loadStart),
      load_average_1m_end: round(loadavg()[0]!),
      js_transferred_gzip_kb: round(jsBytes / 1024),
      live_update_events: latencies.length,
      live_update_ms_p50: round(quantile(latencies, 0.5)),
      live_update_ms_p95: round(quantile(latencies, 0.95)),
      live_update_ms_max: round(Math.max(...latencies)),
      note: 'wall-clock times: compare runs at a similar load average (recorded at start and end)',
    };
  } finally {
    await browser.close();
    await live.stop();
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
