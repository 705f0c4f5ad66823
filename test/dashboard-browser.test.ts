import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { buildRealtimeLogRecord, realtimeTimestamp } from '@boundless/delivery';
import type { LiveScenarios } from '@boundless/datasets/live';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_DIST, ensureDashboardBuild } from '../cli/dashboard-build.ts';
import { launchChromium, screenshot, signIn } from './support/browser.ts';
import { prewarmLoopFor } from './support/prewarm.ts';
import { type LiveStack, startLiveStack } from './support/live-copilot.ts';

// The dashboard in Debian's Chromium against the real system, wired as `npm start` wires it: the local runtime,
// the copilot with its pipeline and service, and the dashboard's production build served by the copilot. One
// system and one browser for every test here; each waits on what the page shows, with generous deadlines (the
// suite shares two cores with the rest).
const DEADLINE_MS = 90_000;
/** For what should arrive by push: shorter than the page's 30 s refetch, which would otherwise hide a lost push. */
const PUSH_MS = 25_000;
const dataDir = mkdtempSync(join(tmpdir(), 'dashboard-browser-'));
let stack: LiveStack;
let live: LiveScenarios;
let browser: Browser;
let base: string;

beforeAll(async () => {
  const build = await ensureDashboardBuild(() => undefined);
  if (!build.ok) throw new Error('the dashboard did not build');
  stack = await startLiveStack(dataDir, 1_000, { dashboardDir: DASHBOARD_DIST, changeSets: true });
  base = stack.copilot.url;
  live = stack.scenarios({ readers: 2, limits: { maxMs: 30_000 } });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await live?.stop();
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function noSeriousViolations(page: Page): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** Edge records as the edge's real-time log sink receives them, at a chosen event time. */
function edgeRequests(atMs: number, count: number, status: number) {
  for (let i = 0; i < count; i++) {
    stack.copilot.realtimeSink(
      buildRealtimeLogRecord({
        timestamp: realtimeTimestamp(atMs + i),
        'c-ip': '198.51.100.7',
        'sc-status': status,
        'sc-bytes': 1200,
        'cs-method': 'GET',
        'cs-uri-stem': '/titles/t-0001/book.epub',
        'x-edge-request-id': `browser-test-${atMs}-${i}`,
        'time-taken': 0.012,
        'x-edge-result-type': status >= 500 ? 'Error' : 'Hit',
        'cs-user-agent': 'Mozilla/5.0',
        'sc-content-type': 'application/epub+zip',
      }),
    );
  }
}

describe('Dashboard in Chromium: sign-in and roles', () => {
  it.each([
    ['viewer', 0, 0],
    ['on_call', 0, 1],
    ['owner', 1, 1],
  ] as const)(
    'signs %s in through the code flow and offers only the controls the role may use',
    async (role, guardrailControls, falsePositiveRemedies) => {
      const { context, page } = await signIn(browser, base, role, { returnTo: '/abuse' });
      try {
        await expect.poll(() => page.getByTestId('role').textContent()).toBe(role.replace('_', '-'));
        expect(new URL(page.url()).pathname).toBe('/abuse');
        await page.getByRole('heading', { name: 'Guardrails' }).waitFor();
        // The heading renders before the guardrails arrive; the controls are judged once the panel shows them.
        await page.getByTestId('guardrail-mode').waitFor();
        expect(await page.getByTestId('toggle-dry-run').count()).toBe(guardrailControls);
        // The session is an httpOnly cookie: nothing a script can read.
        expect(await page.evaluate(() => document.cookie)).not.toContain('bb_session');
        const cookies = await context.cookies();
        expect(cookies.find((c) => c.name === 'bb_session')).toMatchObject({
          httpOnly: true,
          sameSite: 'Strict',
        });
        // What the page does not offer, the API refuses anyway.
        const put = await page.evaluate(async () => {
          const r = await fetch('/api/guardrails', {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ maxActionsPerHour: 40 }),
          });
          return { status: r.status, body: await r.json() };
        });
        expect(put.status).toBe(guardrailControls ? 200 : 403);
        expect(falsePositiveRemedies).toBe(role === 'viewer' ? 0 : 1);
      } finally {
        await context.close();
      }
    },
    DEADLINE_MS,
  );

  it(
    'refuses a cookie-carrying change that does not come from the dashboard itself',
    async () => {
      const { context } = await signIn(browser, base, 'owner');
      try {
        // Playwright's request API sends the cookie without Origin or fetch metadata, as a forged request would.
        const forged = await context.request.put(`${base}/api/guardrails`, { data: { dryRun: true } });
        expect(forged.status()).toBe(403);
        expect((await forged.json()).error.code).toBe('cross_site');
      } finally {
        await context.close();
      }
    },
    DEADLINE_MS,
  );

  it(
    'disconnects the live feed when the session expires and asks to sign in again',
    async () => {
      // Long enough to outlive the sign-in and the page's first load on two loaded cores (signIn waits for the
      // signed-in page: a session gone before it rendered would never show it).
      const { context, page } = await signIn(browser, base, 'viewer', { sessionSeconds: 15 });
      try {
        await page.getByRole('link', { name: 'Sign in again' }).waitFor({ timeout: DEADLINE_MS / 2 });
        // A session that expired before the socket connected is first refused ("Live updates refused"), and
        // says it expired once the session is read again: waited for, not counted at the link's first sight.
        await page.getByText('Your session expired', { exact: false }).first().waitFor();
      } finally {
        await context.close();
      }
    },
    DEADLINE_MS,
  );
  it(
    'shows a signed-out visitor the sign-in screen without asking for any page data first',
    async () => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const asked: string[] = [];
        page.on('request', (request) => asked.push(new URL(request.url()).pathname));
        await page.goto(`${base}/`);
        await page.getByRole('link', { name: 'Sign in' }).waitFor();
        // Asked once: the boot script's refusal is the app's answer too, not asked again as the gate mounts.
        expect(asked.filter((path) => path === '/auth/session')).toHaveLength(1);
        // The overview and the objectives wait for a session: none answered, so neither was asked (no 401s).
        expect(asked.filter((path) => path.startsWith('/api/'))).toEqual([]);
      } finally {
        await context.close();
      }
    },
    DEADLINE_MS,
  );
});

