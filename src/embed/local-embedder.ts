import { AbortedError, InvalidArgumentError } from '../errors/index.js';
import { EmbeddingCache } from './cache.js';
import type {
  CoreLoadRequest,
  CoreLoadResult,
  CoreLoadTimings,
  EmbedBackend,
  EmbedCoreOptions,
} from './core.js';
import { loadModelFiles, type ModelSourceOptions } from './model-files.js';
import type { Embedder, EmbedManyOptions, EmbedProgress } from './types.js';
import { type EmbedWorkerFactory, inProcessWorkerFactory, moduleWorkerFactory } from './worker-handle.js';
import { WorkerPool } from './worker-pool.js';

/** Options of `LocalEmbedder`: where the model comes from and how it runs. */
export interface LocalEmbedderOptions extends ModelSourceOptions {
  /**
   * Number of workers.
   * @default `navigator.hardwareConcurrency - 1`, at least 1 and at most 4
   */
  workers?: number;
  /**
   * WASM threads per worker (used only when the page is cross-origin isolated).
   * @default 1
   */
  threadsPerWorker?: number;
  /**
   * WASM threads of a dedicated query worker that `embed()` (one text: a search query) runs on,
   * so a query neither waits behind `embedMany` batches nor runs on a single thread. Inference
   * time grows with the query's length; two threads cut a 35-token query from ~30 to ~17 ms on an
   * otherwise idle 2-core machine, but on 2 cores they also fight everything else for both cores
   * (a busy moment makes the split query slower than one thread, and slows the page's other
   * work), so the default turns it on only from 4 cores. The worker holds its own copy of the
   * model (≈ 25 MB for MiniLM int8) and starts in the background once the first pool worker has
   * loaded (`warmUp()` waits for it); until then, and whenever the page is not cross-origin
   * isolated (no WASM threads) or the backend is WebGPU, queries run on the pool. `1` turns the
   * dedicated worker off.
   * @default 2 with at least 4 cores (`navigator.hardwareConcurrency`) when cross-origin isolated, else 1
   */
  queryThreads?: number;
  /**
   * Creates a worker running the core.
   * @default a module worker from `workers/embed.worker.ts`; in Node the core on this thread
   */
  workerFactory?: EmbedWorkerFactory;
  /** Runtime choice for the in-process default in Node (e.g. inject `onnxruntime-node`). */
  core?: EmbedCoreOptions;
  /**
   * `webgpu` is tried only when asked for, and kept only if it matches WASM on a probe batch.
   * @default 'wasm'
   */
  backend?: EmbedBackend;
  /** Where ORT's `.wasm`/`.mjs` files live (same origin). @default next to ORT's own module */
  wasmPaths?: string | { wasm?: string; mjs?: string };
  /**
   * ORT graph optimisation level at session creation.
   * @default 'all'
   */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Most texts per worker call. Inputs are sorted by length first so each call holds similar
   * lengths, and a call's texts are spread evenly over the workers (a 2-text call on 2 workers
   * runs one text on each) so a small batch does not leave workers idle.
   * @default 64
   */
  chunkSize?: number;
  /**
   * Largest batch × token length per inference call inside a worker (a call holds texts of one
   * token length, so nothing is padded).
   * @default 8192
   */
  maxBatchTokens?: number;
  /**
   * Largest number of texts per inference call inside a worker.
   * @default 32
   */
  maxBatchSize?: number;
  /**
   * Content-hash cache of vectors; `false` turns it off.
   * @default a new in-memory `EmbeddingCache`
   */
  cache?: EmbeddingCache | false;
  /**
   * A worker call that takes longer is treated as a hung worker (replaced, batch retried).
   * @default 120000
   */
  batchTimeoutMs?: number;
  /**
   * Retries of a batch on fresh workers after a crash.
   * @default 2
   */
  maxRetries?: number;
}

/**
 * Embeds text on the user's device: an ONNX sentence-embedding model in a pool of workers, with
 * length-bucketed batching, truncation to the model's maximum length, a content-hash cache,
 * cancellation and progress events. Vectors are L2-normalised unless the options say otherwise.
 *
 * @example
 * const embedder = new LocalEmbedder({ model: 'Xenova/all-MiniLM-L6-v2' });
 * const [a, b] = await embedder.embedMany(['a cat', 'a kitten'], { onProgress: console.log });
 */
