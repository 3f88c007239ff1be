import { WorkerCrashedError } from '../errors/index.js';
import {
  browserWorkerHandle,
  Comlink,
  inProcessWorkerHandle,
  type WorkerHandle,
  wrapCore,
} from '../worker/index.js';
import type { VectorFilter } from './filter-types.js';
import type { LoadReport } from './loaded-index.js';
import type { CreateIndexParams, IndexStats, QueryResult, UpsertParams, VectorStore } from './types.js';
import { packVectors } from './validate.js';
import {
  type PackedUpsert,
  type QueryOptions,
  type QueryStats,
  VectorCore,
  type VectorCoreOptions,
  type VectorSettings,
} from './vector-core.js';

/** One worker as `BrowserVector` sees it: an endpoint, a way to end it, and a crash signal. */
export type VectorWorkerHandle = WorkerHandle;

/** Creates a worker running `VectorCore` (`workers/vector.worker.ts` or an equivalent). */
export type VectorWorkerFactory = () => VectorWorkerHandle;

/** Wraps a browser `Worker` running the vector core. */
export function vectorWorkerHandle(worker: Worker): VectorWorkerHandle {
  return browserWorkerHandle(worker, 'the vector worker');
}

/** The default in browsers: a module worker built from `workers/vector.worker.ts`. */
export function moduleVectorWorker(): VectorWorkerHandle {
  return vectorWorkerHandle(
    new Worker(new URL('../../workers/vector.worker.ts', import.meta.url), {
      type: 'module',
      name: 'lumos-vector',
    }),
  );
}

/**
 * Runs the core on this thread over a `MessageChannel`: the default where `Worker` does not
 * exist (Node), and what tests use. Same protocol as a real worker, without parallelism.
 */
export function inProcessVectorWorker(options: VectorCoreOptions = {}): VectorWorkerFactory {
  return () => {
    const core = new VectorCore(options);
    return inProcessWorkerHandle(core, () => core.close());
  };
}

export interface BrowserVectorOptions extends VectorSettings {
  /** @default a module worker where `Worker` exists, else {@link inProcessVectorWorker} */
  worker?: VectorWorkerFactory;
}

/**
 * The vector store for apps: WASM HNSW in a worker, persisted in IndexedDB, shared across tabs.
 *
 * ```ts
 * const vectors = new BrowserVector();
 * await vectors.createIndex({ indexName: 'docs', dimension: 384 });
 * await vectors.upsert({ indexName: 'docs', vectors: embeddings, metadata });
 * const hits = await vectors.query({ indexName: 'docs', queryVector, topK: 5, filter: { source: 'a.md' } });
 * ```
 */
export class BrowserVector implements VectorStore {
  /** How the most recent `query` was answered. */
  lastQueryStats: QueryStats | undefined;
  private readonly handle: VectorWorkerHandle;
  private readonly remote: Comlink.Remote<VectorCore>;
  private readonly ready: Promise<void>;
  private readonly crashed: Promise<never>;

  constructor(options: BrowserVectorOptions = {}) {
    const { worker, ...settings } = options;
    const factory = worker ?? (typeof Worker === 'undefined' ? inProcessVectorWorker() : moduleVectorWorker);
    this.handle = factory();
    this.crashed = new Promise<never>((_, reject) => {
      this.handle.onCrash((reason) =>
        reject(
          new WorkerCrashedError(`The vector worker stopped: ${reason}.`, {
            hint: 'Create a new BrowserVector.',
          }),
        ),
      );
    });
    this.crashed.catch(() => undefined);
    this.remote = wrapCore<VectorCore>(this.handle.endpoint);
    this.ready = this.call(() => this.remote.configure(settings));
  }

  private call<T>(task: () => Promise<T>): Promise<T> {
    return Promise.race([task(), this.crashed]);
  }

  private async run<T>(task: () => Promise<T>): Promise<T> {
    await this.ready;
    return this.call(task);
  }

  createIndex(params: CreateIndexParams): Promise<void> {
    return this.run(() => this.remote.createIndex(params));
  }

  /** Packs the vectors into one buffer and transfers it to the worker (no per-vector cloning). */
  async upsert(params: UpsertParams): Promise<string[]> {
    const { packed, length } = packVectors(params.vectors);
    const message: PackedUpsert = { indexName: params.indexName, vectors: packed, length };
    if (params.ids !== undefined) message.ids = params.ids;
    if (params.metadata !== undefined) message.metadata = params.metadata;
    return this.run(() => this.remote.upsertPacked(Comlink.transfer(message, [packed.buffer])));
  }

  async query(params: QueryOptions): Promise<QueryResult[]> {
    return (await this.queryWithStats(params)).results;
  }

  /** `query` plus how it was answered: `{ strategy: 'hnsw' | 'exact', visited, ef, candidates, ms }`. */
  async queryWithStats(params: QueryOptions): Promise<{ results: QueryResult[]; stats: QueryStats }> {
    const queryVector = Float32Array.from(params.queryVector as ArrayLike<number>);
    const answer = await this.run(() =>
      this.remote.queryWithStats(Comlink.transfer({ ...params, queryVector }, [queryVector.buffer])),
    );
    this.lastQueryStats = answer.stats;
    return answer;
  }

  updateVector(params: {
    indexName: string;
    id: string;
    update: { vector?: ArrayLike<number>; metadata?: Record<string, unknown> };
  }): Promise<void> {
    const { vector, metadata } = params.update;
    const update: { vector?: Float32Array; metadata?: Record<string, unknown> } = {};
    if (vector !== undefined) update.vector = Float32Array.from(vector);
    if (metadata !== undefined) update.metadata = metadata;
    return this.run(() => this.remote.updateVector({ ...params, update }));
  }

  deleteVector(params: { indexName: string; id: string }): Promise<void> {
    return this.run(() => this.remote.deleteVector(params));
  }

  deleteVectors(params: { indexName: string; ids?: string[]; filter?: VectorFilter }): Promise<void> {
    return this.run(() => this.remote.deleteVectors(params));
  }

  describeIndex(params: { indexName: string }): Promise<IndexStats> {
    return this.run(() => this.remote.describeIndex(params));
  }

  listIndexes(): Promise<string[]> {
    return this.run(() => this.remote.listIndexes());
  }

  deleteIndex(params: { indexName: string }): Promise<void> {
    return this.run(() => this.remote.deleteIndex(params));
  }

  /** Persists graph snapshots that lag behind (call before the page goes away for a fast reload). */
  flush(): Promise<void> {
    return this.run(() => this.remote.flush());
  }

  /** Rebuilds an index without tombstones. */
  compact(params: { indexName: string }): Promise<void> {
    return this.run(() => this.remote.compact(params));
  }

  /** How the worker loaded `indexName` from storage (graph reused, relinked or rebuilt). */
  loadReport(params: { indexName: string }): Promise<LoadReport | undefined> {
    return this.run(() => this.remote.loadReport(params));
  }

  /** Closes storage and ends the worker. */
  async close(): Promise<void> {
    try {
      await this.run(() => this.remote.close());
    } finally {
      this.remote[Comlink.releaseProxy]();
      this.handle.terminate();
    }
  }
}