describe('Dashboard in Chromium: live SLOs and deep links', () => {
  it(
    'updates an SLO value within the page as the copilot reports it',
    async () => {
      const { context, page } = await signIn(browser, base, 'viewer');
      try {
        const cell = page.getByTestId('slo-value-edge-titles-availability');
        await cell.waitFor();
        const before = await cell.textContent();
        // A failing minute of edge requests in event time, then one request of the next minute to close it.
        const minute = (Math.floor(Date.now() / 60_000) + 2) * 60_000;
        edgeRequests(minute, 40, 503);
        edgeRequests(minute + 60_000, 1, 200);
        // The readers' own minutes close too and change the request count (still at 100.0%): what is waited
        // for is the failing minute's value, not the first change.
        await expect
          .poll(() => cell.textContent(), { timeout: PUSH_MS })
          .toSatisfy((text) => text !== before && !text?.includes('100.0'));
        await screenshot(page, 'overview');
        await noSeriousViolations(page);
      } finally {
        await context.close();
      }
    },
    DEADLINE_MS,
  );

  it(
    'restores the view from a deep link: page, range and selected objective',
    async () => {
      const { context, page } = await signIn(browser, base, 'viewer', {
        returnTo: '/slo/edge-titles-availability?range=24h',
      });
      try {
        await page.getByRole('heading', { name: 'edge-titles-availability', level: 1 }).waitFor();
        expect(await page.getByRole('radio', { name: '24h' }).isChecked()).toBe(true);
        await page.getByRole('heading', { name: /Error budget over the range/ }).waitFor();
        await screenshot(page, 'slo-detail');
        await noSeriousViolations(page);
      } finally {
        await context.close();
      }
    },
    DEADLINE_MS,
  );
});

