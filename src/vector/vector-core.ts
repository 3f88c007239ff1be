import { ConflictError, InvalidArgumentError, NotFoundError } from '../errors/index.js';
import { EncryptedVectorPersistence } from '../security/encrypted-vector-persistence.js';
import { createCipher } from '../security/encryption.js';
import { compileFilter } from './filter.js';
import type { VectorFilter } from './filter-types.js';
import { HnswIndex } from './hnsw-index.js';
import { IdbVectorPersistence } from './idb-persistence.js';
import { defaultShardSize, LoadedIndex, type LoadReport, StreamingRestore } from './loaded-index.js';
import { defaultLocks, type LockProvider, localLocks } from './locks.js';
import type { IndexCommit, VectorPersistence } from './persistence.js';
import type {
  CreateIndexParams,
  IndexStats,
  QueryParams,
  QueryResult,
  UpsertParams,
  VectorStore,
} from './types.js';
import {
  checkDimension,
  checkFinite,
  checkIds,
  checkIndexName,
  checkMetadata,
  checkMetadataObject,
  checkMetric,
  checkNonZero,
  checkTopK,
  packVectors,
} from './validate.js';
import { compileHnswModule, type HnswWasmSource } from './wasm-module.js';

/** Tuning and storage settings; all structured-cloneable so they can cross into the worker. */
export interface VectorSettings {
  /** IndexedDB database of the default persistence. @default 'lumos-vectors' */
  databaseName?: string;
  /** Persist to IndexedDB. @default true where `indexedDB` exists */
  persist?: boolean;
  /** HNSW links per node. @default 16 */
  m?: number;
  /** HNSW build candidate list. @default 160 (200 for dotproduct), see `HnswParams.efConstruction` */
  efConstruction?: number;
  /** HNSW search candidate list (raised to `topK` when smaller; doubled for dotproduct). @default 64 */
  efSearch?: number;
  /** Indexes with at most this many live vectors are scanned exactly. @default 4096 */
  exactThreshold?: number;
  /** Filters matching at most this fraction of the live vectors are scanned exactly. @default 0.1 */
  selectiveFilterFraction?: number;
  /**
   * Nodes per stored shard of a new index (an existing one keeps its own). An upsert rewrites
   * the shards it touches. @default 512
   */
  shardSize?: number;
  /** Largest accepted `topK`. @default 10000 */
  maxTopK?: number;
  /**
   * Write a graph snapshot once this many nodes (or a 64th of the index, if fewer) are not
   * covered by the stored one; a load relinks the uncovered ones. `flush()` writes one now.
   * @default 1024
   */
  graphSnapshotNodes?: number;
  /** Where the WASM comes from (URL string). @default the packaged `wasm/build/hnsw.wasm` */
  wasmUrl?: string;
  /**
   * AES-GCM key (e.g. from `deriveKey`; structured-cloneable, stays non-extractable): shards
   * and graphs are encrypted at rest with it. @default none (stored in the clear)
   */
  encryptionKey?: CryptoKey;
}

/** Everything `VectorCore` accepts: settings plus injected I/O. */
export interface VectorCoreOptions extends VectorSettings {
  /** @default `IdbVectorPersistence` when `persist` is on, else none */
  persistence?: VectorPersistence;
  /** @default `navigator.locks`, or an in-process lock */
  locks?: LockProvider;
  /** Channel to tell other tabs about commits. @default a `BroadcastChannel` when available */
  channel?: (name: string) => BroadcastChannel | undefined;
  /** @default the packaged module */
  wasm?: HnswWasmSource;
  /** @default performance.now */
  now?: () => number;
}

/** How a query was answered. */
export interface QueryStats {
  strategy: 'hnsw' | 'exact';
  /** Distance evaluations. */
  visited: number;
  /** Search list size used by the graph search (0 for exact). */
  ef: number;
  /** Vectors matching the filter (the live count without one). */
  candidates: number;
  ms: number;
}

