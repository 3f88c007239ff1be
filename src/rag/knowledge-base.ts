import type { Embedder } from '../embed/types.js';
import { InvalidArgumentError } from '../errors/index.js';
import type { ChunkRecord, DocumentRecord, DocumentStore, KeyValueStore } from '../storage/types.js';
import { compileFilter } from '../vector/filter.js';
import type { VectorStore } from '../vector/types.js';
import { loadTokenCounter } from './chunk/tokens.js';
import { type AssembleContextOptions, type AssembledContext, assembleContext } from './context.js';
import { cosine, jaccard, maximalMarginalRelevance, type RankedId, reciprocalRankFusion } from './fusion.js';
import { type IngestContext, ingestInputs, progressNamespace } from './ingest.js';
import type { IngestInput, IngestOptions, IngestReport } from './ingest-types.js';
import { PersistedKeywordIndex } from './keyword-store.js';
import type { LoadOptions } from './loaders.js';
import { type DocumentPreparer, inlinePreparer } from './prepare.js';
import {
  citationOf,
  type RetrievalTimings,
  type RetrievedChunk,
  type RetrieveOptions,
} from './retrieval-types.js';
import type { ChunkOptions } from './types.js';
import { keywordTerms } from './words.js';

export interface KnowledgeBaseOptions {
  /** Turns chunks and queries into vectors (e.g. `LocalEmbedder`). */
  embedder: Embedder;
  /** Where chunk vectors live (e.g. `BrowserVector`). */
  vector: VectorStore;
  /** Documents, chunks, keyword postings and ingestion progress (e.g. `IndexedDBStorage`). */
  store: DocumentStore & KeyValueStore;
  /** Vector index (and namespace) of this knowledge base. */
  indexName: string;
  /** How documents are split. @default { maxSize: 1000, overlap: 100 } with the format's natural strategy */
  chunking?: ChunkOptions;
  /** Chunks per `embedMany` call and per upsert. @default 64 */
  batchSize?: number;
  /** Owner recorded on every document, for `storage.deleteAll({ resourceId })`. */
  resourceId?: string;
  /** Loader options for dropped files (PDF worker). */
  load?: LoadOptions;
  /**
   * Where files are parsed and chunked: `workerPreparer()` moves it to `workers/ingest.worker.ts`.
   * @default inlinePreparer() (the calling thread)
   */
  preparer?: DocumentPreparer;
  /** Monotonic clock in milliseconds, for timings and ETA. @default performance.now */
  now?: () => number;
}

/** A searchable collection of documents: ingest, retrieve, assemble context, delete. */
export interface KnowledgeBase {
  readonly indexName: string;
  /** Parses, chunks, embeds and stores documents; resumable and idempotent (see docs/rag.md). */
  ingest(inputs: IngestInput[] | AsyncIterable<IngestInput>, options?: IngestOptions): Promise<IngestReport>;
  /** The chunks that best match `query`, best first, with citations. */
  retrieve(query: string, options?: RetrieveOptions): Promise<RetrievedChunk[]>;
  /** Retrieves, then packs the results into a cited context within a token budget. */
  context(query: string, options?: RetrieveOptions & AssembleContextOptions): Promise<AssembledContext>;
  /** Removes a document's chunks, vectors and keyword postings. Unknown ids are a no-op. */
  deleteDocument(documentId: string): Promise<void>;
  getDocument(documentId: string): Promise<DocumentRecord | undefined>;
  /** Documents of this knowledge base, newest first. */
  listDocuments(): Promise<DocumentRecord[]>;
  /** Ids of documents whose ingestion was cut off and will resume on the next `ingest`. */
  pendingDocuments(): Promise<string[]>;
}

const chunkCacheSize = 4096;
const tokenCountCacheSize = 4096;
const tokenCounts = new WeakMap<(text: string) => number, Map<string, number>>();

/**
 * The same passage (chunk, number, source, span) recurs across queries; its o200k count is
 * remembered per counter instead of re-tokenizing the passage every time.
 */
function memoizedCounter(count: (text: string) => number): (text: string) => number {
  const cache = tokenCounts.get(count) ?? new Map<string, number>();
  tokenCounts.set(count, cache);
  return (text) => {
    const known = cache.get(text);
    if (known !== undefined) return known;
    const tokens = count(text);
    if (cache.size >= tokenCountCacheSize) cache.delete(cache.keys().next().value!);
    cache.set(text, tokens);
    return tokens;
  };
}

function emptyTimings(): RetrievalTimings {
  return {
    embedMs: 0,
    vectorMs: 0,
    keywordMs: 0,
    fuseMs: 0,
    loadChunksMs: 0,
    storageReads: 0,
    rerankMs: 0,
    mmrMs: 0,
    assembleMs: 0,
    totalMs: 0,
  };
}