describe('Dashboard in Chromium: abuse, rollback and false positives', () => {
  it(
    'shows a live abuse scenario with its mitigation counting down; on-call rolls it back, a viewer may not',
    async () => {
      const viewer = await signIn(browser, base, 'viewer', { returnTo: '/abuse' });
      const onCall = await signIn(browser, base, 'on_call', { returnTo: '/abuse' });
      try {
        const scenario = live.runScenario('scraper');
        const row = onCall.page.locator('[data-testid^="mitigation-mit_"]').first();
        await row.waitFor({ timeout: DEADLINE_MS });
        const id = (await row.getAttribute('data-testid'))?.replace('mitigation-', '') ?? '';
        await onCall.page.getByTestId('finding').first().waitFor();
        const countdown = onCall.page.getByTestId(`countdown-${id}`);
        const first = await countdown.textContent();
        await expect.poll(() => countdown.textContent(), { timeout: 30_000 }).not.toBe(first);
        await screenshot(onCall.page, 'abuse');
        await noSeriousViolations(onCall.page);

        // The viewer sees the same mitigation, with no control to undo it, and the API refuses the attempt.
        await viewer.page.getByTestId(`mitigation-${id}`).waitFor();
        expect(await viewer.page.getByTestId(`rollback-${id}`).count()).toBe(0);
        const refused = await viewer.page.evaluate(async (mitigationId) => {
          const r = await fetch(`/api/mitigations/${mitigationId}/rollback`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ reason: 'not mine to undo' }),
          });
          return { status: r.status, body: await r.json() };
        }, id);
        expect(refused.status).toBe(403);
        expect(refused.body.error.code).toBe('forbidden');

        await onCall.page.getByTestId(`rollback-${id}`).click();
        await onCall.page.getByLabel('Reason (for the audit trail)').fill('customer confirmed the reading');
        await onCall.page.getByRole('button', { name: 'Confirm rollback' }).click();
        await expect
          .poll(() => viewer.page.getByTestId(`mitigation-${id}`).count(), { timeout: PUSH_MS })
          .toBe(0);
        expect((await stack.copilot.store.getMitigation(id))?.status).toBe('rolled_back');
        await scenario.catch(() => undefined);
      } finally {
        await viewer.context.close();
        await onCall.context.close();
      }
    },
    2 * DEADLINE_MS,
  );

  it(
    'honours false-positive feedback on the next detection of the same account',
    async () => {
      const { context, page } = await signIn(browser, base, 'on_call', { returnTo: '/abuse' });
      try {
        const first = live.runScenario('scraper');
        const row = page.locator('[data-testid^="mitigation-mit_"]').first();
        await row.waitFor({ timeout: DEADLINE_MS });
        const id = (await row.getAttribute('data-testid'))?.replace('mitigation-', '') ?? '';
        const mitigation = await stack.copilot.store.getMitigation(id);
        const accountId = mitigation?.target.accountId ?? mitigation?.detection?.subject.accountId;
        expect(accountId).toBeTruthy();
        await page.getByTestId(`false-positive-${id}`).click();
        await page.getByLabel('Reason (for the audit trail)').fill('a class reading together on one account');
        await page.getByRole('button', { name: 'Record false positive' }).click();
        await page.getByTestId('feedback').getByText(`account ${accountId}`).waitFor();
        await first.catch(() => undefined);

        const again = live.runScenario('scraper', { accountId });
        const suppressed = page.locator(
          `[data-testid="finding"][data-subject*='"accountId":"${accountId}"']`,
          {
            has: page.getByText('Suppressed', { exact: true }),
          },
        );
        await suppressed.first().waitFor({ timeout: DEADLINE_MS });
        // Nothing acted on the account after the feedback (the first run's other actions may still stand).
        const rule = (await stack.copilot.store.listFeedback()).find(
          (r) => r.subject.accountId === accountId,
        );
        const after = (await stack.copilot.store.listMitigations()).filter(
          (m) => m.target.accountId === accountId && m.decidedAt > (rule?.createdAt ?? ''),
        );
        expect(rule?.kind).toBe('suppress');
        expect(after).toEqual([]);
        const audit = await stack.copilot.store.listAudit(new Date().toISOString().slice(0, 10));
        expect(audit.some((e) => e.action === 'feedback:false_positive:suppress')).toBe(true);
        await again.catch(() => undefined);
      } finally {
        await context.close();
      }
    },
    3 * DEADLINE_MS,
  );

  it(
    'shows an observed finding as superseded by its escalation, and the escalation naming it, each linking the other',
    async () => {
      // Two findings of one episode as the pipeline stores them: observed first, then escalated on more evidence.
      const now = Date.now();
      const observedId = `fnd_observed_${now}`;
      const escalationId = `fnd_escalation_${now}`;
      const base_ = {
        kind: 'token_sharing' as const,
        subject: { accountId: `reader-escalated-${now}` },
        firstSeen: new Date(now - 20 * 60_000).toISOString(),
        severity: 'warning' as const,
        evidence: { countries: ['FR', 'BR'] },
      };
      const observedAt = new Date(now - 10 * 60_000).toISOString();
      await stack.copilot.store.putFinding({
        ...base_,
        id: observedId,
        detectedAt: observedAt,
        score: 0.3,
        summary: 'one account read in two countries at once',
      });
      await stack.copilot.store.putFinding({
        ...base_,
        id: escalationId,
        detectedAt: new Date(now).toISOString(),
        score: 0.85,
        severity: 'critical',
        summary: 'one account read in three countries at once',
        escalates: { id: observedId, detectedAt: observedAt },
      });
      const { context, page } = await signIn(browser, base, 'on_call', {
        returnTo: `/abuse?finding=${observedId}`,
      });
      try {
        const observed = page.locator(`#finding-${observedId}`);
        await observed.getByTestId('finding-escalation').waitFor({ timeout: DEADLINE_MS });
        expect(await observed.getByText('Superseded', { exact: true }).count()).toBe(1);
        await observed.getByRole('link', { name: 'see the escalation' }).click();
        await page.waitForURL(new RegExp(`finding=${escalationId}`));
        const escalation = page.locator(`#finding-${escalationId}`);
        expect(await escalation.getByTestId('finding-escalation').textContent()).toContain('Escalates');
        expect(await escalation.getByText('Superseded', { exact: true }).count()).toBe(0);
        // The address changes before the page renders the selection (navigation renders in a transition).
        await expect.poll(() => escalation.getAttribute('class')).toContain('selected');
      } finally {
        await context.close();
      }
    },
    2 * DEADLINE_MS,
  );
});

