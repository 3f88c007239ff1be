import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAITestServer, startOpenAITestServer, type TestSession } from '../../src/test/index.js';
import { openOffline, type Session } from './support/browser.js';
import { type StaticServer, serveStatic } from './support/serve.js';

const screenshots = resolve('test/e2e/screenshots');
const fixtures = resolve('test/fixtures/rag');

describe('studio (built page, network blocked except 127.0.0.1)', () => {
  let llm: OpenAITestServer;
  let llmSession: TestSession;
  let site: StaticServer;
  let browser: Session;
  let studioUrl: string;

  const open = async (panel: string) => {
    await browser.page.goto(`${studioUrl}#${panel}`);
    await browser.page.waitForSelector('body[data-ready="true"]');
  };
  const shot = (name: string) =>
    browser.page.screenshot({ path: `${screenshots}/${name}.png`, fullPage: true });

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    await build({ configFile: resolve('demo/vite.config.ts'), logLevel: 'warn' });
    site = await serveStatic({ '/': resolve('demo/dist') });
    llm = await startOpenAITestServer();
    llmSession = await llm.session();
    const query = new URLSearchParams({ provider: 'vllm', baseURL: llmSession.baseURL, model: 'test-model' });
    studioUrl = `${site.url}/?${query}`;
    browser = await openOffline(studioUrl);
    await browser.page.waitForSelector('body[data-ready="true"]');
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await llm?.close();
  });

  it('loads every panel, cross-origin isolated, with no errors', async () => {
    const tabs = await browser.page.locator('#tabs button').allTextContents();
    expect(tabs).toEqual(['Chat', 'Knowledge', 'Memory', 'Workflows', 'Traces', 'Evals', 'Settings']);
    expect(await browser.page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    expect(browser.errors).toEqual([]);
  });

  it('ingests dropped files with visible progress, then searches them in three modes', async () => {
    await open('knowledge');
    const page = browser.page;
    const statuses: string[] = [];
    await page.exposeFunction('__recordStatus', (text: string) => statuses.push(text));
    await page.evaluate(() => {
      const target = document.querySelector('[data-role="ingest-status"]')!;
      new MutationObserver(() =>
        (globalThis as unknown as { __recordStatus(text: string): void }).__recordStatus(
          target.textContent ?? '',
        ),
      ).observe(target, { childList: true, characterData: true, subtree: true });
    });
    await page.setInputFiles('#panel-knowledge input[type="file"]', [
      `${fixtures}/sample.md`,
      `${fixtures}/sample.txt`,
      `${fixtures}/sample.html`,
      `${fixtures}/sample.pdf`,
    ]);
    await page.waitForSelector('[data-role="ingest-status"][data-done="true"]', { timeout: 120_000 });
    expect(statuses.some((text) => /embed|chunk|parse/.test(text))).toBe(true);
    expect(await page.locator('#panel-knowledge tbody tr').count()).toBe(4);
    for (const mode of ['vector', 'keyword', 'hybrid']) {
      await page.fill('input[name="search"]', 'How often is the sourdough starter fed?');
      await page.selectOption('select[name="mode"]', mode);
      await page.click('#panel-knowledge form.row button[type="submit"]');
      await page.waitForFunction(
        (wanted) =>
          document.querySelector('[data-role="search-results"] p')?.textContent?.includes(`(${wanted})`),
        mode,
      );
      const first = await page
        .locator('[data-role="search-results"] [data-role="hit"]')
        .first()
        .textContent();
      expect(first).toContain('starter');
    }
    await page.locator('[data-role="search-results"] .citation').first().click();
    expect(await page.locator('#panel-knowledge .span-view mark').textContent()).toContain('starter');
    await shot('knowledge');
  });

  it('answers a question with a citation through the knowledge-base tool', async () => {
    await open('chat');
    await llmSession.enqueue(
      { toolCalls: [{ name: 'searchKnowledge', arguments: { queryText: 'sourdough starter feeding' } }] },
      { text: 'Feed the starter **twice a day** [1].', chunkSize: 6 },
    );
    const page = browser.page;
    await page.fill('textarea[name="question"]', 'How often do we feed the starter?');
    await page.click('#panel-chat form.card button[type="submit"]');
    const answer = page.locator('.message.assistant[data-done="true"]').last();
    await answer.waitFor({ timeout: 60_000 });
    expect(await answer.locator('.tool').textContent()).toContain('searchKnowledge');
    expect(await answer.locator('.body').innerHTML()).toContain('<strong>twice a day</strong>');
    const citation = answer.locator('.citation').first();
    expect(await citation.textContent()).toMatch(/\[1\]/);
    await citation.click();
    expect(await page.locator('#panel-chat .span-view mark').textContent()).toMatch(/starter/);
    // The retrieved passage reached the model as quoted tool output, not as instructions.
    const requests = await llmSession.requests();
    const second = requests.at(-1)?.body as { messages: { role: string; content: string }[] };
    const toolMessage = second.messages.find((message) => message.role === 'tool');
    expect(toolMessage?.content).toContain('starter');
    await shot('chat');
  });

  it('shows threads, messages and working memory', async () => {
    await open('memory');
    const page = browser.page;
    await page.locator('#panel-memory tbody tr button').first().click();
    await page.waitForSelector('[data-role="memory-messages"] .message.user');
    expect(await page.locator('[data-role="memory-messages"]').textContent()).toContain(
      'How often do we feed',
    );
    await shot('memory');
  });

  it('answers extractively with no LLM configured', async () => {
    const offline = await browser.context.newPage();
    await offline.goto(`${site.url}/?provider=none#chat`);
    await offline.waitForSelector('body[data-ready="true"]');
    await offline.fill('textarea[name="question"]', 'When does the bakery open?');
    await offline.click('#panel-chat form.card button[type="submit"]');
    const answer = offline.locator('.message.assistant[data-done="true"]').last();
    await answer.waitFor({ timeout: 60_000 });
    expect(await answer.getAttribute('data-mode')).toBe('extractive');
    expect(await answer.textContent()).toMatch(/extractive answer/);
    expect(await answer.textContent()).toMatch(/six in the morning/);
    await offline.screenshot({ path: `${screenshots}/chat-offline.png`, fullPage: true });
    await offline.close();
  });

  it('suspends a workflow, survives a reload, and resumes it', async () => {
    await open('workflows');
    const page = browser.page;
    await page.fill('input[name="topic"]', 'croissants');
    await page.click('#panel-workflows form.row button[type="submit"]');
    await page.waitForSelector('[data-role="runs"] tr[data-status="suspended"]');
    expect(await page.locator('[data-node="review"]').getAttribute('data-status')).toBe('suspended');
    expect(await page.locator('[data-node="draft"]').getAttribute('data-status')).toBe('success');
    await shot('workflows-suspended');

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    const suspended = page.locator('[data-role="runs"] tr[data-status="suspended"]').first();
    await suspended.waitFor();
    await suspended.locator('button', { hasText: 'Approve' }).click();
    await page.waitForSelector('[data-role="runs"] tr[data-status="success"]');
    expect(await page.locator('[data-node="publish"]').getAttribute('data-status')).toBe('success');
    await shot('workflows');
  });

  it('shows traces of the runs', async () => {
    await open('traces');
    const page = browser.page;
    await page.click('#tabs button[data-panel="knowledge"]');
    await page.fill('input[name="search"]', 'croissants');
    await page.click('#panel-knowledge form.row button[type="submit"]');
    await page.waitForSelector('[data-role="search-results"] [data-role="hit"]');
    await page.click('#tabs button[data-panel="traces"]');
    await page.waitForSelector('[data-role="traces"] .card');
    expect(await page.locator('[data-role="traces"] .bar').count()).toBeGreaterThan(0);
    await shot('traces');
  });

  it('runs the eval set and shows scores', async () => {
    await open('evals');
    const page = browser.page;
    for (let index = 0; index < 3; index++) {
      await llmSession.enqueue({ text: 'Embeddings run locally in the browser, in Web Workers.' });
    }
    await page.click('#panel-evals button.primary');
    await page.waitForSelector('[data-role="eval-results"] table', { timeout: 120_000 });
    const mean = await page.locator('[data-scorer="semantic-similarity"] [data-role="mean"]').textContent();
    expect(Number(mean)).toBeGreaterThan(0);
    await shot('evals');
    await open('settings');
    await shot('settings');
    expect(browser.blocked).toEqual([]);
    expect(browser.errors).toEqual([]);
  });
});
