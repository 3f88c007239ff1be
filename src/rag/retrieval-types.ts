import type { VectorFilter } from '../vector/filter-types.js';

/** Where a retrieved passage sits in its source, for showing and checking an answer. */
export interface Citation {
  documentId: string;
  chunkId: string;
  source?: string;
  title?: string;
  /** Character span of the chunk in the document's text, `end` exclusive. */
  start: number;
  end: number;
  page?: number;
}

/** A chunk returned by retrieval, best first. */
export interface RetrievedChunk {
  id: string;
  documentId: string;
  text: string;
  start: number;
  end: number;
  /** Higher is better; comparable only within one result list (cosine, BM25 or fused). */
  score: number;
  metadata: Record<string, unknown>;
  citation: Citation;
  /** Present when MMR asked the vector store for vectors. */
  vector?: Float32Array;
}

export type RetrievalMode = 'vector' | 'keyword' | 'hybrid';

/** Re-scores candidates for a query (an LLM judge, a cross-encoder). */
export interface Reranker {
  rerank(
    query: string,
    candidates: { id: string; text: string }[],
    options?: { signal?: AbortSignal },
  ): Promise<{ id: string; score: number }[]>;
}

export interface RetrieveOptions {
  /** How many chunks to return. @default 5 */
  topK?: number;
  /** Mongo-style metadata filter (`{ source: 'a.pdf', page: { $gte: 2 } }`), applied in every mode. */
  filter?: VectorFilter;
  /** @default 'hybrid' */
  mode?: RetrievalMode;
  /**
   * Diversify with maximal marginal relevance. `true` uses `lambda` 0.5.
   * @default false
   */
  mmr?: boolean | { lambda?: number };
  /** Re-score the candidates before cutting to `topK`. */
  rerank?: Reranker;
  /** Candidates each retriever fetches before fusion / MMR / rerank. @default max(4 × topK, 20) */
  candidates?: number;
  signal?: AbortSignal;
  /** Called once per call with where the time went (for benchmarks and diagnostics). */
  onTimings?: (timings: RetrievalTimings) => void;
}

/**
 * Milliseconds per stage of one `retrieve` / `context` call. In hybrid mode the keyword search
 * runs while the query is being embedded, so stages can overlap and need not add up to `totalMs`.
 */
export interface RetrievalTimings {
  /** Query embedding, worker round trip included. */
  embedMs: number;
  /** Vector store query (worker round trip included). */
  vectorMs: number;
  /** BM25 search (plus loading the postings on the first keyword query). */
  keywordMs: number;
  /** Reciprocal-rank fusion. */
  fuseMs: number;
  /** Reading the chunk records of the hits (memory cache, else storage). */
  loadChunksMs: number;
  /** Chunk records that were not in the memory cache and came from storage. */
  storageReads: number;
  rerankMs: number;
  mmrMs: number;
  /** Context assembly and token counting (`context()` only). */
  assembleMs: number;
  totalMs: number;
}

/** Turns a retrieved chunk's fields into its citation. */
export function citationOf(chunk: {
  id: string;
  documentId: string;
  start: number;
  end: number;
  metadata: Record<string, unknown>;
}): Citation {
  const citation: Citation = {
    documentId: chunk.documentId,
    chunkId: chunk.id,
    start: chunk.start,
    end: chunk.end,
  };
  if (typeof chunk.metadata.source === 'string') citation.source = chunk.metadata.source;
  if (typeof chunk.metadata.title === 'string') citation.title = chunk.metadata.title;
  if (typeof chunk.metadata.page === 'number') citation.page = chunk.metadata.page;
  return citation;
}
