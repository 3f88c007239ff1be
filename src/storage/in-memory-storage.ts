import { ConflictError, InvalidArgumentError } from '../errors/index.js';
import { ChangeHub } from './changes.js';
import { closedError, threadNotFound } from './errors.js';
import { pageOf } from './paging.js';
import type {
  ChunkRecord,
  DocumentRecord,
  EvalResultRecord,
  MessageRecord,
  NewMessageRecord,
  Page,
  PageOptions,
  ResourceRecord,
  SpanRecord,
  Storage,
  StorageChange,
  StorageListener,
  ThreadRecord,
  VectorIndexRecord,
  VectorShardRecord,
  WorkflowSnapshotRecord,
} from './types.js';

/** Copies a record the way IndexedDB does, so callers never share state with the store. */
const copy = <T>(value: T): T => structuredClone(value);
const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const snapshotKey = (key: { workflowId: string; runId: string }) => `${key.workflowId}/${key.runId}`;

/**
 * Storage kept in plain `Map`s: for Node, tests and throwaway sessions. Records are
 * structured-cloned on the way in and out and every method is async, so behaviour matches
 * `IndexedDBStorage` (minus persistence and cross-tab notifications).
 */
export class InMemoryStorage implements Storage {
  readonly #snapshots = new Map<string, WorkflowSnapshotRecord>();
  readonly #values = new Map<string, Map<string, unknown>>();
  readonly #spans = new Map<string, Map<string, SpanRecord>>();
  readonly #evalResults = new Map<string, EvalResultRecord>();
  readonly #resources = new Map<string, ResourceRecord>();
  readonly #threads = new Map<string, ThreadRecord>();
  /** Messages per thread, keyed by `seq`. */
  readonly #messages = new Map<string, Map<number, MessageRecord>>();
  readonly #messageThread = new Map<string, string>();
  readonly #documents = new Map<string, DocumentRecord>();
  readonly #chunks = new Map<string, ChunkRecord>();
  readonly #vectorIndexes = new Map<string, VectorIndexRecord>();
  readonly #vectorShards = new Map<string, Map<number, VectorShardRecord>>();
  readonly #changes = new ChangeHub();
  #closed = false;

  #check(): void {
    if (this.#closed) throw closedError('in-memory');
  }

