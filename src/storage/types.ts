/**
 * Storage ports. Each capability depends only on the narrow port it needs; `IndexedDBStorage`
 * and `InMemoryStorage` implement all of them. Records are plain structured-cloneable objects;
 * timestamps are epoch milliseconds.
 */

import type { ChatMessage } from '../llm/types.js';

export interface PageOptions {
  /** @default 50 */
  limit?: number;
  /** @default 0 */
  offset?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  hasMore: boolean;
}

// --- workflow snapshots ---------------------------------------------------------------------

export interface WorkflowSnapshotRecord {
  workflowId: string;
  runId: string;
  status: string;
  /** The engine's serialisable run state. */
  snapshot: unknown;
  resourceId?: string;
  createdAt: number;
  updatedAt: number;
}

export interface WorkflowSnapshotStore {
  /** Writes one snapshot in one transaction (replacing the run's previous one). */
  saveWorkflowSnapshot(record: WorkflowSnapshotRecord): Promise<void>;
  loadWorkflowSnapshot(key: {
    workflowId: string;
    runId: string;
  }): Promise<WorkflowSnapshotRecord | undefined>;
  /** Newest first by `updatedAt`. */
  listWorkflowSnapshots(
    query: PageOptions & { workflowId?: string; status?: string; resourceId?: string },
  ): Promise<Page<WorkflowSnapshotRecord>>;
  deleteWorkflowSnapshot(key: { workflowId: string; runId: string }): Promise<void>;
}

// --- generic key-value (pending approvals, ingestion jobs, settings) ------------------------

export interface KeyValueStore {
  getValue<T = unknown>(namespace: string, key: string): Promise<T | undefined>;
  setValue(namespace: string, key: string, value: unknown): Promise<void>;
  deleteValue(namespace: string, key: string): Promise<void>;
  /** Entries of a namespace whose key starts with `prefix`, sorted by key. */
  listValues<T = unknown>(
    namespace: string,
    options?: { prefix?: string },
  ): Promise<{ key: string; value: T }[]>;
}

// --- traces ---------------------------------------------------------------------------------

export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: string;
  startTime: number;
  endTime?: number;
  status: 'ok' | 'error' | 'unset';
  attributes: Record<string, unknown>;
  events?: { name: string; time: number; attributes?: Record<string, unknown> }[];
  resourceId?: string;
}

export interface TraceStore {
  saveSpans(spans: SpanRecord[]): Promise<void>;
  getTrace(traceId: string): Promise<SpanRecord[]>;
  /** Trace ids newest first, with their root span. */
  listTraces(query?: PageOptions & { resourceId?: string }): Promise<Page<SpanRecord>>;
  /** Keeps only the newest `keep` traces. */
  pruneTraces(keep: number): Promise<void>;
}

// --- eval results ---------------------------------------------------------------------------

export interface EvalResultRecord {
  id: string;
  /** Groups the results of one `runEvals` call. */
  evalRunId: string;
  scorerId: string;
  targetId: string;
  itemIndex: number;
  input: unknown;
  output: unknown;
  score: number | null;
  reason?: string;
  error?: { code: string; message: string };
  details?: Record<string, unknown>;
  createdAt: number;
  resourceId?: string;
}

export interface EvalResultStore {
  saveEvalResults(records: EvalResultRecord[]): Promise<void>;
  listEvalResults(
    query: PageOptions & { evalRunId?: string; scorerId?: string },
  ): Promise<Page<EvalResultRecord>>;
}

// --- memory: resources, threads, messages ---------------------------------------------------