/** Extra query knobs beyond `QueryParams`. */
export interface QueryOptions extends QueryParams {
  /** HNSW search list size for this query. @default `efSearch` */
  ef?: number;
  /** Force a strategy instead of the automatic choice. */
  strategy?: 'hnsw' | 'exact';
}

/** An upsert whose vectors are already packed (what crosses the worker boundary). */
export interface PackedUpsert {
  indexName: string;
  vectors: Float32Array;
  /** Floats per vector in `vectors`. */
  length: number;
  ids?: string[];
  metadata?: Record<string, unknown>[];
}

interface CommitMessage {
  type: 'commit';
  index: string;
  generation: number;
}

const defaults = {
  m: 16,
  efSearch: 64,
  exactThreshold: 4096,
  selectiveFilterFraction: 0.1,
  shardSize: defaultShardSize,
  maxTopK: 10_000,
  graphSnapshotNodes: 1024,
};

function randomId(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * The vector store engine: WASM HNSW indexes, metadata, filters, persistence and cross-tab
 * sync. Runs in a worker behind `BrowserVector`, or directly (Node, tests).
 */
export class VectorCore implements VectorStore {
  private options: VectorCoreOptions & typeof defaults;
  private persistence: VectorPersistence | undefined;
  private locks: LockProvider;
  private readonly queue = localLocks();
  private channel: BroadcastChannel | undefined;
  private module: Promise<WebAssembly.Module> | undefined;
  private readonly indexes = new Map<string, LoadedIndex>();
  private readonly loads = new Map<string, LoadReport>();
  /** Stats of the most recent query. */
  lastQueryStats: QueryStats | undefined;

  constructor(options: VectorCoreOptions = {}) {
    this.options = { ...defaults, ...options };
    this.locks = options.locks ?? defaultLocks();
    this.persistence = this.makePersistence();
  }

  /** Replaces settings before first use (how `BrowserVector` configures its worker). */
  async configure(settings: VectorSettings): Promise<void> {
    if (this.indexes.size > 0) {
      throw new ConflictError('The vector core is already in use.', {
        hint: 'Configure it before the first call.',
      });
    }
    await this.close();
    this.options = { ...this.options, ...settings };
    this.persistence = this.makePersistence();
  }

  private makePersistence(): VectorPersistence | undefined {
    const persistence = this.makePlainPersistence();
    const key = this.options.encryptionKey;
    return persistence && key ? new EncryptedVectorPersistence(persistence, createCipher(key)) : persistence;
  }

  private makePlainPersistence(): VectorPersistence | undefined {
    if (this.options.persistence) return this.options.persistence;
    const persist = this.options.persist ?? typeof indexedDB !== 'undefined';
    if (!persist) return undefined;
    const databaseName = this.options.databaseName ?? 'lumos-vectors';
    return new IdbVectorPersistence({ databaseName });
  }

  private listen(): void {
    if (this.channel || !this.persistence) return;
    const name = `lumos-vectors:${this.options.databaseName ?? 'lumos-vectors'}`;
    const make =
      this.options.channel ??
      ((channelName: string) =>
        typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(channelName));
    this.channel = make(name);
    if (!this.channel) return;
    this.channel.onmessage = (event: MessageEvent<CommitMessage>) => {
      const message = event.data;
      if (message?.type !== 'commit') return;
      const index = this.indexes.get(message.index);
      if (index && message.generation !== index.generation) index.stale = true;
    };
  }

  private wasm(): Promise<WebAssembly.Module> {
    this.module ??= compileHnswModule(this.options.wasm ?? this.options.wasmUrl);
    return this.module;
  }

  private now(): number {
    return (this.options.now ?? (() => performance.now()))();
  }

  /** Runs `task` alone among this core's calls on `name` (and, for writes, across tabs). */
  private exclusive<T>(name: string, write: boolean, task: () => Promise<T>): Promise<T> {
    return this.queue.request(name, () =>
      write && this.persistence ? this.locks.request(`lumos-vectors:${name}`, task) : task(),
    );
  }

  /** The index in memory, loaded or caught up from storage when needed. */
  private async index(name: string, sync: boolean): Promise<LoadedIndex> {
    checkIndexName(name);
    this.listen();
    const loaded = this.indexes.get(name);
    if (loaded && !loaded.stale && !(sync && this.persistence)) return loaded;
    if (!this.persistence) {
      if (loaded) return loaded;
      throw unknownIndex(name);
    }
    const module = this.wasm(); // compiles while IndexedDB reads
    module.catch(() => undefined); // a failure surfaces where it is awaited below
    // A first load restores shards while the rest are still being read.
    const persistence = this.persistence;
    const streaming = !loaded && persistence.loadStreaming ? new StreamingRestore(module) : undefined;
    const snapshot = streaming
      ? await persistence.loadStreaming?.(name, streaming)
      : await persistence.load(name, loaded ? loaded.generation : -1, !loaded);
    if (!snapshot) {
      this.indexes.delete(name);
      throw unknownIndex(name);
    }
    if (loaded && snapshot.manifest.epoch === loaded.epoch) {
      loaded.stale = false;
      if (snapshot.manifest.generation !== loaded.generation)
        loaded.applyShards(snapshot.manifest, snapshot.shards);
      return loaded;
    }
    const full = loaded ? await this.persistence.load(name, -1, true) : snapshot;
    if (!full) throw unknownIndex(name);
    const { index, report } = await LoadedIndex.restore(
      await module,
      full,
      full === snapshot ? streaming : undefined,
    );
    this.indexes.set(name, index);
    this.loads.set(name, report);
    return index;
  }

  /** How the last load of `indexName` from storage went (graph reused, relinked, rebuilt). */
  async loadReport(params: { indexName: string }): Promise<LoadReport | undefined> {
    return this.loads.get(params.indexName);
  }

  /** Commits the given shards (and a graph snapshot when due) as one transaction, then tells other tabs. */
  private async commit(
    index: LoadedIndex,
    shards: Iterable<number>,
    options: { graph?: boolean; replace?: boolean } = {},
  ) {
    if (!this.persistence) return;
    index.generation++;
    const shardRecords = [...new Set(shards)].sort((a, b) => a - b).map((shard) => index.shard(shard));
    // A snapshot rewrites the whole graph (≈ 1.3 µs per node: 13 ms at 10,000), while a load
    // relinks the nodes it does not cover (≈ 0.2 ms each). Writing one once a 64th of the nodes
    // (at most `graphSnapshotNodes`) is uncovered keeps both small: ≈ 0.1 ms per inserted node,
    // and at most ≈ 30 ms of relinking when a 10,000-node index loads.
    const uncovered = index.nodeCount - index.storedGraphNodes;
    const due =
      options.graph ||
      options.replace ||
      (uncovered > 0 &&
        uncovered >= Math.min(this.options.graphSnapshotNodes, Math.ceil(index.nodeCount / 64)));
    const graph = due ? index.graph() : undefined;
    const manifest = index.manifest(index.hnsw.m, index.hnsw.efConstruction);
    const commit: IndexCommit = { manifest, shards: shardRecords };
    if (graph) commit.graph = graph;
    if (options.replace) commit.replace = true;
    try {
      await this.persistence.commit(commit);
    } catch (error) {
      // Memory ran ahead of storage: drop it so the next call reloads the committed state.
      this.indexes.delete(index.name);
      throw error;
    }
    this.channel?.postMessage({
      type: 'commit',
      index: index.name,
      generation: index.generation,
    } satisfies CommitMessage);
  }

  async createIndex(params: CreateIndexParams): Promise<void> {
    const { indexName, dimension } = params;
    const metric = params.metric ?? 'cosine';
    checkIndexName(indexName);
    checkDimension(dimension);
    checkMetric(metric);
    await this.exclusive(indexName, true, async () => {
      const existing = await this.index(indexName, true).catch((error: unknown) => {
        if (NotFoundError.isInstance(error)) return undefined;
        throw error;
      });
      if (existing) {
        if (existing.dimension !== dimension || existing.metric !== metric) {
          throw new ConflictError(
            `Index "${indexName}" exists with dimension ${existing.dimension} and metric ${existing.metric}.`,
            { hint: 'Use another name, or deleteIndex first.' },
          );
        }
        return;
      }
      const hnsw = await HnswIndex.create(await this.wasm(), {
        dimension,
        metric,
        m: this.options.m,
        ...(this.options.efConstruction === undefined ? {} : { efConstruction: this.options.efConstruction }),
      });
      const index = new LoadedIndex(indexName, hnsw, this.options.shardSize);
      this.indexes.set(indexName, index);
      await this.commit(index, []);
    });
  }

  async listIndexes(): Promise<string[]> {
    const names = new Set(this.indexes.keys());
    if (this.persistence) {
      names.clear();
      for (const manifest of await this.persistence.listManifests()) names.add(manifest.name);
    }
    return [...names].sort();
  }

  async describeIndex(params: { indexName: string }): Promise<IndexStats> {
    return this.exclusive(params.indexName, false, async () => {
      const index = await this.index(params.indexName, false);
      return { dimension: index.dimension, count: index.liveCount, metric: index.metric };
    });
  }

  async deleteIndex(params: { indexName: string }): Promise<void> {
    await this.exclusive(params.indexName, true, async () => {
      const index = await this.index(params.indexName, true);
      this.indexes.delete(index.name);
      this.loads.delete(index.name);
      await this.persistence?.deleteIndex(index.name);
      this.channel?.postMessage({
        type: 'commit',
        index: index.name,
        generation: -1,
      } satisfies CommitMessage);
    });
  }

  async upsert(params: UpsertParams): Promise<string[]> {
    const { packed, length } = packVectors(params.vectors);
    const upsert: PackedUpsert = { indexName: params.indexName, vectors: packed, length };
    if (params.ids !== undefined) upsert.ids = params.ids;
    if (params.metadata !== undefined) upsert.metadata = params.metadata;
    return this.upsertPacked(upsert);
  }

  /** `upsert` with vectors packed in one Float32Array (transferable across the worker boundary). */
  async upsertPacked(params: PackedUpsert): Promise<string[]> {
    checkIndexName(params.indexName);
    return this.exclusive(params.indexName, true, async () => {
      const index = await this.index(params.indexName, true);
      const count = checkPacked(index, params.vectors, params.length);
      const ids = params.ids ?? Array.from({ length: count }, randomId);
      checkIds(ids, count);
      const metadata = params.metadata ?? Array.from({ length: count }, () => ({}));
      checkMetadata(metadata, count);
      const replaced = ids.flatMap((id) => {
        const node = index.byId.get(id);
        return node === undefined ? [] : [node];
      });
      const first = index.append(params.vectors, ids, metadata);
      const dirty = [...replaced, first, first + count - 1].map((node) => index.shardOf(node));
      for (let shard = index.shardOf(first); shard <= index.shardOf(first + count - 1); shard++)
        dirty.push(shard);
      await this.commit(index, dirty);
      await this.compactIfWorthIt(index);
      return ids;
    });
  }

  async query(params: QueryOptions): Promise<QueryResult[]> {
    return (await this.queryWithStats(params)).results;
  }

  /** `query` plus how it was answered (strategy, distance evaluations, time). */
  async queryWithStats(params: QueryOptions): Promise<{ results: QueryResult[]; stats: QueryStats }> {
    checkIndexName(params.indexName);
    const topK = params.topK ?? 10;
    checkTopK(topK, this.options.maxTopK);
    if (params.ef !== undefined) checkTopK(params.ef, this.options.maxTopK);
    const predicate = params.filter === undefined ? undefined : compileFilter(params.filter);
    return this.exclusive(params.indexName, false, async () => {
      const index = await this.index(params.indexName, false);
      const query = Float32Array.from(params.queryVector as ArrayLike<number>);
      checkPacked(index, query, query.length);
      const started = this.now();
      let matches: Uint32Array | undefined;
      let allowed: Uint8Array | undefined;
      if (predicate) {
        allowed = new Uint8Array(index.nodeCount);
        const found: number[] = [];
        for (let node = 0; node < index.nodeCount; node++) {
          if (!index.isDeleted(node) && predicate(index.metadata[node]!)) {
            allowed[node] = 1;
            found.push(node);
          }
        }
        matches = Uint32Array.from(found);
      }
      const candidates = matches ? matches.length : index.liveCount;
      // Inner product is not a metric: the same recall needs about twice the search list.
      const baseEf = index.metric === 'dotproduct' ? 2 * this.options.efSearch : this.options.efSearch;
      const ef = Math.max(params.ef ?? baseEf, topK);
      const exact =
        params.strategy === 'exact' ||
        (params.strategy !== 'hnsw' &&
          (candidates <= this.options.exactThreshold ||
            (matches !== undefined && candidates <= this.options.selectiveFilterFraction * index.liveCount)));
      let strategy: QueryStats['strategy'] = exact ? 'exact' : 'hnsw';
      let hits =
        candidates === 0
          ? { ids: new Uint32Array(), scores: new Float32Array(), visited: 0 }
          : exact
            ? index.hnsw.exact(query, topK, matches)
            : index.hnsw.search(query, topK, ef, allowed);
      if (!exact && hits.ids.length < Math.min(topK, candidates)) {
        // A graph cut off by tombstones: fall back to the always-correct scan.
        hits = index.hnsw.exact(query, topK, matches);
        strategy = 'exact';
      }
      const results: QueryResult[] = [];
      hits.ids.forEach((node, rank) => {
        const score = hits.scores[rank]!;
        if (params.minScore !== undefined && score < params.minScore) return;
        const result: QueryResult = { id: index.ids[node]!, score, metadata: { ...index.metadata[node] } };
        if (params.includeVector) result.vector = index.hnsw.vector(node);
        results.push(result);
      });
      const stats: QueryStats = {
        strategy,
        visited: hits.visited,
        ef: strategy === 'hnsw' ? ef : 0,
        candidates,
        ms: this.now() - started,
      };
      this.lastQueryStats = stats;
      return { results, stats };
    });
  }

  async updateVector(params: {
    indexName: string;
    id: string;
    update: { vector?: ArrayLike<number>; metadata?: Record<string, unknown> };
  }): Promise<void> {
    const { vector, metadata } = params.update ?? {};
    if (vector === undefined && metadata === undefined) {
      throw new InvalidArgumentError('updateVector needs `update.vector` or `update.metadata`.');
    }
    if (metadata !== undefined) checkMetadataObject(metadata);
    await this.exclusive(params.indexName, true, async () => {
      const index = await this.index(params.indexName, true);
      const node = index.byId.get(params.id);
      if (node === undefined) throw unknownVector(params.indexName, params.id);
      if (vector === undefined) {
        index.metadata[node] = metadata!;
        await this.commit(index, [index.shardOf(node)]);
        return;
      }
      const packed = Float32Array.from(vector);
      checkPacked(index, packed, packed.length);
      const first = index.append(packed, [params.id], [metadata ?? index.metadata[node]!]);
      await this.commit(index, [index.shardOf(node), index.shardOf(first)]);
      await this.compactIfWorthIt(index);
    });
  }

  async deleteVector(params: { indexName: string; id: string }): Promise<void> {
    await this.exclusive(params.indexName, true, async () => {
      const index = await this.index(params.indexName, true);
      const node = index.byId.get(params.id);
      if (node === undefined) throw unknownVector(params.indexName, params.id);
      index.setDeleted(node, true);
      await this.commit(index, [index.shardOf(node)]);
      await this.compactIfWorthIt(index);
    });
  }

  async deleteVectors(params: { indexName: string; ids?: string[]; filter?: VectorFilter }): Promise<void> {
    if ((params.ids === undefined) === (params.filter === undefined)) {
      throw new InvalidArgumentError('deleteVectors needs exactly one of `ids` or `filter`.');
    }
    if (params.ids !== undefined && !Array.isArray(params.ids))
      throw new InvalidArgumentError('`ids` must be an array.');
    const predicate = params.filter === undefined ? undefined : compileFilter(params.filter);
    await this.exclusive(params.indexName, true, async () => {
      const index = await this.index(params.indexName, true);
      const nodes: number[] = [];
      if (params.ids) {
        for (const id of params.ids) {
          const node = index.byId.get(id);
          if (node !== undefined) nodes.push(node);
        }
      } else {
        for (let node = 0; node < index.nodeCount; node++) {
          if (!index.isDeleted(node) && predicate!(index.metadata[node]!)) nodes.push(node);
        }
      }
      if (nodes.length === 0) return;
      for (const node of nodes) index.setDeleted(node, true);
      await this.commit(
        index,
        nodes.map((node) => index.shardOf(node)),
      );
      await this.compactIfWorthIt(index);
    });
  }

  /** Writes a graph snapshot for every loaded index whose stored graph lags (e.g. before a reload). */
  async flush(): Promise<void> {
    for (const name of [...this.indexes.keys()]) {
      await this.exclusive(name, true, async () => {
        const index = await this.index(name, true);
        if (index.storedGraphNodes < index.nodeCount) await this.commit(index, [], { graph: true });
      });
    }
  }

  /** Rebuilds an index without its tombstones (new node numbers; other tabs reload). */
  async compact(params: { indexName: string }): Promise<void> {
    await this.exclusive(params.indexName, true, async () => {
      await this.rebuild(await this.index(params.indexName, true));
    });
  }

  private async compactIfWorthIt(index: LoadedIndex): Promise<void> {
    if (index.deletedCount >= 1024 && index.deletedCount > index.liveCount) await this.rebuild(index);
  }

  private async rebuild(index: LoadedIndex): Promise<void> {
    const live = [...index.byId.values()].sort((a, b) => a - b);
    const hnsw = await HnswIndex.create(await this.wasm(), {
      dimension: index.dimension,
      metric: index.metric,
      m: index.hnsw.m,
      efConstruction: index.hnsw.efConstruction,
    });
    // Compaction rewrites every shard, so it may adopt the configured shard size.
    const fresh = new LoadedIndex(index.name, hnsw, this.options.shardSize);
    const vectors = new Float32Array(live.length * index.dimension);
    live.forEach((node, position) => {
      vectors.set(index.hnsw.vector(node), position * index.dimension);
    });
    fresh.append(
      vectors,
      live.map((node) => index.ids[node]!),
      live.map((node) => index.metadata[node]!),
      true,
    );
    fresh.generation = index.generation;
    fresh.epoch = index.epoch + 1;
    this.indexes.set(index.name, fresh);
    const shards = Array.from({ length: Math.ceil(fresh.nodeCount / fresh.shardSize) }, (_, shard) => shard);
    await this.commit(fresh, shards, { replace: true });
  }

  /** Closes storage and the cross-tab channel. */
  async close(): Promise<void> {
    this.channel?.close();
    this.channel = undefined;
    await this.persistence?.close();
    this.indexes.clear();
  }
}

function checkPacked(index: LoadedIndex, vectors: Float32Array, length: number): number {
  if (length !== index.dimension || vectors.length === 0 || vectors.length % length !== 0) {
    throw new InvalidArgumentError(
      `Index "${index.name}" has dimension ${index.dimension}, got vectors of length ${length}.`,
      {
        hint: 'Embed with the model the index was created for.',
        data: { expected: index.dimension, got: length },
      },
    );
  }
  checkFinite(vectors, length);
  if (index.metric === 'cosine') checkNonZero(vectors, length);
  return vectors.length / length;
}

function unknownIndex(name: string): NotFoundError {
  return new NotFoundError(`No vector index named "${name}".`, {
    hint: 'Call createIndex first.',
    data: { index: name },
  });
}

function unknownVector(index: string, id: string): NotFoundError {
  return new NotFoundError(`No vector "${id}" in index "${index}".`, { data: { index, id } });
}