describe('Dashboard build', () => {
  it('is the production build, though a test run (NODE_ENV=test) made it', () => {
    const assets = join(DASHBOARD_DIST, 'assets');
    const entry = readdirSync(assets).find((name) => /^index-.*\.js$/.test(name));
    expect(entry).toBeDefined();
    // React's development build alone carries this hint (and runs every effect twice).
    const developmentBuild = readFileSync(join(assets, entry as string), 'utf8').includes(
      'Download the React DevTools',
    );
    expect(developmentBuild).toBe(false);
  });
});

describe('Dashboard in Chromium: every page', () => {
  it.each([
    ['capacity', '/capacity', 'Capacity'],
    ['cost', '/cost', 'Cost'],
    ['incidents', '/incidents', 'Incidents'],
    ['change-sets', '/change-sets', 'Change sets'],
    ['reports', '/reports', 'Reports'],
  ])(
    'renders %s with no serious accessibility violations, from tablet width up',
    async (name, path, heading) => {
      const { context, page } = await signIn(browser, base, 'owner', { returnTo: path, width: 820 });
      try {
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        await page.locator('.state-loading').waitFor({ state: 'detached' });
        await screenshot(page, name);
        // An empty Change sets page links to where change sets come from.
        if (name === 'change-sets') {
          const main = page.locator('main');
          expect(await main.getByRole('link', { name: 'Reports' }).getAttribute('href')).toBe('/reports');
          expect(await main.getByRole('link', { name: 'Incidents' }).getAttribute('href')).toBe('/incidents');
        }
        // An empty Reports page offers an on-call engineer (an owner too) today's report now.
        if (name === 'reports') {
          expect(await page.locator('main').textContent()).toContain(
            '“Report on today so far” writes one now.',
          );
          expect(await page.getByTestId('run-report').count()).toBe(1);
        }
        await noSeriousViolations(page);
        // Keyboard: the skip link and the navigation are reachable with Tab.
        await page.keyboard.press('Tab');
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      } finally {
        await context.close();
      }
    },
    DEADLINE_MS,
  );
});

