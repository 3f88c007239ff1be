import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../support/chromium.js';

const fixture = resolve('test/fixtures/extension-vector');

describe('vector store in an MV3 extension (CSP: script-src self wasm-unsafe-eval)', () => {
  let dir: string;
  const contexts: BrowserContext[] = [];
  const temporary: string[] = [];

  /** Loads the unpacked extension in `extensionDir`, opens its page, returns what the page reports. */
  async function runExtension(extensionDir: string) {
    const userDataDir = mkdtempSync(join(tmpdir(), 'lumos-ext-profile-'));
    temporary.push(userDataDir);
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath(),
      headless: true,
      args: [
        ...chromiumArgs,
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
      ],
    });
    contexts.push(context);
    const serviceWorker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const extensionId = new URL(serviceWorker.url()).host;
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`chrome-extension://${extensionId}/page.html`);
    await page.waitForFunction(
      () => (globalThis as Record<string, unknown>).__vectorResult !== undefined,
      null,
      {
        timeout: 120_000,
      },
    );
    const result = await page.evaluate(() => (globalThis as Record<string, unknown>).__vectorResult);
    return { result, errors };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lumos-ext-vector-'));
    temporary.push(dir);
    await build({
      configFile: false,
      root: fixture,
      base: './',
      logLevel: 'warn',
      build: {
        outDir: dir,
        emptyOutDir: true,
        assetsInlineLimit: 0,
        modulePreload: { polyfill: false },
        minify: false,
        rolldownOptions: { input: join(fixture, 'page.html') },
      },
      worker: { format: 'es' },
    });
    cpSync(join(fixture, 'manifest.json'), join(dir, 'manifest.json'));
    cpSync(join(fixture, 'background.js'), join(dir, 'background.js'));
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    for (const path of temporary) rmSync(path, { recursive: true, force: true });
  });

  it('builds, queries and reloads in the page and in its worker with no CSP violation', async () => {
    const { result, errors } = await runExtension(dir);
    expect(result).toEqual({
      inPage: {
        top: 'v123',
        strategy: 'hnsw',
        filtered: ['v5', expect.stringMatching(/^v\d$/)],
        count: 2000,
      },
      inWorker: {
        top: 'v123',
        strategy: 'hnsw',
        filtered: ['v5', expect.stringMatching(/^v\d$/)],
        count: 2000,
      },
      afterReload: 2000,
      violations: [],
    });
    expect(errors).toEqual([]);
  });

  it('is a real check: without wasm-unsafe-eval the same extension fails and reports it', async () => {
    const strict = mkdtempSync(join(tmpdir(), 'lumos-ext-strict-'));
    temporary.push(strict);
    cpSync(dir, strict, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(strict, 'manifest.json'), 'utf8'));
    manifest.content_security_policy.extension_pages = "script-src 'self'; object-src 'self'";
    writeFileSync(join(strict, 'manifest.json'), JSON.stringify(manifest));
    const { result } = await runExtension(strict);
    expect((result as { error?: string }).error).toMatch(/CompileError|WebAssembly|wasm/i);
  });
});
