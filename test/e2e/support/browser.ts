import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../support/chromium.js';

export interface Session {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Requests that tried to leave 127.0.0.1 (blocked). */
  blocked: string[];
  /** Every URL requested, workers' requests included. */
  requested: string[];
  /** Page errors and console errors, CSP violations included. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Chromium with the network cut off except loopback, the way the studio must keep working
 * offline: any request to another host is aborted and recorded.
 */
export async function openOffline(url: string): Promise<Session> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: chromiumArgs,
    headless: true,
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const blocked: string[] = [];
  const requested: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    requested.push(route.request().url());
    const { hostname, protocol } = new URL(route.request().url());
    if (
      protocol === 'data:' ||
      protocol === 'blob:' ||
      hostname === '127.0.0.1' ||
      hostname === 'localhost'
    ) {
      return route.continue();
    }
    blocked.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  // Every CSP violation becomes a console error, which the tests assert there are none of.
  await context.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(
        `CSP violation: ${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`,
      ),
    ),
  );
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return { browser, context, page, blocked, requested, errors, close: () => browser.close() };
}
