import { describe, expect, it } from 'vitest';
import { AbortedError, InvalidArgumentError, ModelLoadError, WorkerCrashedError } from '../errors/index.js';
import { exposeCore } from '../worker/index.js';
import { createEmbedCore } from './core.js';
import {
  EmbeddingCache,
  type EmbedProgress,
  inProcessWorkerFactory,
  LocalEmbedder,
  type LocalEmbedderOptions,
} from './index.js';
import { folderFetch } from './test-fetch.js';
import type { EmbedWorkerFactory } from './worker-handle.js';

const fixture = new URL('../../test/fixtures/tiny-bert/', import.meta.url).pathname;

function tiny(options: Partial<LocalEmbedderOptions> = {}): LocalEmbedder {
  return new LocalEmbedder({
    model: 'lumos/tiny-bert',
    baseUrl: 'http://fixture.test/',
    modelFile: 'onnx/model.onnx',
    fetch: folderFetch(fixture),
    workers: 2,
    ...options,
  });
}

const norm = (vector: Float32Array) => Math.hypot(...vector);
const maxDifference = (a: Float32Array, b: Float32Array) =>
  Math.max(...a.map((value, index) => Math.abs(value - b[index]!)));

/** In-process workers whose `embedBatch` calls are counted. */
function countingFactory(): { factory: EmbedWorkerFactory; texts: string[][] } {
  const texts: string[][] = [];
  const factory: EmbedWorkerFactory = () => {
    const channel = new MessageChannel();
    const core = createEmbedCore();
    exposeCore(
      {
        ...core,
        embedBatch: (batch: string[]) => {
          texts.push(batch);
          return core.embedBatch(batch);
        },
      },
      channel.port1,
    );
    return { endpoint: channel.port2, terminate: () => channel.port1.close(), onCrash: () => {} };
  };
  return { factory, texts };
}