/** A user (or other owner) of threads. Holds resource-scoped working memory. */
export interface ResourceRecord {
  id: string;
  /** Resource-scoped working memory (markdown or JSON text). */
  workingMemory?: string;
  metadata?: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** A conversation. Always owned by exactly one resource. */
export interface ThreadRecord {
  id: string;
  resourceId: string;
  title?: string;
  metadata?: Record<string, unknown>;
  /** Thread-scoped working memory (markdown or JSON text). */
  workingMemory?: string;
  createdAt: number;
  /** Bumped by every message append; threads list newest first by this. */
  updatedAt: number;
  /**
   * Next message sequence number. Assigned inside the append transaction, so concurrent writers
   * (two tabs) never reuse one and never overwrite each other's messages.
   */
  nextSeq: number;
}

/** One stored message. `message` is the exact `ChatMessage`, tool calls and results included. */
export interface MessageRecord {
  id: string;
  threadId: string;
  resourceId: string;
  /** Position in the thread, assigned by the storage on append (0, 1, 2, …; gaps after deletes). */
  seq: number;
  message: ChatMessage;
  createdAt: number;
  metadata?: Record<string, unknown>;
}

/** A message to append: the storage assigns `seq`. */
export type NewMessageRecord = Omit<MessageRecord, 'seq'>;

export interface MemoryStore {
  saveResource(record: ResourceRecord): Promise<void>;
  getResource(id: string): Promise<ResourceRecord | undefined>;
  /** Creates or replaces a thread (keeps the stored `nextSeq` when it is larger). */
  saveThread(record: ThreadRecord): Promise<void>;
  getThread(id: string): Promise<ThreadRecord | undefined>;
  /** Threads of one resource, newest first by `updatedAt`. */
  listThreads(query: PageOptions & { resourceId: string }): Promise<Page<ThreadRecord>>;
  /** Deletes a thread and all its messages in one transaction. */
  deleteThread(id: string): Promise<void>;
  /**
   * Appends messages to their threads in one transaction, assigning `seq` and bumping each
   * thread's `updatedAt`. Throws `NotFoundError` when a thread does not exist or belongs to
   * another resource (nothing is written then).
   */
  appendMessages(messages: NewMessageRecord[]): Promise<MessageRecord[]>;
  /** The newest `count` messages of a thread, oldest first. */
  getLastMessages(threadId: string, count: number): Promise<MessageRecord[]>;
  /** Messages of a thread oldest first; `fromSeq`/`toSeq` are inclusive bounds. */
  listMessages(
    query: PageOptions & { threadId: string; fromSeq?: number; toSeq?: number },
  ): Promise<Page<MessageRecord>>;
  /**
   * Several inclusive `seq` ranges (e.g. recall neighbours) read in one transaction; one list
   * per range, oldest first.
   */
  getMessageRanges(
    ranges: { threadId: string; fromSeq: number; toSeq: number }[],
  ): Promise<MessageRecord[][]>;
  /** Messages by id, in the order asked; missing ids are skipped. */
  getMessages(ids: string[]): Promise<MessageRecord[]>;
  /** Replaces the content/metadata of existing messages (same id, thread and seq). */
  updateMessages(messages: MessageRecord[]): Promise<void>;
  deleteMessages(ids: string[]): Promise<void>;
  countMessages(threadId: string): Promise<number>;
}

// --- documents and chunks (RAG) ---------------------------------------------------------------

export interface DocumentRecord {
  id: string;
  resourceId?: string;
  /** Where it came from: a file name or URL. */
  source?: string;
  title?: string;
  mimeType?: string;
  /** Hex SHA-256 of the content; lets ingestion skip unchanged documents. */
  contentHash: string;
  /** The extracted text (optional: large sources may keep only chunks). */
  content?: string;
  metadata: Record<string, unknown>;
  chunkCount: number;
  createdAt: number;
  updatedAt: number;
}

export interface ChunkRecord {
  id: string;
  documentId: string;
  /** Position of the chunk within its document (0-based). */
  index: number;
  text: string;
  /** Character offsets of the chunk in the document content, `end` exclusive. */
  start: number;
  end: number;
  metadata: Record<string, unknown>;
}

export interface DocumentStore {
  /** Saves a document and replaces all its chunks in one transaction. */
  saveDocument(document: DocumentRecord, chunks: ChunkRecord[]): Promise<void>;
  getDocument(id: string): Promise<DocumentRecord | undefined>;
  /** The newest document with this content hash, if any. */
  findDocumentByHash(contentHash: string): Promise<DocumentRecord | undefined>;
  /** Newest first by `updatedAt`. */
  listDocuments(query: PageOptions & { resourceId?: string }): Promise<Page<DocumentRecord>>;
  /** All chunks of a document ordered by `index`. */
  getChunks(documentId: string): Promise<ChunkRecord[]>;
  /** Chunks by id, in the order asked; missing ids are skipped. */
  getChunksByIds(ids: string[]): Promise<ChunkRecord[]>;
  /** Deletes a document and its chunks in one transaction. */
  deleteDocument(id: string): Promise<void>;
}

// --- vector shards (for the vector store) -----------------------------------------------------

/** Metadata of one persisted vector index. */
export interface VectorIndexRecord {
  indexName: string;
  dimension: number;
  metric: string;
  count: number;
  /** A serialised search structure (e.g. HNSW graph bytes) so a reload need not rebuild it. */
  serializedIndex?: Uint8Array;
  updatedAt: number;
}

/** Packed vectors: `vectors.length === ids.length * dimension`. */
export interface VectorShardRecord {
  indexName: string;
  shardId: number;
  ids: string[];
  vectors: Float32Array;
  metadata: Record<string, unknown>[];
}

export interface VectorShardStore {
  saveVectorIndex(record: VectorIndexRecord): Promise<void>;
  loadVectorIndex(indexName: string): Promise<VectorIndexRecord | undefined>;
  listVectorIndexes(): Promise<VectorIndexRecord[]>;
  /** Writes shards (replacing same `shardId`) in one transaction. */
  saveVectorShards(shards: VectorShardRecord[]): Promise<void>;
  /** All shards of an index ordered by `shardId`. */
  loadVectorShards(indexName: string): Promise<VectorShardRecord[]>;
  /** Deletes the given shards, or all shards and the index record when `shardIds` is omitted. */
  deleteVectorShards(indexName: string, shardIds?: number[]): Promise<void>;
}

// --- aggregate --------------------------------------------------------------------------------

export type StoreName =
  | 'resources'
  | 'threads'
  | 'messages'
  | 'workflowSnapshots'
  | 'keyValues'
  | 'spans'
  | 'evalResults'
  | 'documents'
  | 'chunks'
  | 'vectorIndexes'
  | 'vectorShards';

/** What changed; delivered to `subscribe` listeners in this tab and (IndexedDB) other tabs. */
export interface StorageChange {
  store: StoreName;
  type: 'put' | 'delete';
  /** Primary keys touched, as strings (compound keys joined with `/`). */
  keys: string[];
  resourceId?: string;
  threadId?: string;
  /** `'local'` for changes made through this instance, `'remote'` for other tabs. */
  origin: 'local' | 'remote';
}

export type StorageListener = (change: StorageChange) => void;

/** Every port in one object: what `IndexedDBStorage` and `InMemoryStorage` implement. */
export interface Storage
  extends WorkflowSnapshotStore,
    KeyValueStore,
    TraceStore,
    EvalResultStore,
    MemoryStore,
    DocumentStore,
    VectorShardStore {
  /** Calls `listener` after every committed change; returns the unsubscribe function. */
  subscribe(listener: StorageListener): () => void;
  /**
   * Deletes everything owned by a resource (its record, threads, messages, documents, chunks,
   * snapshots, traces, eval results) in one transaction: the hook for "forget this user".
   */
  deleteAll(query: { resourceId: string }): Promise<void>;
  /** Releases the connection; later calls throw `StorageClosedError`. */
  close(): Promise<void>;
}
