import type { VectorFilter } from './filter-types.js';

export type VectorMetric = 'cosine' | 'euclidean' | 'dotproduct';

export interface CreateIndexParams {
  indexName: string;
  dimension: number;
  /** @default 'cosine' */
  metric?: VectorMetric;
}

export interface UpsertParams {
  indexName: string;
  vectors: ArrayLike<number>[];
  /** User ids; generated (UUID) when omitted. An existing id is replaced. */
  ids?: string[];
  metadata?: Record<string, unknown>[];
}

export interface QueryParams {
  indexName: string;
  queryVector: ArrayLike<number>;
  /** @default 10 */
  topK?: number;
  filter?: VectorFilter;
  /** @default false */
  includeVector?: boolean;
  /** Drop results scoring below this. */
  minScore?: number;
}

export interface QueryResult {
  id: string;
  /** Higher is more similar for every metric (euclidean is reported as negated distance). */
  score: number;
  metadata: Record<string, unknown>;
  vector?: Float32Array;
}

export interface IndexStats {
  dimension: number;
  count: number;
  metric: VectorMetric;
}

/** Mastra-shaped vector store. Implemented by `BrowserVector` (WASM HNSW in a worker). */
export interface VectorStore {
  createIndex(params: CreateIndexParams): Promise<void>;
  upsert(params: UpsertParams): Promise<string[]>;
  query(params: QueryParams): Promise<QueryResult[]>;
  updateVector(params: {
    indexName: string;
    id: string;
    update: { vector?: ArrayLike<number>; metadata?: Record<string, unknown> };
  }): Promise<void>;
  deleteVector(params: { indexName: string; id: string }): Promise<void>;
  deleteVectors(params: { indexName: string; ids?: string[]; filter?: VectorFilter }): Promise<void>;
  describeIndex(params: { indexName: string }): Promise<IndexStats>;
  listIndexes(): Promise<string[]>;
  deleteIndex(params: { indexName: string }): Promise<void>;
}