describe('Dashboard in Chromium: pre-warming decisions', () => {
  it(
    "shows the loop's decisions as they are made, with the approved bounds and a failed allocation's reason",
    async () => {
      const fn = 'boundless-prewarm-browser';
      // The loop is attached before the page signs in and loads, so its first read already finds it: attached
      // after, the page could read the decisions first and show the loop off until something reloads them.
      const prewarm = await prewarmLoopFor(fn, stack.copilot.prewarmDecisions, {
        minCapacity: 1,
        maxCapacity: 8,
      });
      let context: BrowserContext | undefined;
      try {
        const signedIn = await signIn(browser, base, 'viewer', { returnTo: `/capacity?fn=${fn}` });
        context = signedIn.context;
        const page = signedIn.page;
        const panel = page.getByTestId('prewarm-decisions');
        // Attached before the page loaded: no decision yet, and the empty state says what the loop does.
        await panel.getByText(`No decision for ${fn} yet (live)`).waitFor();
        expect(await panel.textContent()).toContain('within the approved 1–8');
        const rows = panel.getByTestId('prewarm-decision');
        await page.getByLabel('Live updates: live').waitFor();
        // A tick of the real loop against the Lambda stand-in: the page shows it without a reload.
        const now = Date.now();
        const [first] = await prewarm.loop.tick(now);
        expect(first!.planned).toBeGreaterThan(8);
        await expect.poll(() => rows.count(), { timeout: DEADLINE_MS }).toBe(1);
        const row = await rows.first().textContent();
        expect(row).toContain('→ 8');
        expect(row).toContain(`plan ${first!.planned}, clamped`);
        expect(row).toContain('Changed');
        expect(row).toContain('Live');
        // Lambda gives up allocating in the background; the next tick reads it back and the page says why.
        prewarm.failAllocation('FUNCTION_ERROR_INIT_FAILURE');
        const [second] = await prewarm.loop.tick(now + 60_000);
        expect(second!.allocation?.status).toBe('FAILED');
        await expect.poll(() => rows.count(), { timeout: DEADLINE_MS }).toBe(2);
        const failed = await rows.first().textContent();
        expect(failed).toContain('Failed');
        expect(failed).toContain('0 of 8');
        expect(failed).toContain('FUNCTION_ERROR_INIT_FAILURE');
        await noSeriousViolations(page);
        // A function the loop leaves to the tunables is never "not yet": the panel says the loop does not plan it.
        await page.goto(`${base}/capacity?fn=delivery-grant-access`);
        await panel.getByText('The pre-warming loop does not plan delivery-grant-access').waitFor();
        expect(await panel.textContent()).toContain(`The loop plans ${fn}.`);
        // Read as the Capacity view is: a viewer may, nobody without a session may.
        const anonymous = await fetch(`${base}/api/prewarm/decisions?fn=${fn}`);
        expect(anonymous.status).toBe(401);
      } finally {
        stack.copilot.prewarmDecisions.attach(null, 'the test is over');
        await prewarm.close();
        await context?.close();
      }
    },
    2 * DEADLINE_MS,
  );
});

