import { InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import type { VectorFilter } from '../../vector/filter-types.js';
import type {
  CreateIndexParams,
  IndexStats,
  QueryParams,
  QueryResult,
  UpsertParams,
  VectorMetric,
  VectorStore,
} from '../../vector/types.js';

interface Entry {
  vector: Float32Array;
  metadata: Record<string, unknown>;
}

interface Index {
  dimension: number;
  metric: VectorMetric;
  entries: Map<string, Entry>;
}

/**
 * An exact (brute-force) in-memory `VectorStore` for tests and as the naive baseline in the
 * memory benchmark. Filters support field equality (`{ field: value }` and `{ field: { $eq } }`)
 * joined by `$and`, which is all memory uses.
 */
export class ExactVectorStore implements VectorStore {
  readonly #indexes = new Map<string, Index>();

  /** Creates an index; creating an existing one with the same dimension is a no-op. */
  async createIndex(params: CreateIndexParams): Promise<void> {
    const existing = this.#indexes.get(params.indexName);
    if (existing && existing.dimension !== params.dimension) {
      throw new InvalidArgumentError(
        `Index "${params.indexName}" exists with dimension ${existing.dimension}.`,
      );
    }
    if (!existing) {
      this.#indexes.set(params.indexName, {
        dimension: params.dimension,
        metric: params.metric ?? 'cosine',
        entries: new Map(),
      });
    }
  }

  #index(indexName: string): Index {
    const index = this.#indexes.get(indexName);
    if (!index) throw new NotFoundError(`Vector index "${indexName}" does not exist.`);
    return index;
  }

  /** Inserts or replaces vectors. */
  async upsert(params: UpsertParams): Promise<string[]> {
    const index = this.#index(params.indexName);
    const ids = params.ids ?? params.vectors.map(() => crypto.randomUUID());
    params.vectors.forEach((vector, position) => {
      if (vector.length !== index.dimension) {
        throw new InvalidArgumentError(
          `Vector of length ${vector.length} in an index of dimension ${index.dimension}.`,
        );
      }
      index.entries.set(ids[position] as string, {
        vector: Float32Array.from(vector),
        metadata: { ...(params.metadata?.[position] ?? {}) },
      });
    });
    return ids;
  }

  /** Exact top-K by dot product of normalised vectors. */
  async query(params: QueryParams): Promise<QueryResult[]> {
    const index = this.#index(params.indexName);
    const query = normalised(Float32Array.from(params.queryVector));
    const results: QueryResult[] = [];
    for (const [id, entry] of index.entries) {
      if (params.filter && !matches(entry.metadata, params.filter)) continue;
      const score = dot(query, normalised(entry.vector));
      if (params.minScore !== undefined && score < params.minScore) continue;
      results.push({ id, score, metadata: { ...entry.metadata } });
    }
    return results.sort((a, b) => b.score - a.score).slice(0, params.topK ?? 10);
  }

  /** Changes a vector or its metadata. */
  async updateVector(params: {
    indexName: string;
    id: string;
    update: { vector?: ArrayLike<number>; metadata?: Record<string, unknown> };
  }): Promise<void> {
    const entry = this.#index(params.indexName).entries.get(params.id);
    if (!entry) throw new NotFoundError(`Vector "${params.id}" does not exist.`);
    if (params.update.vector) entry.vector = Float32Array.from(params.update.vector);
    if (params.update.metadata) entry.metadata = { ...params.update.metadata };
  }

  /** Removes one vector. */
  async deleteVector(params: { indexName: string; id: string }): Promise<void> {
    this.#index(params.indexName).entries.delete(params.id);
  }

  /** Removes vectors by id or by filter. */
  async deleteVectors(params: { indexName: string; ids?: string[]; filter?: VectorFilter }): Promise<void> {
    const index = this.#index(params.indexName);
    for (const id of params.ids ?? []) index.entries.delete(id);
    if (params.filter) {
      for (const [id, entry] of index.entries)
        if (matches(entry.metadata, params.filter)) index.entries.delete(id);
    }
  }

  /** Dimension, count and metric. */
  async describeIndex(params: { indexName: string }): Promise<IndexStats> {
    const index = this.#index(params.indexName);
    return { dimension: index.dimension, count: index.entries.size, metric: index.metric };
  }

  /** Index names. */
  async listIndexes(): Promise<string[]> {
    return [...this.#indexes.keys()];
  }

  /** Drops an index. */
  async deleteIndex(params: { indexName: string }): Promise<void> {
    this.#indexes.delete(params.indexName);
  }
}

function matches(metadata: Record<string, unknown>, filter: VectorFilter): boolean {
  return Object.entries(filter).every(([field, condition]) => {
    if (field === '$and') return (condition as VectorFilter[]).every((part) => matches(metadata, part));
    if (condition !== null && typeof condition === 'object' && '$eq' in condition)
      return metadata[field] === condition.$eq;
    return metadata[field] === condition;
  });
}

function normalised(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  return vector.map((value) => value / norm);
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += (a[index] as number) * (b[index] as number);
  return sum;
}
