import { describe, expect, it } from 'vitest';
import {
  type EmbedWorkerFactory,
  LocalEmbedder,
  type LocalEmbedderOptions,
  workerHandle,
} from '../../../src/embed/index.js';
import { ModelLoadError } from '../../../src/errors/index.js';
import { referenceTexts } from './reference-texts.js';

const baseUrl = new URL('/models/{model}/', location.href).href;
const model = 'Xenova/all-MiniLM-L6-v2';
const realWorker = () =>
  new Worker(new URL('../../../workers/embed.worker.ts', import.meta.url), { type: 'module' });

function embedder(options: Partial<LocalEmbedderOptions> = {}): LocalEmbedder {
  return new LocalEmbedder({ model, baseUrl, workers: 2, cacheName: 'lumos-test-models', ...options });
}

const maxDifference = (a: Float32Array, b: ArrayLike<number>) =>
  Math.max(...a.map((value, index) => Math.abs(value - b[index]!)));

describe('LocalEmbedder in Chromium workers with the real model', () => {
  it('matches the Node reference vectors within 1e-4 (bad input included), in a pool of module workers', async () => {
    const reference = (await (await fetch('/test/browser/embed/node-reference.json')).json()) as {
      vectors: number[][];
    };
    const local = embedder();
    const vectors = await local.embedMany(referenceTexts);
    expect(local.dimension).toBe(384);
    for (const [index, vector] of vectors.entries()) {
      expect(vector.length).toBe(384);
      expect(maxDifference(vector, reference.vectors[index]!)).toBeLessThan(1e-4);
    }
    local.dispose();
  });

  it('loads the second time from the Cache API with the network gone', async () => {
    const cacheName = `lumos-offline-${Date.now()}`;
    const first = embedder({ cacheName, workers: 1 });
    const online = await first.embed('offline check');
    first.dispose();
    const offline = embedder({
      cacheName,
      workers: 1,
      fetch: async () => {
        throw new TypeError('network is off');
      },
    });
    expect(maxDifference(await offline.embed('offline check'), online)).toBe(0);
    offline.dispose();
    await caches.delete(cacheName);
  });

  it('replaces a worker that crashes mid-batch and retries the batch', async () => {
    let created = 0;
    const factory: EmbedWorkerFactory = () => {
      created++;
      const worker =
        created === 1
          ? new Worker(new URL('./crashing.worker.ts', import.meta.url), { type: 'module' })
          : realWorker();
      return workerHandle(worker);
    };
    const local = embedder({ workerFactory: factory, workers: 1 });
    const [vector] = await local.embedMany(['A man is playing a guitar.']);
    expect(local.workerReplacements).toBe(1);
    const reference = (await (await fetch('/test/browser/embed/node-reference.json')).json()) as {
      vectors: number[][];
    };
    expect(maxDifference(vector!, reference.vectors[0]!)).toBeLessThan(1e-4);
    local.dispose();
  });

  it('names the missing file in a ModelLoadError', async () => {
    const missing = embedder({ model: 'nobody/no-such-model', cacheName: false });
    const error = await missing.embed('x').catch((caught: unknown) => caught);
    expect(ModelLoadError.isInstance(error)).toBe(true);
    expect(['config.json', 'tokenizer.json']).toContain((error as ModelLoadError).data.file);
  });

  it('runs embed() on a 2-thread query worker once it has loaded, with the pool vectors', async () => {
    expect(crossOriginIsolated).toBe(true);
    const local = embedder({ queryThreads: 2, cache: false });
    const texts = referenceTexts.slice(0, 4);
    const pooled = await local.embedMany(texts);
    // Queries run on the pool until the query worker (started after the first worker) is ready;
    // warmUp() waits for it and the pool's other worker.
    await local.warmUp();
    expect(local.queryThreads).toBe(2);
    for (const [index, text] of texts.entries()) {
      expect(maxDifference(await local.embed(text), pooled[index]!)).toBeLessThan(1e-5);
    }
    local.dispose();
    expect(local.queryThreads).toBe(1);
    const single = embedder({ queryThreads: 1, workers: 1 });
    await single.embed('x');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(single.queryThreads).toBe(1);
    single.dispose();
  });

  it('tries WebGPU only when asked and falls back to WASM with a reason when it is unavailable', async () => {
    const local = embedder({ backend: 'webgpu', workers: 1 });
    const vector = await local.embed('A man is playing a guitar.');
    expect(vector.length).toBe(384);
    expect(local.backend).toBe('wasm');
    expect(local.fallbackReason).toMatch(/WebGPU/);
    local.dispose();
  });
});