describe('Dashboard in Chromium: incidents', () => {
  it(
    'opens an incident from a finding, streams the offline answer, opens its citation and turns a suggestion into a proposal',
    async () => {
      // A finding as the pipeline stores it, whose policy names a mitigation the chat can suggest.
      const now = new Date();
      const findingId = `fnd_browser_${now.getTime()}`;
      await stack.copilot.store.putFinding({
        id: findingId,
        kind: 'token_sharing',
        subject: { accountId: 'reader-incident', tokenId: 'tok-incident-1' },
        firstSeen: new Date(now.getTime() - 10 * 60_000).toISOString(),
        detectedAt: now.toISOString(),
        score: 0.93,
        severity: 'critical',
        summary: 'one token used from four countries within ten minutes',
        evidence: { countries: ['FR', 'BR', 'JP', 'US'] },
        mitigation: 'revoke_token',
      });
      const onCall = await signIn(browser, base, 'on_call', { returnTo: `/incidents?finding=${findingId}` });
      const viewer = await signIn(browser, base, 'viewer', { returnTo: '/incidents' });
      try {
        const { page } = onCall;
        await page.getByRole('button', { name: 'Open incident' }).click();
        const view = page.getByTestId('incident-view');
        await view.getByRole('heading', { name: /one token used from four countries/ }).waitFor();
        expect(await view.getByText('Token sharing finding on', { exact: false }).count()).toBe(1);
        expect(await view.getByTestId('chat-mode').textContent()).toContain('Offline');
        await view.getByTestId('budget').waitFor();
        const incidentId = new URL(page.url()).searchParams.get('incident') ?? '';
        expect(incidentId).toMatch(/^inc_/);

        // The viewer sees the incident arrive live, and no control to ask or propose.
        await viewer.page.getByTestId(`incident-${incidentId}`).getByRole('link').click();
        await viewer.page.getByTestId('incident-view').waitFor();
        expect(await viewer.page.getByLabel('Ask the copilot').count()).toBe(0);

        // An empty conversation asks for the diagnosis in one click.
        await page.getByTestId('ask-first').click();
        const answer = view.getByTestId('answer').first();
        await answer.waitFor({ timeout: DEADLINE_MS });
        expect(await answer.textContent()).toContain('Offline mode');
        expect(await view.getByTestId('question').first().textContent()).toContain('What is happening?');
        expect(await page.getByTestId('ask-first').count()).toBe(0);
        // The viewer's page got the same answer over its own socket.
        await viewer.page.getByTestId('answer').first().waitFor({ timeout: PUSH_MS });

        expect(await answer.textContent()).not.toContain('diagnostician is not available');
        // A citation opens the observation it came from, fetched again from the source (here the finding's).
        const suggestion = answer.locator('[data-testid^="suggestion-"]').first();
        await suggestion.getByTestId('cite').first().click();
        const panel = page.getByTestId('evidence-panel');
        await panel.getByTestId('observation').waitFor();
        expect(await panel.getByTestId('observation').textContent()).toContain(findingId);
        expect(new URL(page.url()).searchParams.get('cite')).toMatch(/^E\d+$/);
        await screenshot(page, 'incidents-chat');
        await noSeriousViolations(page);

        // The suggested mitigation becomes a pending proposal; nothing is applied to the account.
        expect(await suggestion.textContent()).toContain('Revoke token');
        expect(await viewer.page.getByRole('button', { name: 'Propose' }).count()).toBe(0);
        await suggestion.getByRole('button', { name: 'Propose' }).click();
        await suggestion.getByTestId('proposed').waitFor();
        const proposals = await page.evaluate(async (id) => {
          const r = await fetch(`/api/proposals?incidentId=${id}`);
          return (await r.json()) as { proposals: { status: string; action: string }[] };
        }, incidentId);
        expect(proposals.proposals).toEqual([
          expect.objectContaining({ status: 'pending', action: 'revoke_token' }),
        ]);
        const applied = (await stack.copilot.store.listMitigations()).filter(
          (m) => m.target.accountId === 'reader-incident' || m.target.tokenId === 'tok-incident-1',
        );
        expect(applied).toEqual([]);

        // A question of one's own follows.
        await page.getByLabel('Ask the copilot').fill('What is happening to this account?');
        await page.getByRole('button', { name: 'Ask', exact: true }).click();
        await expect.poll(() => view.getByTestId('answer').count(), { timeout: DEADLINE_MS }).toBe(2);
        expect(await view.getByTestId('question').nth(1).textContent()).toContain('to this account?');
      } finally {
        await onCall.context.close();
        await viewer.context.close();
      }
    },
    2 * DEADLINE_MS,
  );
});

