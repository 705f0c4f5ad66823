import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, launched as STACK.md records it working on these machines. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Where browser tests leave their screenshots (ignored by git). */
const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export type Role = 'viewer' | 'on_call' | 'owner';

/**
 * Signs in as an operator through the whole code flow: the dashboard's /auth/login, the local issuer's hosted-UI
 * stand-in (a button per role), the callback that sets the session cookie, and back to `returnTo`.
 */
export async function signIn(
  browser: Browser,
  baseUrl: string,
  role: Role,
  options: { returnTo?: string; sessionSeconds?: number; width?: number } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: 900 } });
  const page = await context.newPage();
  const query = new URLSearchParams({ return_to: options.returnTo ?? '/' });
  if (options.sessionSeconds) query.set('session_seconds', String(options.sessionSeconds));
  await page.goto(`${baseUrl}/auth/login?${query}`);
  await page.getByRole('button', { name: `Sign in as ${role.replace('_', '-')}` }).click();
  await page.getByTestId('role').waitFor();
  return { context, page };
}