  #emit(change: Omit<StorageChange, 'origin'>): void {
    this.#changes.emit({ ...change, origin: 'local' });
  }

  /** Calls `listener` after every change made through this instance. */
  subscribe(listener: StorageListener): () => void {
    return this.#changes.subscribe(listener);
  }

  /** Marks the storage closed: later calls throw `StorageClosedError`. Data is kept. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#changes.clear();
  }

  // --- workflow snapshots -----------------------------------------------------------------

  /** Writes one snapshot, replacing the run's previous one. */
  async saveWorkflowSnapshot(record: WorkflowSnapshotRecord): Promise<void> {
    this.#check();
    this.#snapshots.set(snapshotKey(record), copy(record));
    this.#emit({ store: 'workflowSnapshots', type: 'put', keys: [snapshotKey(record)], ...owner(record) });
  }

  /** The snapshot of one run, or `undefined`. */
  async loadWorkflowSnapshot(key: {
    workflowId: string;
    runId: string;
  }): Promise<WorkflowSnapshotRecord | undefined> {
    this.#check();
    const record = this.#snapshots.get(snapshotKey(key));
    return record && copy(record);
  }

  /** Snapshots newest first by `updatedAt`, optionally filtered. */
  async listWorkflowSnapshots(
    query: PageOptions & { workflowId?: string; status?: string; resourceId?: string } = {},
  ): Promise<Page<WorkflowSnapshotRecord>> {
    this.#check();
    const matches = [...this.#snapshots.values()]
      .filter(
        (record) =>
          (query.workflowId === undefined || record.workflowId === query.workflowId) &&
          (query.status === undefined || record.status === query.status) &&
          (query.resourceId === undefined || record.resourceId === query.resourceId),
      )
      .sort((a, b) => b.updatedAt - a.updatedAt);
    return copyPage(pageOf(matches, query));
  }

  /** Deletes one run's snapshot; deleting a missing one is not an error. */
  async deleteWorkflowSnapshot(key: { workflowId: string; runId: string }): Promise<void> {
    this.#check();
    if (this.#snapshots.delete(snapshotKey(key))) {
      this.#emit({ store: 'workflowSnapshots', type: 'delete', keys: [snapshotKey(key)] });
    }
  }

  // --- key-value --------------------------------------------------------------------------

  /** The value under `namespace`/`key`, or `undefined`. */
  async getValue<T = unknown>(namespace: string, key: string): Promise<T | undefined> {
    this.#check();
    const namespaceValues = this.#values.get(namespace);
    return namespaceValues?.has(key) ? copy(namespaceValues.get(key) as T) : undefined;
  }

  /** Stores a structured-cloneable value under `namespace`/`key`. */
  async setValue(namespace: string, key: string, value: unknown): Promise<void> {
    this.#check();
    const stored = copy(value);
    let namespaceValues = this.#values.get(namespace);
    if (!namespaceValues) {
      namespaceValues = new Map();
      this.#values.set(namespace, namespaceValues);
    }
    namespaceValues.set(key, stored);
    this.#emit({ store: 'keyValues', type: 'put', keys: [`${namespace}/${key}`] });
  }

  /** Removes `namespace`/`key`; a missing key is not an error. */
  async deleteValue(namespace: string, key: string): Promise<void> {
    this.#check();
    if (this.#values.get(namespace)?.delete(key)) {
      this.#emit({ store: 'keyValues', type: 'delete', keys: [`${namespace}/${key}`] });
    }
  }

  /** Entries of a namespace whose key starts with `prefix`, sorted by key. */
  async listValues<T = unknown>(
    namespace: string,
    options: { prefix?: string } = {},
  ): Promise<{ key: string; value: T }[]> {
    this.#check();
    const prefix = options.prefix ?? '';
    return [...(this.#values.get(namespace) ?? new Map<string, unknown>())]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => byKey(a, b))
      .map(([key, value]) => ({ key, value: copy(value as T) }));
  }

  // --- traces -----------------------------------------------------------------------------

  /** Saves spans; a span with an existing `traceId`/`spanId` replaces the old one (span end). */
  async saveSpans(spans: SpanRecord[]): Promise<void> {
    this.#check();
    for (const span of spans.map(copy)) {
      let trace = this.#spans.get(span.traceId);
      if (!trace) {
        trace = new Map();
        this.#spans.set(span.traceId, trace);
      }
      trace.set(span.spanId, span);
    }
    this.#emit({ store: 'spans', type: 'put', keys: spans.map((span) => `${span.traceId}/${span.spanId}`) });
  }

  /** All spans of one trace, ordered by `startTime`. */
  async getTrace(traceId: string): Promise<SpanRecord[]> {
    this.#check();
    return [...(this.#spans.get(traceId)?.values() ?? [])]
      .sort((a, b) => a.startTime - b.startTime)
      .map(copy);
  }

  /** One root span per trace (the span without a parent, else the earliest), newest first. */
  async listTraces(query: PageOptions & { resourceId?: string } = {}): Promise<Page<SpanRecord>> {
    this.#check();
    const roots = traceRoots([...this.#spans.values()].map((trace) => trace.values())).filter(
      (root) => query.resourceId === undefined || root.resourceId === query.resourceId,
    );
    return copyPage(pageOf(roots, query));
  }

  /** Keeps only the newest `keep` traces (by root span start time). */
  async pruneTraces(keep: number): Promise<void> {
    this.#check();
    const dropped = traceRoots([...this.#spans.values()].map((trace) => trace.values())).slice(
      Math.max(0, keep),
    );
    for (const root of dropped) this.#spans.delete(root.traceId);
    if (dropped.length > 0)
      this.#emit({ store: 'spans', type: 'delete', keys: dropped.map((root) => root.traceId) });
  }

  // --- eval results -----------------------------------------------------------------------

  /** Saves results; an existing `id` is replaced. */
  async saveEvalResults(records: EvalResultRecord[]): Promise<void> {
    this.#check();
    for (const record of records.map(copy)) this.#evalResults.set(record.id, record);
    this.#emit({ store: 'evalResults', type: 'put', keys: records.map((record) => record.id) });
  }

  /** Results oldest first (`createdAt`, then `itemIndex`), optionally filtered. */
  async listEvalResults(
    query: PageOptions & { evalRunId?: string; scorerId?: string } = {},
  ): Promise<Page<EvalResultRecord>> {
    this.#check();
    const matches = [...this.#evalResults.values()]
      .filter(
        (record) =>
          (query.evalRunId === undefined || record.evalRunId === query.evalRunId) &&
          (query.scorerId === undefined || record.scorerId === query.scorerId),
      )
      .sort(compareEvalResults);
    return copyPage(pageOf(matches, query));
  }

  // --- memory -----------------------------------------------------------------------------

  /** Creates or replaces a resource. */
  async saveResource(record: ResourceRecord): Promise<void> {
    this.#check();
    this.#resources.set(record.id, copy(record));
    this.#emit({ store: 'resources', type: 'put', keys: [record.id], resourceId: record.id });
  }

  /** One resource, or `undefined`. */
  async getResource(id: string): Promise<ResourceRecord | undefined> {
    this.#check();
    const record = this.#resources.get(id);
    return record && copy(record);
  }

  /** Creates or replaces a thread, keeping the larger `nextSeq`. */
  async saveThread(record: ThreadRecord): Promise<void> {
    this.#check();
    const stored = copy(record);
    stored.nextSeq = Math.max(stored.nextSeq, this.#threads.get(record.id)?.nextSeq ?? 0);
    this.#threads.set(record.id, stored);
    this.#emit({
      store: 'threads',
      type: 'put',
      keys: [record.id],
      resourceId: record.resourceId,
      threadId: record.id,
    });
  }

  /** One thread, or `undefined`. */
  async getThread(id: string): Promise<ThreadRecord | undefined> {
    this.#check();
    const record = this.#threads.get(id);
    return record && copy(record);
  }

  /** Threads of one resource, newest first by `updatedAt`. */
  async listThreads(query: PageOptions & { resourceId: string }): Promise<Page<ThreadRecord>> {
    this.#check();
    const matches = [...this.#threads.values()]
      .filter((thread) => thread.resourceId === query.resourceId)
      .sort((a, b) => b.updatedAt - a.updatedAt || byKey(b.id, a.id));
    return copyPage(pageOf(matches, query));
  }

  /** Deletes a thread and its messages. */
  async deleteThread(id: string): Promise<void> {
    this.#check();
    const thread = this.#threads.get(id);
    if (!thread) return;
    this.#dropThread(id);
    this.#emit({ store: 'threads', type: 'delete', keys: [id], resourceId: thread.resourceId, threadId: id });
  }

  #dropThread(id: string): void {
    for (const message of this.#messages.get(id)?.values() ?? []) this.#messageThread.delete(message.id);
    this.#messages.delete(id);
    this.#threads.delete(id);
  }

  /** Appends messages atomically: all threads are checked before anything is written. */
  async appendMessages(messages: NewMessageRecord[]): Promise<MessageRecord[]> {
    this.#check();
    const batchIds = new Set<string>();
    for (const message of messages) {
      const thread = this.#threads.get(message.threadId);
      if (!thread || thread.resourceId !== message.resourceId)
        throw threadNotFound(message.threadId, message.resourceId);
      if (this.#messageThread.has(message.id) || batchIds.has(message.id)) {
        throw new ConflictError(`Message id "${message.id}" already exists.`, {
          hint: 'Use a fresh id per message (crypto.randomUUID()), or updateMessages to change one.',
        });
      }
      batchIds.add(message.id);
    }
    const saved: MessageRecord[] = [];
    for (const message of messages) {
      const thread = this.#threads.get(message.threadId) as ThreadRecord;
      const record: MessageRecord = { ...copy(message), seq: thread.nextSeq };
      thread.nextSeq += 1;
      thread.updatedAt = Math.max(thread.updatedAt, record.createdAt);
      let threadMessages = this.#messages.get(record.threadId);
      if (!threadMessages) {
        threadMessages = new Map();
        this.#messages.set(record.threadId, threadMessages);
      }
      threadMessages.set(record.seq, record);
      this.#messageThread.set(record.id, record.threadId);
      saved.push(record);
    }
    for (const threadId of new Set(saved.map((message) => message.threadId))) {
      const ofThread = saved.filter((message) => message.threadId === threadId);
      this.#emit({
        store: 'messages',
        type: 'put',
        keys: ofThread.map((message) => message.id),
        resourceId: ofThread[0]?.resourceId as string,
        threadId,
      });
    }
    return saved.map(copy);
  }

  /** The newest `count` messages of a thread, oldest first. */
  async getLastMessages(threadId: string, count: number): Promise<MessageRecord[]> {
    this.#check();
    if (count <= 0) return [];
    return this.#sortedMessages(threadId).slice(-count).map(copy);
  }

  /** Messages of a thread oldest first, within inclusive `fromSeq`/`toSeq`. */
  async listMessages(
    query: PageOptions & { threadId: string; fromSeq?: number; toSeq?: number },
  ): Promise<Page<MessageRecord>> {
    this.#check();
    const from = query.fromSeq ?? 0;
    const to = query.toSeq ?? Number.POSITIVE_INFINITY;
    const matches = this.#sortedMessages(query.threadId).filter(
      (message) => message.seq >= from && message.seq <= to,
    );
    return copyPage(pageOf(matches, query));
  }

  /** Several inclusive `seq` ranges, one list per range. */
  async getMessageRanges(
    ranges: { threadId: string; fromSeq: number; toSeq: number }[],
  ): Promise<MessageRecord[][]> {
    this.#check();
    return ranges.map((range) =>
      this.#sortedMessages(range.threadId)
        .filter((message) => message.seq >= range.fromSeq && message.seq <= range.toSeq)
        .map(copy),
    );
  }

  #sortedMessages(threadId: string): MessageRecord[] {
    return [...(this.#messages.get(threadId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }

  #findMessage(id: string): MessageRecord | undefined {
    const threadId = this.#messageThread.get(id);
    if (threadId === undefined) return undefined;
    for (const message of this.#messages.get(threadId)?.values() ?? []) if (message.id === id) return message;
    return undefined;
  }

  /** Messages by id in the order asked; missing ids are skipped. */
  async getMessages(ids: string[]): Promise<MessageRecord[]> {
    this.#check();
    return ids.flatMap((id) => {
      const message = this.#findMessage(id);
      return message ? [copy(message)] : [];
    });
  }

  /** Replaces existing messages (matched by id; thread and seq stay as stored). */
  async updateMessages(messages: MessageRecord[]): Promise<void> {
    this.#check();
    for (const message of messages) {
      const stored = this.#findMessage(message.id);
      if (!stored || stored.resourceId !== message.resourceId) throw messageNotFound(message.id);
    }
    for (const message of messages) {
      const stored = this.#findMessage(message.id) as MessageRecord;
      const updated = { ...copy(message), threadId: stored.threadId, seq: stored.seq };
      this.#messages.get(stored.threadId)?.set(stored.seq, updated);
    }
    this.#emit({ store: 'messages', type: 'put', keys: messages.map((message) => message.id) });
  }

  /** Deletes messages by id; missing ids are ignored. */
  async deleteMessages(ids: string[]): Promise<void> {
    this.#check();
    const deleted: string[] = [];
    for (const id of ids) {
      const message = this.#findMessage(id);
      if (!message) continue;
      this.#messages.get(message.threadId)?.delete(message.seq);
      this.#messageThread.delete(id);
      deleted.push(id);
    }
    if (deleted.length > 0) this.#emit({ store: 'messages', type: 'delete', keys: deleted });
  }

  /** Number of messages in a thread. */
  async countMessages(threadId: string): Promise<number> {
    this.#check();
    return this.#messages.get(threadId)?.size ?? 0;
  }

  // --- documents --------------------------------------------------------------------------

  /** Saves a document and replaces its chunks. */
  async saveDocument(document: DocumentRecord, chunks: ChunkRecord[]): Promise<void> {
    this.#check();
    assertChunksOf(document, chunks);
    this.#dropChunks(document.id);
    this.#documents.set(document.id, copy(document));
    for (const chunk of chunks.map(copy)) this.#chunks.set(chunk.id, chunk);
    this.#emit({ store: 'documents', type: 'put', keys: [document.id], ...owner(document) });
  }

  #dropChunks(documentId: string): void {
    for (const [id, chunk] of this.#chunks) if (chunk.documentId === documentId) this.#chunks.delete(id);
  }

  /** One document, or `undefined`. */
  async getDocument(id: string): Promise<DocumentRecord | undefined> {
    this.#check();
    const record = this.#documents.get(id);
    return record && copy(record);
  }

  /** The newest document with this content hash. */
  async findDocumentByHash(contentHash: string): Promise<DocumentRecord | undefined> {
    this.#check();
    const match = [...this.#documents.values()]
      .filter((document) => document.contentHash === contentHash)
      .sort((a, b) => b.updatedAt - a.updatedAt)[0];
    return match && copy(match);
  }

  /** Documents newest first by `updatedAt`. */
  async listDocuments(query: PageOptions & { resourceId?: string } = {}): Promise<Page<DocumentRecord>> {
    this.#check();
    const matches = [...this.#documents.values()]
      .filter((document) => query.resourceId === undefined || document.resourceId === query.resourceId)
      .sort((a, b) => b.updatedAt - a.updatedAt || byKey(b.id, a.id));
    return copyPage(pageOf(matches, query));
  }

  /** Chunks of a document ordered by `index`. */
  async getChunks(documentId: string): Promise<ChunkRecord[]> {
    this.#check();
    return [...this.#chunks.values()]
      .filter((chunk) => chunk.documentId === documentId)
      .sort((a, b) => a.index - b.index)
      .map(copy);
  }

  /** Chunks by id in the order asked; missing ids are skipped. */
  async getChunksByIds(ids: string[]): Promise<ChunkRecord[]> {
    this.#check();
    return ids.flatMap((id) => {
      const chunk = this.#chunks.get(id);
      return chunk ? [copy(chunk)] : [];
    });
  }

  /** Deletes a document and its chunks. */
  async deleteDocument(id: string): Promise<void> {
    this.#check();
    const document = this.#documents.get(id);
    if (!document) return;
    this.#dropChunks(id);
    this.#documents.delete(id);
    this.#emit({ store: 'documents', type: 'delete', keys: [id], ...owner(document) });
  }

  // --- vector shards ----------------------------------------------------------------------

  /** Creates or replaces an index record. */
  async saveVectorIndex(record: VectorIndexRecord): Promise<void> {
    this.#check();
    this.#vectorIndexes.set(record.indexName, copy(record));
    this.#emit({ store: 'vectorIndexes', type: 'put', keys: [record.indexName] });
  }

  /** One index record, or `undefined`. */
  async loadVectorIndex(indexName: string): Promise<VectorIndexRecord | undefined> {
    this.#check();
    const record = this.#vectorIndexes.get(indexName);
    return record && copy(record);
  }

  /** Every index record, by name. */
  async listVectorIndexes(): Promise<VectorIndexRecord[]> {
    this.#check();
    return [...this.#vectorIndexes.values()].sort((a, b) => byKey(a.indexName, b.indexName)).map(copy);
  }

  /** Writes shards, replacing the same `shardId`. */
  async saveVectorShards(shards: VectorShardRecord[]): Promise<void> {
    this.#check();
    shards.forEach(assertShard);
    for (const shard of shards.map(copy)) {
      let ofIndex = this.#vectorShards.get(shard.indexName);
      if (!ofIndex) {
        ofIndex = new Map();
        this.#vectorShards.set(shard.indexName, ofIndex);
      }
      ofIndex.set(shard.shardId, shard);
    }
    this.#emit({
      store: 'vectorShards',
      type: 'put',
      keys: shards.map((shard) => `${shard.indexName}/${shard.shardId}`),
    });
  }

  /** Shards of an index ordered by `shardId`. */
  async loadVectorShards(indexName: string): Promise<VectorShardRecord[]> {
    this.#check();
    return [...(this.#vectorShards.get(indexName)?.values() ?? [])]
      .sort((a, b) => a.shardId - b.shardId)
      .map(copy);
  }

  /** Deletes some shards, or the whole index (shards and record) when `shardIds` is omitted. */
  async deleteVectorShards(indexName: string, shardIds?: number[]): Promise<void> {
    this.#check();
    if (shardIds === undefined) {
      this.#vectorShards.delete(indexName);
      this.#vectorIndexes.delete(indexName);
    } else {
      for (const shardId of shardIds) this.#vectorShards.get(indexName)?.delete(shardId);
    }
    this.#emit({ store: 'vectorShards', type: 'delete', keys: [indexName] });
  }

  // --- whole resource ---------------------------------------------------------------------

  /** Deletes everything a resource owns. */
  async deleteAll(query: { resourceId: string }): Promise<void> {
    this.#check();
    const { resourceId } = query;
    this.#resources.delete(resourceId);
    for (const thread of [...this.#threads.values()])
      if (thread.resourceId === resourceId) this.#dropThread(thread.id);
    for (const document of [...this.#documents.values()]) {
      if (document.resourceId !== resourceId) continue;
      this.#dropChunks(document.id);
      this.#documents.delete(document.id);
    }
    for (const [key, record] of this.#snapshots)
      if (record.resourceId === resourceId) this.#snapshots.delete(key);
    for (const [traceId, trace] of this.#spans) {
      if ([...trace.values()].some((span) => span.resourceId === resourceId)) this.#spans.delete(traceId);
    }
    for (const [id, record] of this.#evalResults)
      if (record.resourceId === resourceId) this.#evalResults.delete(id);
    this.#emit({ store: 'resources', type: 'delete', keys: [resourceId], resourceId });
  }
}

function owner(record: { resourceId?: string }): { resourceId?: string } {
  return record.resourceId === undefined ? {} : { resourceId: record.resourceId };
}

function copyPage<T>(page: Page<T>): Page<T> {
  return { ...page, items: page.items.map(copy) };
}

/** Oldest first by `createdAt`, then `itemIndex`, then `id`. */
export function compareEvalResults(a: EvalResultRecord, b: EvalResultRecord): number {
  return a.createdAt - b.createdAt || a.itemIndex - b.itemIndex || byKey(a.id, b.id);
}

/** Root span per trace (no parent, else the earliest), newest first. */
export function traceRoots(traces: Iterable<Iterable<SpanRecord>>): SpanRecord[] {
  const roots: SpanRecord[] = [];
  for (const trace of traces) {
    let root: SpanRecord | undefined;
    for (const span of trace) {
      if (root === undefined || (span.parentSpanId === undefined && root.parentSpanId !== undefined))
        root = span;
      else if (
        (span.parentSpanId === undefined) === (root.parentSpanId === undefined) &&
        span.startTime < root.startTime
      )
        root = span;
    }
    if (root) roots.push(root);
  }
  return roots.sort((a, b) => b.startTime - a.startTime || byKey(b.traceId, a.traceId));
}

function messageNotFound(id: string) {
  return new InvalidArgumentError(`Message "${id}" does not exist for this resource.`, {
    hint: 'Only stored messages can be updated; append new ones with appendMessages.',
  });
}

/** Chunks must belong to the document they are saved with. */
export function assertChunksOf(document: DocumentRecord, chunks: ChunkRecord[]): void {
  for (const chunk of chunks) {
    if (chunk.documentId !== document.id) {
      throw new InvalidArgumentError(
        `Chunk "${chunk.id}" belongs to document "${chunk.documentId}", not "${document.id}".`,
        {
          hint: 'Save each document together with its own chunks.',
        },
      );
    }
    if (!(chunk.start >= 0 && chunk.end >= chunk.start)) {
      throw new InvalidArgumentError(
        `Chunk "${chunk.id}" has invalid offsets ${chunk.start}..${chunk.end}.`,
        {
          hint: 'start must be ≥ 0 and end ≥ start (end is exclusive).',
        },
      );
    }
  }
}

/** A shard's packed vectors must match its ids. */
export function assertShard(shard: VectorShardRecord): void {
  if (shard.ids.length === 0 ? shard.vectors.length !== 0 : shard.vectors.length % shard.ids.length !== 0) {
    throw new InvalidArgumentError(
      `Vector shard ${shard.indexName}/${shard.shardId} holds ${shard.vectors.length} floats for ${shard.ids.length} ids.`,
      { hint: 'Pack exactly ids.length × dimension floats into vectors.' },
    );
  }
}