describe('Dashboard in Chromium: change sets and reports', () => {
  it(
    'shows the template diff, refuses a viewer, lets another engineer approve and apply, with the audit trail; the report reads in its frame',
    async () => {
      const alice = await stack.copilot.operatorToken('on_call', 'alice');
      const proposed = await fetch(`${base}/api/change-sets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          document: 'tunables',
          patch: [{ op: 'replace', path: '/cache/behaviors/~1public~1*/defaultTtlSeconds', value: 900 }],
          title: 'Cache the public pages for 15 minutes',
          rationale: 'public pages revalidate every five minutes',
        }),
      });
      expect(proposed.status).toBe(201);
      const { changeSet } = (await proposed.json()) as { changeSet: { id: string } };

      const viewer = await signIn(browser, base, 'viewer', { returnTo: `/change-sets?id=${changeSet.id}` });
      try {
        await viewer.page.getByTestId('diff').waitFor();
        expect(await viewer.page.getByTestId('approve').count()).toBe(0);
        expect(await viewer.page.getByTestId('approve-why').textContent()).toContain('on-call');
        // Nor may a viewer write a report: the empty page gives the command instead of the button.
        await viewer.page.goto(`${base}/reports`);
        await viewer.page.getByText('npx boundless report --date today').waitFor();
        expect(await viewer.page.getByTestId('run-report').count()).toBe(0);
      } finally {
        await viewer.context.close();
      }

      const { context, page } = await signIn(browser, base, 'on_call', { returnTo: '/change-sets' });
      try {
        await page.getByRole('button', { name: 'Cache the public pages for 15 minutes' }).click();
        expect(await page.getByTestId('diff').textContent()).toContain('AWS::CloudFront::CachePolicy');
        await page.getByTestId('step-text').fill('fine by me');
        await page.getByTestId('approve').click();
        await page.getByTestId('apply').click();
        await expect
          .poll(
            () => page.getByTestId('change-set-detail').getByRole('heading', { level: 2 }).textContent(),
            {
              timeout: 30_000,
            },
          )
          .toMatch(/applied|verified/i);
        expect(
          stack.delivery.cacheBehaviors().find((b) => b.pattern === '/public/*')?.defaultTtlSeconds,
        ).toBe(900);
        const audit = await page.getByTestId('audit').textContent();
        expect(audit).toContain('alice');
        expect(audit).toContain('approved');
        expect(audit).toContain('chain intact');
        await screenshot(page, 'change-set-applied');

        // Today's report so far, from the page: written by the stack's daily schedule, then shown.
        await page.goto(`${base}/reports`);
        await page.getByTestId('run-report').click();
        await page.getByTestId('recommendations').waitFor();
        expect(page.url()).toContain(`day=${new Date().toISOString().slice(0, 10)}`);
        const report = page.frameLocator('iframe.report');
        await report.getByRole('heading', { name: /Daily optimization report/ }).waitFor();
        expect(await report.locator('svg').count()).toBeGreaterThan(0);
      } finally {
        await context.close();
      }
    },
    DEADLINE_MS,
  );
});