/** Creates a knowledge base over injected embedder, vector store and storage. */
export function createKnowledgeBase(options: KnowledgeBaseOptions): KnowledgeBase {
  const { embedder, vector, store, indexName } = options;
  if (!indexName) {
    throw new InvalidArgumentError('createKnowledgeBase() needs an indexName.', {
      hint: 'Pass e.g. { indexName: "docs" }.',
    });
  }
  const keywords = new PersistedKeywordIndex(store, indexName);
  const chunkCache = new Map<string, ChunkRecord>();
  let indexReady: Promise<boolean> | undefined;
  const indexExists = () => {
    indexReady ??= vector.listIndexes().then((names) => names.includes(indexName));
    return indexReady;
  };
  const now = options.now ?? (() => performance.now());

  const context: IngestContext = {
    indexName,
    embedder,
    vector,
    store,
    keywords,
    chunking: options.chunking ?? { maxSize: 1000, overlap: 100 },
    batchSize: options.batchSize ?? 64,
    resourceId: options.resourceId,
    load: options.load ?? {},
    preparer: options.preparer ?? inlinePreparer(),
    now,
    async ensureIndex(dimension) {
      if (await indexExists()) return;
      await vector.createIndex({ indexName, dimension, metric: 'cosine' });
      indexReady = Promise.resolve(true);
    },
    async removeDocumentData(documentId, chunkCount) {
      if (chunkCount > 0 && (await indexExists())) {
        const ids = Array.from({ length: chunkCount }, (_, index) => `${documentId}#${index}`);
        await vector.deleteVectors({ indexName, ids });
      }
      await keywords.deleteDocument(documentId);
      await store.deleteDocument(documentId);
      forgetChunks(documentId);
    },
    forgetChunks: (documentId) => forgetChunks(documentId),
    rememberChunks(documentId, records) {
      forgetChunks(documentId);
      for (const record of records) cacheChunk(record);
    },
  };

  /** Bounded memory cache of chunk records (oldest out first), so queries rarely read storage. */
  function cacheChunk(record: ChunkRecord) {
    if (chunkCache.size >= chunkCacheSize) chunkCache.delete(chunkCache.keys().next().value!);
    chunkCache.set(record.id, record);
  }

  function forgetChunks(documentId: string) {
    const prefix = `${documentId}#`;
    for (const id of [...chunkCache.keys()]) if (id.startsWith(prefix)) chunkCache.delete(id);
  }

  async function loadChunks(ids: string[], timings: RetrievalTimings): Promise<Map<string, ChunkRecord>> {
    const found = new Map<string, ChunkRecord>();
    const missing = ids.filter((id) => {
      const cached = chunkCache.get(id);
      if (cached) found.set(id, cached);
      return !cached;
    });
    if (missing.length > 0) {
      timings.storageReads += missing.length;
      for (const record of await store.getChunksByIds(missing)) {
        found.set(record.id, record);
        cacheChunk(record);
      }
    }
    return found;
  }

  async function retrieve(query: string, retrieveOptions: RetrieveOptions = {}): Promise<RetrievedChunk[]> {
    const topK = retrieveOptions.topK ?? 5;
    const mode = retrieveOptions.mode ?? 'hybrid';
    if (!['vector', 'keyword', 'hybrid'].includes(mode)) {
      throw new InvalidArgumentError(`Unknown retrieval mode "${mode}".`, {
        hint: 'Use vector, keyword or hybrid.',
      });
    }
    if (!Number.isInteger(topK) || topK < 1) {
      throw new InvalidArgumentError(`topK must be a positive integer, got ${topK}.`, {
        hint: 'Pass e.g. { topK: 5 }.',
      });
    }
    const wantsMmr = retrieveOptions.mmr !== undefined && retrieveOptions.mmr !== false;
    const pool = retrieveOptions.candidates ?? Math.max(topK * 4, 20);
    const limit = wantsMmr || retrieveOptions.rerank ? pool : mode === 'hybrid' ? pool : topK;
    const accept = retrieveOptions.filter ? compileFilter(retrieveOptions.filter) : undefined;
    const timings = emptyTimings();
    const started = now();
    const vectors = new Map<string, Float32Array>();
    let queryVector: Float32Array | undefined;
    const signalOption = retrieveOptions.signal ? { signal: retrieveOptions.signal } : {};
    // The query is embedded in a worker; in hybrid mode BM25 runs on this thread meanwhile.
    const embedding =
      mode !== 'keyword' && (await indexExists())
        ? embedder.embed(query, signalOption).then((vector) => {
            timings.embedMs = now() - started;
            return vector;
          })
        : undefined;
    embedding?.catch(() => {});
    let keywordHits: RankedId[] | undefined;
    if (mode !== 'vector') {
      const keywordStarted = now();
      const index = await keywords.load();
      keywordHits = index.search(keywordTerms(query), limit, accept);
      timings.keywordMs = now() - keywordStarted;
    }
    const lists: { hits: RankedId[] }[] = [];
    if (embedding) {
      queryVector = await embedding;
      const vectorStarted = now();
      const hits = await vector.query({
        indexName,
        queryVector,
        topK: limit,
        ...(retrieveOptions.filter ? { filter: retrieveOptions.filter } : {}),
        includeVector: wantsMmr,
      });
      timings.vectorMs = now() - vectorStarted;
      for (const hit of hits) if (hit.vector) vectors.set(hit.id, hit.vector);
      lists.push({ hits: hits.map((hit) => ({ id: hit.id, score: hit.score })) });
    }
    if (keywordHits) lists.push({ hits: keywordHits });
    const fuseStarted = now();
    const ranked = (lists.length === 1 ? lists[0]!.hits : reciprocalRankFusion(lists)).slice(0, limit);
    timings.fuseMs = now() - fuseStarted;
    // Without MMR or a reranker only the first topK are returned, so only those are read.
    const wanted = wantsMmr || retrieveOptions.rerank ? limit : topK;
    const loadStarted = now();
    let results: RetrievedChunk[] = [];
    for (let offset = 0; results.length < wanted && offset < ranked.length; ) {
      const slice = ranked.slice(offset, offset + wanted - results.length);
      offset += slice.length;
      const records = await loadChunks(
        slice.map((hit) => hit.id),
        timings,
      );
      for (const hit of slice) {
        const record = records.get(hit.id);
        if (!record) continue;
        const result: RetrievedChunk = {
          id: record.id,
          documentId: record.documentId,
          text: record.text,
          start: record.start,
          end: record.end,
          score: hit.score,
          metadata: record.metadata,
          citation: citationOf(record),
        };
        const hitVector = vectors.get(hit.id);
        if (hitVector) result.vector = hitVector;
        results.push(result);
      }
    }
    timings.loadChunksMs = now() - loadStarted;
    if (retrieveOptions.rerank) {
      const rerankStarted = now();
      const scores = await retrieveOptions.rerank.rerank(
        query,
        results.map((result) => ({ id: result.id, text: result.text })),
        retrieveOptions.signal ? { signal: retrieveOptions.signal } : {},
      );
      const byId = new Map(scores.map((entry) => [entry.id, entry.score]));
      results = results
        .map((result, rank) => ({ result: { ...result, score: byId.get(result.id) ?? 0 }, rank }))
        .sort((left, right) => right.result.score - left.result.score || left.rank - right.rank)
        .map((entry) => entry.result);
      timings.rerankMs = now() - rerankStarted;
    }
    if (wantsMmr && results.length > topK) {
      const mmrStarted = now();
      const lambda = typeof retrieveOptions.mmr === 'object' ? (retrieveOptions.mmr.lambda ?? 0.5) : 0.5;
      const top = results[0]!.score || 1;
      const relevance = results.map((result) =>
        queryVector && result.vector ? cosine(queryVector, result.vector) : result.score / top,
      );
      const termSets = results.map((result) => new Set(keywordTerms(result.text)));
      const similarity = (left: number, right: number) => {
        const leftVector = results[left]!.vector;
        const rightVector = results[right]!.vector;
        return leftVector && rightVector
          ? cosine(leftVector, rightVector)
          : jaccard(termSets[left]!, termSets[right]!);
      };
      results = maximalMarginalRelevance(relevance, similarity, topK, lambda).map((index) => results[index]!);
      timings.mmrMs = now() - mmrStarted;
    }
    timings.totalMs = now() - started;
    retrieveOptions.onTimings?.(timings);
    return results.slice(0, topK);
  }

  return {
    indexName,
    ingest: (inputs, ingestOptions) => ingestInputs(context, inputs, ingestOptions),
    retrieve,
    async context(query, contextOptions = {}) {
      const started = now();
      let timings: RetrievalTimings | undefined;
      const chunks = await retrieve(query, {
        ...contextOptions,
        onTimings: (retrieved) => {
          timings = retrieved;
        },
      });
      const assembleStarted = now();
      const countTokens = memoizedCounter(contextOptions.countTokens ?? (await loadTokenCounter()));
      const assembled = await assembleContext(chunks, { ...contextOptions, countTokens });
      if (timings && contextOptions.onTimings) {
        contextOptions.onTimings({
          ...timings,
          assembleMs: now() - assembleStarted,
          totalMs: now() - started,
        });
      }
      return assembled;
    },
    async deleteDocument(documentId) {
      const existing = await store.getDocument(documentId);
      const progress = await store.getValue<{ chunkHashes: string[] }>(
        progressNamespace(indexName),
        documentId,
      );
      await context.removeDocumentData(
        documentId,
        Math.max(existing?.chunkCount ?? 0, progress?.chunkHashes.length ?? 0),
      );
      if (progress) await store.deleteValue(progressNamespace(indexName), documentId);
    },
    getDocument: (documentId) => store.getDocument(documentId),
    async listDocuments() {
      const all: DocumentRecord[] = [];
      for (let offset = 0; ; ) {
        const page = await store.listDocuments({
          limit: 500,
          offset,
          ...(options.resourceId ? { resourceId: options.resourceId } : {}),
        });
        all.push(...page.items.filter((record) => record.metadata.indexName === indexName));
        offset += page.items.length;
        if (!page.hasMore || page.items.length === 0) break;
      }
      return all;
    },
    async pendingDocuments() {
      return (await store.listValues(progressNamespace(indexName))).map((entry) => entry.key);
    },
  };
}
