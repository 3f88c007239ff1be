import type { Embedder } from '../embed/types.js';
import { AbortedError } from '../errors/index.js';
import type { ChunkRecord, DocumentStore, KeyValueStore } from '../storage/types.js';
import type { VectorStore } from '../vector/types.js';
import type { KeywordEntry } from './bm25.js';
import { MDocument } from './document.js';
import { sha256Hex } from './hash.js';
import type {
  IngestedDocument,
  IngestInput,
  IngestOptions,
  IngestProgress,
  IngestReport,
} from './ingest-types.js';
import type { PersistedKeywordIndex } from './keyword-store.js';
import type { LoadOptions } from './loaders.js';
import type { DocumentPreparer } from './prepare.js';
import type { Chunk, ChunkOptions } from './types.js';
import { termFrequencies } from './words.js';

/** The parts of a knowledge base ingestion works with. */
export interface IngestContext {
  indexName: string;
  embedder: Embedder;
  vector: VectorStore;
  store: DocumentStore & KeyValueStore;
  keywords: PersistedKeywordIndex;
  chunking: ChunkOptions;
  batchSize: number;
  resourceId: string | undefined;
  load: LoadOptions;
  preparer: DocumentPreparer;
  now: () => number;
  ensureIndex(dimension: number): Promise<void>;
  removeDocumentData(documentId: string, chunkCount: number): Promise<void>;
  forgetChunks(documentId: string): void;
  /** Puts a freshly saved document's chunk records in the memory cache queries read from. */
  rememberChunks(documentId: string, records: ChunkRecord[]): void;
}

/** Chunks already embedded for a document whose ingestion was cut off. */
interface Progress {
  contentHash: string;
  chunkingKey: string;
  chunkHashes: string[];
}

export const progressNamespace = (indexName: string) => `lumos.rag.progress:${indexName}`;

/** Metadata the vector store and the keyword index filter on. */
export function filterableMetadata(chunk: Chunk): Record<string, unknown> {
  return { ...chunk.metadata, documentId: chunk.documentId, chunkId: chunk.id };
}

/**
 * Parse → chunk → embed → upsert, one document at a time (memory holds one document and one
 * batch), resumable at batch granularity and idempotent by content hash.
 */
