/**
 * Regenerates the README's dashboard screenshots (dashboard/screenshots/*.png) from the real system: the local
 * runtime, the copilot and the dashboard's production build, two readers reading and one scraper caught, then
 * each page as an owner sees it at 1200 × 800. Run: `node --import tsx scripts/dashboard-screenshots.ts`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lambdaDemand } from '@boundless/copilot/ops';
import { DASHBOARD_DIST, ensureDashboardBuild } from '../cli/dashboard-build.ts';
import { localTunables } from '../cli/local/change-sets.ts';
import { localPrewarmer } from '../cli/local/prewarm-loop.ts';
import { launchChromium, signIn } from '../test/support/browser.ts';
import { startLiveStack } from '../test/support/live-copilot.ts';

const OUT = fileURLToPath(new URL('../dashboard/screenshots/', import.meta.url));
const PAGES = [
  ['overview', '/?range=15m', 'Overview'],
  ['slo-detail', '/slo/edge-titles-availability?range=15m', 'edge-titles-availability'],
  ['abuse', '/abuse', 'Abuse'],
  ['capacity', '/capacity?range=15m', 'Capacity'],
  ['cost', '/cost?days=7', 'Cost'],
] as const;

const built = await ensureDashboardBuild((line) => process.stdout.write(`${line}\n`));
if (!built.ok) throw new Error('the dashboard did not build');
mkdirSync(OUT, { recursive: true });
const dataDir = mkdtempSync(join(tmpdir(), 'dashboard-screenshots-'));
const stack = await startLiveStack(dataDir, 1_000, { dashboardDir: DASHBOARD_DIST });
const live = stack.scenarios({ readers: 3, limits: { maxMs: 20_000 } });
const browser = await launchChromium();
try {
  process.stdout.write('running one scraper scenario and letting the readers read for a minute...\n');
  await live.runScenario('scraper');
  await new Promise((resolve) => setTimeout(resolve, 60_000));
  // The pre-warming loop as `boundless start` runs it, ticked a few times so the Capacity page shows decisions.
  const prewarm = localPrewarmer(
    stack.delivery,
    {
      demand: lambdaDemand(stack.copilot.pipeline.ops.lambdas),
      store: stack.copilot.store,
      decisions: stack.copilot.prewarmDecisions,
    },
    await localTunables(dataDir),
    { dryRun: false },
  );
  for (let minute = 0; minute < 3; minute++) await prewarm?.tick(Date.now() + minute * 60_000);
  const { context, page } = await signIn(browser, stack.copilot.url, 'owner', { width: 1200 });
  await page.setViewportSize({ width: 1200, height: 800 });
  for (const [name, path, heading] of PAGES) {
    await page.goto(`${stack.copilot.url}${path}`);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await page.locator('.state-loading').first().waitFor({ state: 'detached' });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(OUT, `${name}.png`) });
    process.stdout.write(`wrote dashboard/screenshots/${name}.png\n`);
  }
  // Below the fold of the Capacity page: the pre-warming loop's decisions, for a function it plans (the busiest,
  // shown by default, has its provisioned concurrency fixed by the tunables).
  const planned = prewarm?.settings.functions[0];
  if (planned === undefined) throw new Error('the pre-warming loop plans no function');
  await page.goto(`${stack.copilot.url}/capacity?range=15m&fn=${planned}`);
  const decisions = page.getByTestId('prewarm-decision');
  await decisions.first().waitFor();
  await page.getByTestId('prewarm-decisions').screenshot({ path: join(OUT, 'capacity-prewarm.png') });
  process.stdout.write('wrote dashboard/screenshots/capacity-prewarm.png\n');
  await context.close();
} finally {
  await browser.close();
  await live.stop();
  await stack.close();
  rmSync(dataDir, { recursive: true, force: true });
}
