import { type Browser, chromium } from 'playwright-core';
import { createServer } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../support/chromium.js';

export interface RepoPages {
  /** `http://127.0.0.1:PORT`: the repository served by Vite, so fixture pages load from source. */
  origin: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Serves the repository with Vite on a free port and launches headless Chromium with `args`. */
export async function startRepoPages(args: string[] = chromiumArgs): Promise<RepoPages> {
  const server = await createServer({
    configFile: false,
    root: process.cwd(),
    logLevel: 'warn',
    server: { port: 0, host: '127.0.0.1' },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('Vite did not start');
  const browser = await chromium.launch({ executablePath: chromiumPath(), args, headless: true });
  return {
    origin: `http://127.0.0.1:${address.port}`,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * `startRepoPages` for one `describe`: starts before its tests, closes after them. Read `origin`
 * and `browser` inside tests.
 */
export function useRepoPages(args: string[] = chromiumArgs): Omit<RepoPages, 'close'> {
  let pages: RepoPages | undefined;
  beforeAll(async () => {
    pages = await startRepoPages(args);
  });
  afterAll(async () => {
    await pages?.close();
  });
  const started = () => {
    if (!pages) throw new Error('useRepoPages: read origin/browser inside a test, after beforeAll.');
    return pages;
  };
  return {
    get origin() {
      return started().origin;
    },
    get browser() {
      return started().browser;
    },
  };
}
