import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import { openOffline } from './support/browser.js';
import { serveStatic } from './support/serve.js';

describe('the built package in an app', () => {
  const app = mkdtempSync(join(tmpdir(), 'lumos-consumer-'));
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it('resolves its workers and .wasm files through import.meta.url and runs them', async () => {
    // `npm run build` (run by `npm test` before vitest) produced dist/; install it by name.
    cpSync(resolve('test/fixtures/consumer'), app, { recursive: true });
    mkdirSync(join(app, 'node_modules'));
    symlinkSync(resolve('.'), join(app, 'node_modules/lumosai'), 'dir');
    await build({
      root: app,
      configFile: false,
      logLevel: 'warn',
      build: { outDir: join(app, 'dist'), target: 'es2022' },
      worker: { format: 'es' },
    });

    const collector = await startOtlpReceiver();
    const site = await serveStatic(
      { '/': join(app, 'dist'), '/models/': resolve('models') },
      { proxy: { '/v1/traces': collector.url } },
    );
    const session = await openOffline(`${site.url}/index.html`);
    try {
      await session.page.waitForFunction(
        () => (globalThis as { __result?: unknown }).__result !== undefined,
        null,
        {
          timeout: 120_000,
        },
      );
      const result = (await session.page.evaluate(() => (globalThis as { __result?: unknown }).__result)) as {
        error?: string;
        dimension: number;
        top: string;
        typedError: boolean;
        traceId: string;
        exported: number;
        exportErrors: string[];
      };
      expect(result.error).toBeUndefined();
      expect(result.dimension).toBe(384);
      expect(result.top).toBe('The lighthouse lamp is lit at dusk.');
      expect(result.typedError).toBe(true);
      const files = session.requested.map((url) => new URL(url).pathname);
      expect(files.some((path) => /\/assets\/vector\.worker-[\w-]+\.js$/.test(path))).toBe(true);
      expect(files.some((path) => /\/assets\/embed\.worker-[\w-]+\.js$/.test(path))).toBe(true);
      expect(files.some((path) => /\/assets\/hnsw-[\w-]+\.wasm$/.test(path))).toBe(true);
      expect(files.some((path) => /\/assets\/ort-wasm[\w.-]*\.wasm$/.test(path))).toBe(true);
      // Traces left through the default export worker, bundled from the package like the others.
      expect(files.some((path) => /\/assets\/otlp-export\.worker-[\w-]+\.js$/.test(path))).toBe(true);
      expect(result.exportErrors).toEqual([]);
      const spans = collector.spans();
      expect(result.exported).toBe(spans.length);
      const root = spans.find((span) => span.name === 'consumer run');
      const embeddings = spans.filter((span) => span.attributes['lumos.span.kind'] === 'embedding');
      expect(embeddings).toHaveLength(2); // the two embedMany calls
      expect(embeddings.every((span) => span.parentSpanId === root?.spanId)).toBe(true);
      expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([result.traceId]));
      expect(spans.every((span) => span.resource['service.name'] === 'consumer')).toBe(true);
      expect(session.blocked).toEqual([]);
      expect(session.errors).toEqual([]);
    } finally {
      await session.close();
      await site.close();
      await collector.close();
    }
  });
});