export async function ingestInputs(
  context: IngestContext,
  inputs: Iterable<IngestInput> | AsyncIterable<IngestInput>,
  options: IngestOptions = {},
): Promise<IngestReport> {
  const started = context.now();
  const timings = { parse: 0, chunk: 0, embed: 0, upsert: 0, store: 0, total: 0 };
  const documentsTotal = Array.isArray(inputs) ? inputs.length : options.totalDocuments;
  const chunkingKey = JSON.stringify({ ...context.chunking, countTokens: undefined });
  const report: IngestReport = { documents: [], chunksEmbedded: 0, timings };
  const emit = (
    phase: IngestProgress['phase'],
    document: string,
    chunksDone: number,
    chunksTotal: number,
  ) => {
    if (!options.onProgress) return;
    const done = report.documents.length;
    const within = chunksTotal > 0 ? chunksDone / chunksTotal : 0;
    const fraction =
      documentsTotal === undefined || documentsTotal === 0
        ? undefined
        : Math.min(1, (done + (phase === 'done' || phase === 'skip' ? 0 : within)) / documentsTotal);
    const elapsedMs = context.now() - started;
    const etaMs = fraction && fraction > 0.001 ? (elapsedMs * (1 - fraction)) / fraction : undefined;
    options.onProgress({
      phase,
      document,
      documentsDone: done,
      documentsTotal,
      chunksDone,
      chunksTotal,
      chunksEmbedded: report.chunksEmbedded,
      fraction,
      elapsedMs,
      etaMs,
    });
  };
  const throwIfAborted = () => {
    if (options.signal?.aborted)
      throw new AbortedError('Ingestion was aborted; call ingest() again to resume.');
  };
  const time = async <T>(bucket: keyof typeof timings, work: () => Promise<T>): Promise<T> => {
    const at = context.now();
    try {
      return await work();
    } finally {
      timings[bucket] += context.now() - at;
    }
  };

  for await (const input of inputs) {
    throwIfAborted();
    const label = input instanceof MDocument ? input.id : input.name;
    emit('parse', label, 0, 0);
    const prepared = await context.preparer.prepare(input, context.chunking, context.load);
    timings.parse += prepared.parseMs;
    timings.chunk += prepared.chunkMs;
    const { document, chunks } = prepared;
    const contentHash = await sha256Hex(document.text);
    const existing = await context.store.getDocument(document.id);
    const progressKey = document.id;
    const saved = await context.store.getValue<Progress>(progressNamespace(context.indexName), progressKey);
    const source = typeof document.metadata.source === 'string' ? document.metadata.source : undefined;
    if (
      existing &&
      existing.contentHash === contentHash &&
      existing.metadata.chunking === chunkingKey &&
      existing.metadata.indexName === context.indexName
    ) {
      if (saved) await context.store.deleteValue(progressNamespace(context.indexName), progressKey);
      report.documents.push({
        id: document.id,
        source,
        status: 'unchanged',
        chunks: existing.chunkCount,
        embedded: 0,
      });
      emit('skip', document.id, existing.chunkCount, existing.chunkCount);
      continue;
    }
    const hashes = await Promise.all(chunks.map((chunk) => sha256Hex(chunk.text)));
    let status: IngestedDocument['status'] = 'ingested';
    let done = 0;
    if (saved && saved.contentHash === contentHash && saved.chunkingKey === chunkingKey) {
      while (
        done < saved.chunkHashes.length &&
        done < chunks.length &&
        saved.chunkHashes[done] === hashes[done]
      )
        done++;
      if (done > 0) status = 'resumed';
    }
    if (existing || (saved && status !== 'resumed')) {
      // Old content: remove its chunks, vectors and postings before writing the new ones.
      await time('store', () =>
        context.removeDocumentData(
          document.id,
          Math.max(existing?.chunkCount ?? 0, saved?.chunkHashes.length ?? 0),
        ),
      );
      if (existing) status = 'replaced';
    }
    const progress: Progress = { contentHash, chunkingKey, chunkHashes: hashes.slice(0, done) };
    let embedded = 0;
    emit('embed', document.id, done, chunks.length);
    for (let first = done; first < chunks.length; first += context.batchSize) {
      throwIfAborted();
      const batch = chunks.slice(first, first + context.batchSize);
      const vectors = await time('embed', () =>
        context.embedder.embedMany(
          batch.map((chunk) => chunk.text),
          options.signal ? { signal: options.signal } : {},
        ),
      );
      await time('upsert', async () => {
        await context.ensureIndex(vectors[0]!.length);
        await context.vector.upsert({
          indexName: context.indexName,
          vectors,
          ids: batch.map((chunk) => chunk.id),
          metadata: batch.map(filterableMetadata),
        });
      });
      progress.chunkHashes.push(...hashes.slice(first, first + batch.length));
      await time('store', () =>
        context.store.setValue(progressNamespace(context.indexName), progressKey, progress),
      );
      embedded += batch.length;
      report.chunksEmbedded += batch.length;
      emit('embed', document.id, first + batch.length, chunks.length);
    }
    emit('store', document.id, chunks.length, chunks.length);
    await time('store', async () => {
      const entries: KeywordEntry[] = chunks.map((chunk) => ({
        id: chunk.id,
        documentId: chunk.documentId,
        ...termFrequencies(chunk.text),
        metadata: filterableMetadata(chunk),
      }));
      await context.keywords.putDocument(document.id, entries);
      const timestamp = Date.now();
      const records: ChunkRecord[] = chunks.map((chunk) => ({
        id: chunk.id,
        documentId: chunk.documentId,
        index: chunk.index,
        text: chunk.text,
        start: chunk.start,
        end: chunk.end,
        metadata: chunk.metadata,
      }));
      await context.store.saveDocument(
        {
          id: document.id,
          ...(context.resourceId ? { resourceId: context.resourceId } : {}),
          ...(source ? { source } : {}),
          ...(typeof document.metadata.title === 'string' ? { title: document.metadata.title } : {}),
          ...(typeof document.metadata.mimeType === 'string' ? { mimeType: document.metadata.mimeType } : {}),
          contentHash,
          metadata: { ...document.metadata, indexName: context.indexName, chunking: chunkingKey },
          chunkCount: chunks.length,
          createdAt: existing?.createdAt ?? timestamp,
          updatedAt: timestamp,
        },
        records,
      );
      context.rememberChunks(document.id, records);
      await context.store.deleteValue(progressNamespace(context.indexName), progressKey);
    });
    report.documents.push({ id: document.id, source, status, chunks: chunks.length, embedded });
    emit('done', document.id, chunks.length, chunks.length);
  }
  timings.total = context.now() - started;
  return report;
}
