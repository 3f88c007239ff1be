import { type Browser, chromium } from 'playwright-core';
import { createServer } from 'vite';
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
