import type { Embedder, EmbedManyOptions } from '../../embed/types.js';
import { AbortedError, NotFoundError } from '../../errors/index.js';
import { compileFilter } from '../../vector/filter.js';
import type {
  CreateIndexParams,
  IndexStats,
  QueryParams,
  QueryResult,
  UpsertParams,
  VectorMetric,
  VectorStore,
} from '../../vector/types.js';
import { keywordTerms } from '../words.js';

function bucket(term: string, dimension: number): { index: number; sign: number } {
  let hash = 2166136261;
  for (let index = 0; index < term.length; index++) hash = Math.imul(hash ^ term.charCodeAt(index), 16777619);
  return { index: (hash >>> 1) % dimension, sign: hash & 1 ? 1 : -1 };
}

/**
 * A deterministic bag-of-words embedder for tests: terms (and their character trigrams) hashed
 * into `dimension` buckets, L2-normalised. Texts sharing words get similar vectors. Counts calls
 * and embedded texts so tests can prove nothing was embedded twice.
 */
export class HashEmbedder implements Embedder {
  readonly modelId = 'hash-embedder';
  calls = 0;
  texts: string[] = [];

  constructor(readonly dimension = 128) {}

  async embed(text: string, options?: EmbedManyOptions): Promise<Float32Array> {
    return (await this.embedMany([text], options))[0]!;
  }

  async embedMany(texts: string[], options: EmbedManyOptions = {}): Promise<Float32Array[]> {
    if (options.signal?.aborted) throw new AbortedError();
    this.calls++;
    this.texts.push(...texts);
    return texts.map((text) => {
      const vector = new Float32Array(this.dimension);
      for (const term of keywordTerms(text)) {
        const { index, sign } = bucket(term, this.dimension);
        vector[index]! += sign;
        for (let at = 0; at + 3 <= term.length; at++) {
          const gram = bucket(`#${term.slice(at, at + 3)}`, this.dimension);
          vector[gram.index]! += gram.sign * 0.3;
        }
      }
      let norm = 0;
      for (const value of vector) norm += value * value;
      norm = Math.sqrt(norm) || 1;
      for (let index = 0; index < vector.length; index++) vector[index]! /= norm;
      return vector;
    });
  }
}

interface StoredVector {
  vector: Float32Array;
  metadata: Record<string, unknown>;
}

/** An exact (brute-force) in-memory `VectorStore` for tests. */
export class ExactVectorStore implements VectorStore {
  readonly indexes = new Map<
    string,
    { dimension: number; metric: VectorMetric; vectors: Map<string, StoredVector> }
  >();

  async createIndex(params: CreateIndexParams): Promise<void> {
    if (!this.indexes.has(params.indexName)) {
      this.indexes.set(params.indexName, {
        dimension: params.dimension,
        metric: params.metric ?? 'cosine',
        vectors: new Map(),
      });
    }
  }

  async upsert(params: UpsertParams): Promise<string[]> {
    const index = this.index(params.indexName);
    const ids = params.ids ?? params.vectors.map(() => crypto.randomUUID());
    params.vectors.forEach((vector, position) => {
      index.vectors.set(ids[position]!, {
        vector: Float32Array.from(vector),
        metadata: { ...params.metadata?.[position] },
      });
    });
    return ids;
  }

  async query(params: QueryParams): Promise<QueryResult[]> {
    const index = this.index(params.indexName);
    const accept = params.filter ? compileFilter(params.filter) : () => true;
    const results: QueryResult[] = [];
    for (const [id, stored] of index.vectors) {
      if (!accept(stored.metadata)) continue;
      let score = 0;
      for (let at = 0; at < stored.vector.length; at++) score += stored.vector[at]! * params.queryVector[at]!;
      if (params.minScore !== undefined && score < params.minScore) continue;
      const result: QueryResult = { id, score, metadata: stored.metadata };
      if (params.includeVector) result.vector = stored.vector;
      results.push(result);
    }
    results.sort((left, right) => right.score - left.score);
    return results.slice(0, params.topK ?? 10);
  }

  async updateVector(params: Parameters<VectorStore['updateVector']>[0]): Promise<void> {
    const stored = this.index(params.indexName).vectors.get(params.id);
    if (!stored) throw new NotFoundError(`No vector "${params.id}".`);
    if (params.update.vector) stored.vector = Float32Array.from(params.update.vector);
    if (params.update.metadata) stored.metadata = { ...params.update.metadata };
  }

  async deleteVector(params: { indexName: string; id: string }): Promise<void> {
    this.index(params.indexName).vectors.delete(params.id);
  }

  async deleteVectors(params: Parameters<VectorStore['deleteVectors']>[0]): Promise<void> {
    const index = this.index(params.indexName);
    for (const id of params.ids ?? []) index.vectors.delete(id);
    if (params.filter) {
      const accept = compileFilter(params.filter);
      for (const [id, stored] of index.vectors) if (accept(stored.metadata)) index.vectors.delete(id);
    }
  }

  async describeIndex(params: { indexName: string }): Promise<IndexStats> {
    const index = this.index(params.indexName);
    return { dimension: index.dimension, count: index.vectors.size, metric: index.metric };
  }

  async listIndexes(): Promise<string[]> {
    return [...this.indexes.keys()];
  }

  async deleteIndex(params: { indexName: string }): Promise<void> {
    this.indexes.delete(params.indexName);
  }

  private index(indexName: string) {
    const index = this.indexes.get(indexName);
    if (!index)
      throw new NotFoundError(`No vector index "${indexName}".`, { hint: 'Call createIndex() first.' });
    return index;
  }
}
