import { type Browser, chromium } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { chromiumArgs, chromiumPath } from '../../test/support/chromium.js';

export interface BrowserBenchOptions {
  /** Page path under the repo root, e.g. `/bench/vector/index.html`. */
  page: string;
  /** Global the page sets when done (its value is returned). Default `__benchResult`. */
  resultGlobal?: string;
  timeoutMs?: number;
  /** Extra query string passed to the page. */
  query?: Record<string, string>;
}

/**
 * Serves the repo with Vite (cross-origin isolated, so ORT threads and SharedArrayBuffer work),
 * opens the page in Debian's Chromium and returns what the page reports from inside.
 */
export async function runBrowserBench<T>(
  options: BrowserBenchOptions,
): Promise<{ result: T; browser: string }> {
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await createServer({
      configFile: false,
      root: process.cwd(),
      logLevel: 'warn',
      server: {
        port: 0,
        host: '127.0.0.1',
        // A file saved during a 30-minute run must not reload the page and restart it.
        hmr: false,
        watch: null,
        headers: {
          'Cross-Origin-Opener-Policy': 'same-origin',
          'Cross-Origin-Embedder-Policy': 'require-corp',
        },
      },
      optimizeDeps: { noDiscovery: true, include: [] },
    });
    await server.listen();
    const address = server.httpServer?.address();
    if (!address || typeof address === 'string') throw new Error('Vite did not start');
    browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs, headless: true });
    const page = await browser.newPage();
    page.on('console', (message) => console.log(`[page] ${message.text()}`));
    page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
    const query = new URLSearchParams(options.query ?? {}).toString();
    await page.goto(`http://127.0.0.1:${address.port}${options.page}${query ? `?${query}` : ''}`);
    const key = options.resultGlobal ?? '__benchResult';
    await page.waitForFunction((name) => (globalThis as Record<string, unknown>)[name] !== undefined, key, {
      timeout: options.timeoutMs ?? 30 * 60_000,
      polling: 500,
    });
    const result = (await page.evaluate((name) => (globalThis as Record<string, unknown>)[name], key)) as T;
    if (result && typeof result === 'object' && 'error' in result) {
      throw new Error(`benchmark page failed: ${(result as { error: unknown }).error}`);
    }
    return { result, browser: `Chromium ${browser.version()}` };
  } finally {
    await browser?.close();
    await server?.close();
  }
}
