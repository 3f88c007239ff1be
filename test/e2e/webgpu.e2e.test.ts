// The opt-in WebGPU backend really running: Chromium with SwiftShader's WebGPU adapter (a CPU
// implementation of WebGPU, so no GPU is needed), the real model, checked against WASM.
import { describe, expect, it } from 'vitest';
import { chromiumArgs } from '../support/chromium.js';
import { useRepoPages } from './support/repo-pages.js';

const webgpuArgs = [
  ...chromiumArgs.filter((flag) => flag !== '--disable-gpu'),
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
];

describe('LocalEmbedder on WebGPU (Chromium, SwiftShader adapter)', () => {
  const pages = useRepoPages(webgpuArgs);

  it('runs on a real WebGPU adapter only after matching WASM, with 384-d vectors equal to WASM', async () => {
    const page = await pages.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${pages.origin}/test/fixtures/webgpu-page/index.html`);
    const result = (await page.evaluate(() => (globalThis as Record<string, unknown>).__result, null)) as {
      adapter: string | null;
      backend: string;
      fallbackReason: string | null;
      dimensions: number[];
      cosines: number[];
      error?: string;
    };
    expect(result.error).toBeUndefined();
    expect(result.adapter).toMatch(/swiftshader/i);
    expect(result.fallbackReason).toBeNull();
    expect(result.backend).toBe('webgpu');
    expect(new Set(result.dimensions)).toEqual(new Set([384]));
    expect(Math.min(...result.cosines)).toBeGreaterThanOrEqual(0.999);
    expect(errors).toEqual([]);
  }, 180_000);
});
