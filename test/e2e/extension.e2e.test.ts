import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Worker } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAITestServer, startOpenAITestServer, type TestSession } from '../../src/test/index.js';
import { chromiumArgs, chromiumPath } from '../support/chromium.js';
import { type StaticServer, serveStatic } from './support/serve.js';

const extensionDir = resolve('demo/extension/dist');

describe('MV3 extension (unpacked, built from the same sources)', () => {
  let llm: OpenAITestServer;
  let session: TestSession;
  let site: StaticServer;
  let context: BrowserContext;
  let serviceWorker: Worker;
  let profile: string;
  const violations: string[] = [];

  beforeAll(async () => {
    await build({ configFile: resolve('demo/extension/vite.config.ts'), logLevel: 'warn' });
    site = await serveStatic({ '/': resolve('test/fixtures/extension-page') }, { isolate: false });
    llm = await startOpenAITestServer();
    session = await llm.session();
    profile = mkdtempSync(join(tmpdir(), 'lumos-extension-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      headless: true,
      args: [
        ...chromiumArgs,
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
      ],
    });
    serviceWorker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  });

  afterAll(async () => {
    await context?.close();
    await site?.close();
    await llm?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('saves a page to the knowledge base and answers a question about it with its source', async () => {
    const extensionId = new URL(serviceWorker.url()).host;
    const article = await context.newPage();
    await article.goto(`${site.url}/index.html`);

    const panel = await context.newPage();
    panel.on('console', (message) => {
      if (message.type() === 'error') violations.push(message.text());
    });
    panel.on('pageerror', (error) => violations.push(error.message));
    const query = new URLSearchParams({ baseURL: session.baseURL, model: 'test-model' });
    await panel.goto(`chrome-extension://${extensionId}/sidepanel.html?${query}`);
    await panel.evaluate(() =>
      document.addEventListener('securitypolicyviolation', (event) =>
        console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`),
      ),
    );
    await panel.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });

    // What the context menu / keyboard command does, called on the service worker directly.
    const saved = await serviceWorker.evaluate(async (url) => {
      const [tab] = await chrome.tabs.query({ url });
      const save = (
        globalThis as unknown as { lumosSaveTab(id: number): Promise<{ chunks: number; title: string }> }
      ).lumosSaveTab;
      return save(tab!.id!);
    }, `${site.url}/index.html`);
    expect(saved.title).toBe("The Lighthouse Keeper's Log");
    expect(saved.chunks).toBeGreaterThan(0);

    await session.enqueue(
      { toolCalls: [{ name: 'searchSavedPages', arguments: { query: 'how often is the lens cleaned' } }] },
      { text: 'The Fresnel lens is cleaned with alcohol **every Tuesday** [1].' },
    );
    await panel.fill('textarea[name="question"]', 'How often is the lens cleaned?');
    await panel.click('form.card button[type="submit"]');
    const answer = panel.locator('.message.assistant[data-done="true"]');
    await answer.waitFor({ timeout: 120_000 });
    expect(await answer.innerHTML()).toContain('<strong>every Tuesday</strong>');
    expect(await answer.locator('[data-role="sources"]').textContent()).toContain(`${site.url}/index.html`);

    // The model saw the saved page's text (navigation and footer stripped) as the tool's result.
    const requests = await session.requests();
    const toolMessage = (
      requests.at(-1)!.body as { messages: { role: string; content: string }[] }
    ).messages.find((message) => message.role === 'tool');
    expect(toolMessage?.content).toContain('Fresnel lens is cleaned with alcohol every Tuesday');
    expect(toolMessage?.content).not.toContain('Coastal Trust');
    expect(toolMessage?.content).not.toContain('must not be saved');
    await panel.screenshot({
      path: resolve('test/e2e/screenshots/extension-side-panel.png'),
      fullPage: true,
    });
    expect(violations).toEqual([]);
  });
});