export class LocalEmbedder implements Embedder {
  readonly modelId: string;
  readonly #options: LocalEmbedderOptions;
  readonly #cache: EmbeddingCache | undefined;
  #pool: WorkerPool | undefined;
  /** The dedicated query worker, once it has the model (see `queryThreads`). */
  #queryPool: WorkerPool | undefined;
  /** Settles when the query worker has loaded, or failed to (then queries stay on the pool). */
  #queryStarted: Promise<void> = Promise.resolve();
  #ready: Promise<CoreLoadResult> | undefined;
  #loaded: CoreLoadResult | undefined;

  constructor(options: LocalEmbedderOptions) {
    if (!options?.model)
      throw new InvalidArgumentError('LocalEmbedder needs a model id.', {
        hint: "e.g. { model: 'Xenova/all-MiniLM-L6-v2' }",
      });
    this.modelId = options.model;
    this.#options = options;
    this.#cache = options.cache === false ? undefined : (options.cache ?? new EmbeddingCache());
  }

  /** Output dimension; 0 until the model is loaded. */
  get dimension(): number {
    return this.#loaded?.dimension ?? 0;
  }

  /** The backend in use once loaded (`webgpu` only after it passed the WASM comparison). */
  get backend(): EmbedBackend | undefined {
    return this.#loaded?.backend;
  }

  /** Why a requested `webgpu` backend is not in use, when it is not. */
  get fallbackReason(): string | undefined {
    return this.#loaded?.fallbackReason;
  }

  /** Where the first worker's load time went (ORT start, session creation, first inference). */
  get loadTimings(): CoreLoadTimings | undefined {
    return this.#loaded?.timings;
  }

