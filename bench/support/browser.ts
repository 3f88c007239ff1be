import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
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
  /**
   * `false`: Chromium runs as a plain process with no DevTools protocol client attached, as a
   * user's browser does, and the page posts its result to a local endpoint (its HTML must load
   * `bench/support/report.ts`). Playwright always enables the DevTools Network domain, which
   * costs every request the page makes: ≈ 1.6 ms per exchange of two model calls, and each
   * request with a large body more (docs/telemetry.md). Page console messages are not shown.
   * Default `true` (Playwright).
   */
  devtools?: boolean;
}

/**
 * Serves the repo with Vite (cross-origin isolated, so ORT threads and SharedArrayBuffer work),
 * opens the page in Debian's Chromium and returns what the page reports from inside.
 *
 * The browser gets a profile on disk (a fresh temporary directory), as a user's browser has:
 * IndexedDB then writes LevelDB files. A Playwright `browser.newPage()` opens an off-the-record
 * context instead, whose IndexedDB lives in memory; until 2026-11-23 12:50 UTC every browser
 * bench ran that way, which flattered anything that writes to IndexedDB (an append to chat
 * memory: p95 1.6–2.2 ms in memory, 2.4–3.6 ms on disk; docs/memory.md).
 */
export async function runBrowserBench<T>(
  options: BrowserBenchOptions,
): Promise<{ result: T; browser: string }> {
  let server: ViteDevServer | undefined;
  let context: BrowserContext | undefined;
  const profile = mkdtempSync(join(tmpdir(), 'lumos-bench-chromium-'));
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
    if (options.devtools === false) return await runPlain<T>(options, address.port, profile);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      args: chromiumArgs,
      headless: true,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => console.log(`[page] ${message.text()}`));
    page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
    const query = new URLSearchParams(options.query ?? {}).toString();
    await page.goto(`http://127.0.0.1:${address.port}${options.page}${query ? `?${query}` : ''}`);
    const key = options.resultGlobal ?? '__benchResult';
    await page.waitForFunction((name) => (globalThis as Record<string, unknown>)[name] !== undefined, key, {
      timeout: options.timeoutMs ?? 30 * 60_000,
      polling: 500,
    });
    const result = reported<T>(
      await page.evaluate((name) => (globalThis as Record<string, unknown>)[name], key),
    );
    return { result, browser: `Chromium ${context.browser()?.version() ?? chromiumVersion()}` };
  } finally {
    await context?.close();
    await server?.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** What the page reported, or the error it reported instead. */
function reported<T>(result: unknown): T {
  if (result && typeof result === 'object' && 'error' in result) {
    throw new Error(`benchmark page failed: ${(result as { error: unknown }).error}`);
  }
  return result as T;
}

function chromiumVersion(): string {
  return execFileSync(chromiumPath(), ['--version'], { encoding: 'utf8' }).match(/[\d.]+/)?.[0] ?? '?';
}

/** The page in a Chromium process with no DevTools client; `bench/support/report.ts` posts the result. */
async function runPlain<T>(
  options: BrowserBenchOptions,
  port: number,
  profile: string,
): Promise<{ result: T; browser: string }> {
  let settle!: (body: string) => void;
  const posted = new Promise<string>((resolve) => {
    settle = resolve;
  });
  const endpoint: Server = createHttpServer((request, response) => {
    response.setHeader('Access-Control-Allow-Origin', '*');
    if (request.method !== 'POST') return void response.writeHead(204).end();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.writeHead(200).end();
      settle(Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  let browser: ChildProcess | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const address = endpoint.address();
    if (!address || typeof address === 'string') throw new Error('result endpoint did not start');
    const query = new URLSearchParams({
      ...options.query,
      report: `http://127.0.0.1:${address.port}/`,
      reportGlobal: options.resultGlobal ?? '__benchResult',
    });
    browser = spawn(
      chromiumPath(),
      [
        ...chromiumArgs,
        '--headless',
        `--user-data-dir=${profile}`,
        `http://127.0.0.1:${port}${options.page}?${query}`,
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise<never>((_, reject) =>
      browser?.once('exit', (code) =>
        reject(new Error(`Chromium exited (code ${code}) before the page reported`)),
      ),
    );
    const timeoutMs = options.timeoutMs ?? 30 * 60_000;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no result from ${options.page} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    const result = reported<T>(JSON.parse(await Promise.race([posted, exited, timedOut])));
    return { result, browser: `Chromium ${chromiumVersion()} (no DevTools client attached)` };
  } finally {
    clearTimeout(timer);
    if (browser && browser.exitCode === null && browser.signalCode === null) {
      const gone = new Promise((resolve) => browser?.once('exit', resolve));
      browser.kill();
      await gone;
    }
    endpoint.close();
  }
}
