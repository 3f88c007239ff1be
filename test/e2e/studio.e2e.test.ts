import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAITestServer, startOpenAITestServer, type TestSession } from '../../src/test/index.js';
import { openOffline, type Session } from './support/browser.js';
import { type StaticServer, serveStatic } from './support/serve.js';

const screenshots = resolve('test/e2e/screenshots');

describe('studio (built page, network blocked except 127.0.0.1)', () => {
  let llm: OpenAITestServer;
  let llmSession: TestSession;
  let site: StaticServer;
  let browser: Session;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    await build({ configFile: resolve('demo/vite.config.ts'), logLevel: 'warn' });
    site = await serveStatic({ '/': resolve('demo/dist') });
    llm = await startOpenAITestServer();
    llmSession = await llm.session();
    const query = new URLSearchParams({ provider: 'vllm', baseURL: llmSession.baseURL, model: 'test-model' });
    browser = await openOffline(`${site.url}/?${query}`);
    await browser.page.waitForSelector('body[data-ready="true"]');
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await llm?.close();
  });

  it('loads with every panel and no errors', async () => {
    const tabs = await browser.page.locator('#tabs button').allTextContents();
    expect(tabs).toEqual(expect.arrayContaining(['Chat', 'Settings']));
    expect(browser.errors).toEqual([]);
    expect(await browser.page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  });

  it('streams an answer from the configured LLM', async () => {
    await llmSession.enqueue({ text: 'Hello from the **local** model.', chunkSize: 4, chunkDelayMs: 5 });
    const page = browser.page;
    await page.goto(`${page.url().split('#')[0]}#chat`);
    await page.fill('textarea[name="question"]', 'Say hello');
    await page.click('#panel-chat button[type="submit"]');
    const answer = page.locator('.message.assistant[data-done="true"]').last();
    await answer.waitFor();
    expect(await answer.locator('.body').innerHTML()).toContain('<strong>local</strong>');
    const requests = await llmSession.requests();
    expect(requests.at(-1)?.body).toMatchObject({ stream: true, model: 'test-model' });
    await page.screenshot({ path: `${screenshots}/chat.png`, fullPage: true });
    expect(browser.blocked).toEqual([]);
    expect(browser.errors).toEqual([]);
  });
});