  /** Workers replaced after crashes since start. */
  get workerReplacements(): number {
    return (this.#pool?.replacements ?? 0) + (this.#queryPool?.replacements ?? 0);
  }

  /** WASM threads `embed()` runs on now: the query worker's once it is loaded, else 1 (the pool). */
  get queryThreads(): number {
    return this.#queryPool === undefined ? 1 : this.#queryThreadCount();
  }

  /** Downloads the model (or reads it from the cache) and loads it into every worker. */
  async ready(options: EmbedManyOptions = {}): Promise<void> {
    this.#ready ??= this.#start(options);
    try {
      this.#loaded = await this.#ready;
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /**
   * Like `ready()`, and also waits until the other workers, which load in the background after
   * the first, have the model: the query worker (`queryThreads`) and the rest of the pool. Until
   * then they compete with the first one for CPU, so await this before latency matters (e.g. at
   * startup, while the user has not asked anything yet).
   */
  async warmUp(options: EmbedManyOptions = {}): Promise<void> {
    await this.ready(options);
    await Promise.all([this.#pool?.allLoaded(), this.#queryStarted]);
  }

  /**
   * Embeds one text on the low-latency path: on the dedicated multi-threaded query worker when
   * there is one (`queryThreads`), else on the next free pool worker ahead of any queued
   * `embedMany` batches (it still waits for a batch already running there); as a batch of one,
   * so nothing is padded.
   */
  async embed(text: string, options: EmbedManyOptions = {}): Promise<Float32Array> {
    const [vector] = await this.#embedTexts([text], options, true);
    return vector!;
  }

  async embedMany(texts: string[], options: EmbedManyOptions = {}): Promise<Float32Array[]> {
    return this.#embedTexts(texts, options, false);
  }

  async #embedTexts(texts: string[], options: EmbedManyOptions, urgent: boolean): Promise<Float32Array[]> {
    if (!Array.isArray(texts) || texts.some((text) => typeof text !== 'string')) {
      throw new InvalidArgumentError('embedMany expects an array of strings.', {
        hint: 'Convert values with String() first.',
      });
    }
    const { signal, onProgress } = options;
    throwIfAborted(signal);
    await this.ready(options);
    throwIfAborted(signal);
    const results: (Float32Array | undefined)[] = new Array(texts.length);
    const keys = this.#cache ? await this.#cache.keys(this.modelId, texts) : texts;
    const cached = this.#cache ? await this.#cache.get(keys) : [];
    const pending = new Map<string, number[]>();
    texts.forEach((_, index) => {
      if (cached[index]) results[index] = cached[index];
      else pending.set(keys[index]!, [...(pending.get(keys[index]!) ?? []), index]);
    });
    const unique = [...pending.values()].sort((a, b) => texts[a[0]!]!.length - texts[b[0]!]!.length);
    let done = texts.length - [...pending.values()].reduce((sum, indexes) => sum + indexes.length, 0);
    onProgress?.({ stage: 'embed', done, total: texts.length });
    const workers = Math.max(1, this.#pool!.options.size);
    const chunkSize = Math.min(
      Math.max(1, this.#options.chunkSize ?? 64),
      Math.max(1, Math.ceil(unique.length / workers)),
    );
    const chunks: number[][][] = [];
    for (let start = 0; start < unique.length; start += chunkSize)
      chunks.push(unique.slice(start, start + chunkSize));

    const aborted = abortPromise(signal);
    await Promise.race([
      aborted.promise,
      Promise.all(
        chunks.map(async (chunk) => {
          const pool = (urgent && this.#queryPool) || this.#pool!;
          const packed = await pool.embed(
            chunk.map((indexes) => texts[indexes[0]!]!),
            { urgent },
          );
          if (signal?.aborted) return;
          const width = packed.length / chunk.length;
          const entries: [string, Float32Array][] = [];
          chunk.forEach((indexes, position) => {
            const vector = packed.slice(position * width, (position + 1) * width);
            entries.push([keys[indexes[0]!]!, vector]);
            for (const index of indexes) results[index] = vector;
            done += indexes.length;
          });
          await this.#cache?.set(entries);
          onProgress?.({ stage: 'embed', done, total: texts.length });
        }),
      ),
    ]).finally(aborted.dispose);
    return results as Float32Array[];
  }

  /** Terminates the workers; the next call starts them again. */
  dispose(): void {
    this.#pool?.terminate();
    this.#pool = undefined;
    this.#queryPool?.terminate();
    this.#queryPool = undefined;
    this.#ready = undefined;
    this.#loaded = undefined;
  }

  async #start(options: EmbedManyOptions): Promise<CoreLoadResult> {
    const progress = options.onProgress;
    const request = loadModelFiles(this.#options, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(progress ? { onProgress: progress } : {}),
    }).then(
      (files): CoreLoadRequest => ({
        ...files,
        backend: this.#options.backend ?? 'wasm',
        threads: this.#options.threadsPerWorker ?? 1,
        maxBatchTokens: this.#options.maxBatchTokens ?? 8192,
        maxBatchSize: this.#options.maxBatchSize ?? 32,
        ...(this.#options.wasmPaths !== undefined ? { wasmPaths: this.#options.wasmPaths } : {}),
        ...(this.#options.graphOptimizationLevel
          ? { graphOptimizationLevel: this.#options.graphOptimizationLevel }
          : {}),
      }),
    );
    request.catch(() => {});
    const pool = (size: number) =>
      new WorkerPool({
        size,
        factory: this.#options.workerFactory ?? defaultFactory(this.#options.core),
        batchTimeoutMs: this.#options.batchTimeoutMs ?? 120_000,
        maxRetries: this.#options.maxRetries ?? 2,
      });
    this.#pool = pool(this.#options.workers ?? defaultWorkers());
    const result = await this.#pool.start(request);
    progress?.({ stage: 'load', modelId: this.modelId } satisfies EmbedProgress);
    const threads = this.#queryThreadCount();
    if (result.backend === 'wasm' && threads > 1 && crossOriginIsolated()) {
      // Started after the first worker, like the pool's others, so it never delays the first vector.
      const queryPool = pool(1);
      const owner = this.#pool;
      this.#queryStarted = queryPool.start(request.then((loaded) => ({ ...loaded, threads }))).then(
        () => {
          if (this.#pool === owner) this.#queryPool = queryPool;
          else queryPool.terminate();
        },
        // Queries keep running on the pool; the pool reports its own load failures.
        () => queryPool.terminate(),
      );
    }
    return result;
  }

  #queryThreadCount(): number {
    const requested = this.#options.queryThreads ?? (hardwareConcurrency() >= 4 ? 2 : 1);
    return Math.max(1, Math.floor(requested));
  }
}

function hardwareConcurrency(): number {
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2;
}

function defaultWorkers(): number {
  return Math.min(4, Math.max(1, hardwareConcurrency() - 1));
}

/** WASM threads need SharedArrayBuffer, which only a cross-origin isolated page has. */
function crossOriginIsolated(): boolean {
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

function defaultFactory(core: EmbedCoreOptions | undefined): EmbedWorkerFactory {
  // Node may have a `Worker` global (from polyfills) that is not a web worker: use the core in-process there.
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  return typeof Worker === 'function' && !isNode ? moduleWorkerFactory : inProcessWorkerFactory(core);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError('Embedding was aborted.', { cause: signal.reason });
}

function abortPromise(signal: AbortSignal | undefined): { promise: Promise<never>; dispose: () => void } {
  if (!signal) return { promise: new Promise<never>(() => {}), dispose: () => {} };
  let listener = () => {};
  const promise = new Promise<never>((_, reject) => {
    listener = () => reject(new AbortedError('Embedding was aborted.', { cause: signal.reason }));
    signal.addEventListener('abort', listener, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', listener) };
}
