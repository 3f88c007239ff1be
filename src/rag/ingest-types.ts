import type { MDocument } from './document.js';
import type { LoadableFile } from './loaders.js';

/** What `ingest` accepts: dropped files, ready documents, or a stream of either. */
export type IngestInput = LoadableFile | MDocument;

/** Progress a UI can bind a bar and an ETA to. */
export interface IngestProgress {
  phase: 'parse' | 'chunk' | 'embed' | 'store' | 'skip' | 'done';
  /** Document being processed (its id once parsed, else the file name). */
  document: string;
  documentsDone: number;
  /** Known when the input is an array (or `totalDocuments` was given). */
  documentsTotal: number | undefined;
  /** Chunks of the current document embedded so far, and its chunk count. */
  chunksDone: number;
  chunksTotal: number;
  /** Chunks embedded in this call (skipped ones not counted). */
  chunksEmbedded: number;
  /** Fraction of the job done, 0..1, when the total is known. */
  fraction: number | undefined;
  elapsedMs: number;
  /** Estimated milliseconds left, once there is enough to estimate from. */
  etaMs: number | undefined;
}

export interface IngestOptions {
  onProgress?: (progress: IngestProgress) => void;
  /** Stops between batches with `AbortedError`; finished batches stay done for the next call. */
  signal?: AbortSignal;
  /** For ETA when the input is an async stream. */
  totalDocuments?: number;
}

/** What happened to one input. */
export interface IngestedDocument {
  id: string;
  source: string | undefined;
  /** `unchanged`: same content already ingested; `replaced`: old chunks removed first; `resumed`: continued a cut-off run. */
  status: 'ingested' | 'unchanged' | 'replaced' | 'resumed';
  chunks: number;
  /** Chunks embedded in this call (0 when unchanged; fewer than `chunks` when resumed). */
  embedded: number;
}

export interface IngestReport {
  documents: IngestedDocument[];
  chunksEmbedded: number;
  /** Where the time went, in milliseconds. */
  timings: { parse: number; chunk: number; embed: number; upsert: number; store: number; total: number };
}