describe('LocalEmbedder with the tiny synthetic BERT', () => {
  it('returns normalised vectors of the model dimension, the same for the same text', async () => {
    const embedder = tiny({ cache: false });
    const [a, b, again] = await embedder.embedMany([
      'the cat sat on the road',
      'a dog in the city',
      'the cat sat on the road',
    ]);
    expect(embedder.dimension).toBe(32);
    expect(embedder.backend).toBe('wasm');
    for (const vector of [a!, b!, again!]) {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector.length).toBe(32);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
    expect(maxDifference(a!, again!)).toBe(0);
    expect(maxDifference(a!, b!)).toBeGreaterThan(0.01);
    embedder.dispose();
  });

  it('gives exactly the same vector alone as inside a batch (a call holds one token length, nothing is padded)', async () => {
    const embedder = tiny({ cache: false, maxBatchSize: 4, chunkSize: 3 });
    const texts = [
      'a',
      'the browser worker runs a model',
      'sun',
      'memory and vector search in the browser',
      'no',
      'yes it is',
    ];
    const together = await embedder.embedMany(texts);
    for (const [index, text] of texts.entries()) {
      expect(maxDifference(await embedder.embed(text), together[index]!)).toBe(0);
    }
    embedder.dispose();
  });

  it('spreads a small call over the workers instead of queueing it on one', async () => {
    const { factory, texts } = countingFactory();
    const embedder = tiny({ workerFactory: factory, cache: false, workers: 2 });
    await embedder.embedMany(['a cat', 'a dog in the park']);
    expect(texts.map((batch) => batch.length)).toEqual([1, 1]);
    texts.length = 0;
    await embedder.embedMany(Array.from({ length: 10 }, (_, index) => `text number ${index}`));
    expect(texts.map((batch) => batch.length)).toEqual([5, 5]);
    texts.length = 0;
    await embedder.embed('one query');
    expect(texts).toEqual([['one query']]);
    embedder.dispose();
  });

  it('embeds repeated texts once (content-hash cache, also within one call)', async () => {
    const { factory, texts } = countingFactory();
    const cache = new EmbeddingCache();
    const embedder = tiny({ workerFactory: factory, cache, workers: 1 });
    const first = await embedder.embedMany(['cat', 'dog', 'cat']);
    expect(texts.flat().sort()).toEqual(['cat', 'dog']);
    expect(first[0]).toBe(first[2]);
    const second = await embedder.embedMany(['dog', 'bird']);
    expect(texts.flat().sort()).toEqual(['bird', 'cat', 'dog']);
    expect(second[0]).toEqual(first[1]);
    expect(cache.size).toBe(3);
    embedder.dispose();
  });

  it('truncates long texts to the model maximum, keeping the head', async () => {
    const embedder = tiny({ cache: false });
    const head = 'the cat and the dog '.repeat(20);
    const [long, otherTail] = await embedder.embedMany([
      head + 'sea '.repeat(25_000),
      `${head}${'rain '.repeat(20_000)}`,
    ]);
    expect(long!.length).toBe(32);
    expect(maxDifference(long!, otherTail!)).toBeLessThan(1e-6);
    embedder.dispose();
  });

  it('handles empty, huge, binary, unpaired-surrogate and mixed-script input without crashing', async () => {
    const embedder = tiny({ cache: false });
    const garbage = String.fromCharCode(
      ...Array.from({ length: 4000 }, (_, index) => (index * 7919) % 65536),
    );
    const inputs = [
      '',
      ' ',
      'x'.repeat(100_000),
      garbage,
      '\uD800 lone \uDFFF surrogates \uD83D',
      'Ünïcödé 日本語 русский 🙂🚀 عربى',
      '\u0000\u0001\u0002',
    ];
    const vectors = await embedder.embedMany(inputs);
    expect(vectors).toHaveLength(inputs.length);
    for (const vector of vectors) {
      expect(vector.length).toBe(32);
      expect(vector.every(Number.isFinite)).toBe(true);
    }
    await expect(embedder.embedMany([42 as unknown as string])).rejects.toSatisfy(
      InvalidArgumentError.isInstance,
    );
    await expect(embedder.embedMany('text' as unknown as string[])).rejects.toSatisfy(
      InvalidArgumentError.isInstance,
    );
    embedder.dispose();
  });

  it('reports download, load and batch progress', async () => {
    const events: EmbedProgress[] = [];
    const embedder = tiny({ chunkSize: 2 });
    await embedder.embedMany(['a', 'b', 'c', 'd', 'e'], { onProgress: (event) => events.push(event) });
    const downloads = events.filter((event) => event.stage === 'download');
    expect(downloads.some((event) => event.file === 'onnx/model.onnx' && event.loaded === event.total)).toBe(
      true,
    );
    expect(events.filter((event) => event.stage === 'load')).toEqual([
      { stage: 'load', modelId: 'lumos/tiny-bert' },
    ]);
    const batches = events.filter((event) => event.stage === 'embed');
    expect(batches.at(-1)).toEqual({ stage: 'embed', done: 5, total: 5 });
    expect(batches.length).toBe(4);
    embedder.dispose();
  });

  it('stops on an aborted signal with AbortedError', async () => {
    const embedder = tiny({ cache: false, chunkSize: 1, workers: 1 });
    await expect(embedder.embedMany(['a'], { signal: AbortSignal.abort() })).rejects.toSatisfy(
      AbortedError.isInstance,
    );
    const controller = new AbortController();
    const texts = Array.from({ length: 40 }, (_, index) => `text number ${index}`);
    const running = embedder.embedMany(texts, {
      signal: controller.signal,
      onProgress: (event) => event.stage === 'embed' && event.done >= 2 && controller.abort(),
    });
    await expect(running).rejects.toSatisfy(AbortedError.isInstance);
    expect(await embedder.embed('still works')).toHaveLength(32);
    embedder.dispose();
  });

  it('throws ModelLoadError naming a missing or corrupt model file', async () => {
    const missing = tiny({ fetch: folderFetch(fixture, { 'onnx/model.onnx': null }) });
    const error = await missing.embed('x').catch((caught: unknown) => caught);
    expect(ModelLoadError.isInstance(error)).toBe(true);
    expect((error as ModelLoadError).data.file).toBe('onnx/model.onnx');
    expect((error as Error).message).toContain('onnx/model.onnx');

    const corrupt = tiny({
      fetch: folderFetch(fixture, { 'onnx/model.onnx': new Uint8Array(5000).fill(7) }),
    });
    const corruptError = await corrupt.embed('x').catch((caught: unknown) => caught);
    expect(ModelLoadError.isInstance(corruptError)).toBe(true);
    expect((corruptError as ModelLoadError).data.file).toBe('onnx/model.onnx');

    const badJson = tiny({ fetch: folderFetch(fixture, { 'tokenizer.json': '{ not json' }) });
    const jsonError = await badJson.embed('x').catch((caught: unknown) => caught);
    expect((jsonError as ModelLoadError).data.file).toBe('tokenizer.json');
  });

  it('takes pooling from 1_Pooling/config.json: CLS pooling with no code change', async () => {
    const mean = tiny({ cache: false });
    const clsConfig = JSON.stringify({
      word_embedding_dimension: 32,
      pooling_mode_cls_token: true,
      pooling_mode_mean_tokens: false,
    });
    const cls = tiny({ cache: false, fetch: folderFetch(fixture, { '1_Pooling/config.json': clsConfig }) });
    const clsByOption = tiny({ cache: false, pooling: { mode: 'cls' } });
    const text = 'vector search in the browser';
    const [meanVector, clsVector, optionVector] = await Promise.all([
      mean.embed(text),
      cls.embed(text),
      clsByOption.embed(text),
    ]);
    expect(maxDifference(clsVector, optionVector)).toBe(0);
    expect(maxDifference(clsVector, meanVector)).toBeGreaterThan(0.01);
    const raw = tiny({ cache: false, pooling: { normalize: false } });
    expect(Math.abs(norm(await raw.embed(text)) - 1)).toBeGreaterThan(0.01);
    for (const embedder of [mean, cls, clsByOption, raw]) embedder.dispose();
  });

  it('replaces a worker that dies mid-batch and retries the batch', async () => {
    let created = 0;
    const healthy = inProcessWorkerFactory();
    const factory: EmbedWorkerFactory = () => {
      created++;
      if (created !== 1) return healthy();
      // The first worker loads fine, then dies during its first batch.
      const channel = new MessageChannel();
      const core = createEmbedCore();
      let crash = (_reason: string) => {};
      exposeCore(
        {
          ...core,
          embedBatch: () => {
            setTimeout(() => crash('simulated out-of-memory'), 5);
            return new Promise(() => {});
          },
        },
        channel.port1,
      );
      return {
        endpoint: channel.port2,
        terminate: () => channel.port1.close(),
        onCrash: (listener) => (crash = listener),
      };
    };
    const embedder = tiny({ workerFactory: factory, workers: 1, cache: false });
    const reference = tiny({ cache: false, workers: 1 });
    const [vector] = await embedder.embedMany(['the dog']);
    expect(embedder.workerReplacements).toBe(1);
    expect(maxDifference(vector!, await reference.embed('the dog'))).toBe(0);
    embedder.dispose();
    reference.dispose();
  });

  it('replaces a hung worker after batchTimeoutMs and gives up after maxRetries', async () => {
    const hanging: EmbedWorkerFactory = () => {
      const channel = new MessageChannel();
      const core = createEmbedCore();
      exposeCore({ ...core, embedBatch: () => new Promise(() => {}) }, channel.port1);
      return { endpoint: channel.port2, terminate: () => channel.port1.close(), onCrash: () => {} };
    };
    const embedder = tiny({
      workerFactory: hanging,
      workers: 1,
      batchTimeoutMs: 300,
      maxRetries: 1,
      cache: false,
    });
    const error = await embedder.embed('x').catch((caught: unknown) => caught);
    expect(WorkerCrashedError.isInstance(error)).toBe(true);
    expect(embedder.workerReplacements).toBe(2);
    embedder.dispose();
  });

  it('gives the same vectors on onnxruntime-node as on onnxruntime-web (within 1e-4)', async () => {
    const native = await import('onnxruntime-node');
    const web = tiny({ cache: false });
    const node = tiny({ cache: false, workers: 1, core: { runtime: async () => native as never } });
    const texts = ['the cat', 'memory agent tool and model code', ''];
    const [webVectors, nodeVectors] = await Promise.all([web.embedMany(texts), node.embedMany(texts)]);
    for (const [index, vector] of webVectors.entries())
      expect(maxDifference(vector, nodeVectors[index]!)).toBeLessThan(1e-4);
    web.dispose();
    node.dispose();
  });
});
