import { type IDBPDatabase, type IDBPTransaction, type StoreNames, unwrap } from 'idb';
import {
  ConflictError,
  InternalError,
  InvalidArgumentError,
  LumosError,
  QuotaExceededError,
  UnsupportedError,
} from '../errors/index.js';
import { ChangeHub } from './changes.js';
import { closedError, threadNotFound } from './errors.js';
import { assertChunksOf, assertShard, compareEvalResults, traceRoots } from './in-memory-storage.js';
import { openDatabase } from './indexeddb-open.js';
import { type LumosSchema, migrations, schemaVersion } from './indexeddb-schema.js';
import { pageOf, resolvePage } from './paging.js';
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

export interface IndexedDBStorageOptions {
  /** Database name; one name per app (or per user profile). @default 'lumos' */
  name?: string;
  /**
   * The `IDBFactory` to open with. It must belong to the same realm as the global `IDB*`
   * classes (idb checks `instanceof`), e.g. `new IDBFactory()` from `fake-indexeddb/auto`.
   * @default globalThis.indexedDB
   */
  indexedDB?: IDBFactory;
  /** How long an upgrade waits for other tabs to close before `StorageBlockedError`. @default 2000 */
  blockedTimeoutMs?: number;
  /**
   * Creates the channel that carries change notifications between tabs; `false` disables them.
   * @default name => new BroadcastChannel(name) when the runtime has BroadcastChannel
   */
  broadcastChannel?: false | ((channelName: string) => BroadcastChannel);
  /**
   * How `getLastMessages` reads: `getAll` over a `[threadId, seq]` key range (measured faster,
   * see docs/storage.md) or a reverse cursor.
   * @default 'getAll'
   */
  lastMessagesRead?: 'getAll' | 'cursor';
  /**
   * Durability hint of every readwrite transaction. `'relaxed'` reports a commit once the
   * browser has written it (it survives a reload, a tab crash and a browser restart); only an
   * OS crash or power loss right after the commit may lose it. `'strict'` also waits for the
   * disk flush. Chromium ≥ 121 already treats `'default'` as relaxed.
   * @default 'relaxed'
   */
  durability?: IDBTransactionDurability;
}

type Names = StoreNames<LumosSchema>;
type Transaction<S extends Names[], M extends IDBTransactionMode> = IDBPTransaction<LumosSchema, S, M>;
type Change = Omit<StorageChange, 'origin'>;

const allStores: Names[] = [
  'resources',
  'threads',
  'messages',
  'workflowSnapshots',
  'keyValues',
  'spans',
  'evalResults',
  'documents',
  'chunks',
  'vectorIndexes',
  'vectorShards',
];

/** How many threads `#written` remembers. */
const maxWrittenThreads = 256;

const threadRange = (threadId: string, from = 0, to = Number.POSITIVE_INFINITY) =>
  IDBKeyRange.bound([threadId, from], [threadId, to]);
/** Every compound key that starts with `value` (arrays sort after all numbers and strings). */
const prefixRange = (value: string) => IDBKeyRange.bound([value], [value, []]);
const firstOf = (value: string) =>
  IDBKeyRange.bound([value, Number.NEGATIVE_INFINITY], [value, Number.POSITIVE_INFINITY]);

/**
 * Persistent `Storage` on IndexedDB: one versioned schema (`migrations`), one readwrite
 * transaction per batch, paged reads over compound indexes, typed errors for quota, blocked
 * upgrades and deletion under us, and change notifications across tabs via BroadcastChannel.
 *
 * ```ts
 * const storage = await IndexedDBStorage.open({ name: 'my-app' });
 * ```
 */
export class IndexedDBStorage implements Storage {
  readonly name: string;
  readonly #factory: IDBFactory;
  readonly #blockedTimeoutMs: number;
  readonly #lastMessagesRead: 'getAll' | 'cursor';
  readonly #durability: IDBTransactionDurability;
  readonly #createChannel: false | ((channelName: string) => BroadcastChannel);
  readonly #changes = new ChangeHub();
  #channel: BroadcastChannel | undefined;
  #database: IDBPDatabase<LumosSchema> | undefined;
  /** Thread records as this connection last wrote them (most recent last), for optimistic appends. */
  readonly #written = new Map<string, ThreadRecord>();

  private constructor(options: IndexedDBStorageOptions) {
    this.name = options.name ?? 'lumos';
    const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!factory) {
      throw new UnsupportedError('IndexedDB is not available in this runtime.', {
        hint: 'Use InMemoryStorage in Node, or pass { indexedDB } (e.g. from fake-indexeddb).',
      });
    }
    this.#factory = factory;
    this.#blockedTimeoutMs = options.blockedTimeoutMs ?? 2000;
    this.#lastMessagesRead = options.lastMessagesRead ?? 'getAll';
    this.#durability = options.durability ?? 'relaxed';
    this.#createChannel =
      options.broadcastChannel ??
      (typeof BroadcastChannel === 'function' ? (channelName) => new BroadcastChannel(channelName) : false);
  }

  /**
   * Opens (creating or upgrading) the database. Throws `StorageBlockedError` when another tab
   * holds an older version open past `blockedTimeoutMs`.
   */
  static async open(options: IndexedDBStorageOptions = {}): Promise<IndexedDBStorage> {
    const storage = new IndexedDBStorage(options);
    await storage.reopen();
    return storage;
  }

  /** Whether the connection is open (false after `close()` or deletion by another tab). */
  get isOpen(): boolean {
    return this.#database !== undefined;
  }

  /** Opens the connection again after `close()` or after the database was deleted under us. */
  async reopen(): Promise<void> {
    if (this.#database) return;
    const database = await openDatabase({
      factory: this.#factory,
      name: this.name,
      version: schemaVersion,
      steps: migrations,
      blockedTimeoutMs: this.#blockedTimeoutMs,
    });
    // Another tab wants to upgrade or delete: step aside at once so it is not blocked; later
    // calls here throw StorageClosedError until `reopen()`.
    database.addEventListener('versionchange', () => this.#drop(database));
    // The browser closed it abnormally (site data cleared, disk error).
    database.addEventListener('close', () => this.#drop(database));
    this.#database = database;
    if (this.#createChannel && !this.#channel) {
      this.#channel = this.#createChannel(`lumos-storage:${this.name}`);
      this.#channel.onmessage = (event: MessageEvent<Change>) =>
        this.#changes.emit({ ...event.data, origin: 'remote' });
    }
  }

  #drop(database: IDBPDatabase<LumosSchema>): void {
    database.close();
    if (this.#database === database) this.#database = undefined;
  }

  /** Closes the connection and the change channel. Listeners stay subscribed for `reopen()`. */
  async close(): Promise<void> {
    if (this.#database) this.#drop(this.#database);
    this.#channel?.close();
    this.#channel = undefined;
  }

  /** Calls `listener` after every committed change, in this tab and in other tabs. */
  subscribe(listener: StorageListener): () => void {
    return this.#changes.subscribe(listener);
  }

  // --- transactions -----------------------------------------------------------------------

  #transaction<S extends Names[], M extends IDBTransactionMode>(stores: S, mode: M): Transaction<S, M> {
    const database = this.#database;
    if (!database) throw closedError(this.name);
    try {
      return mode === 'readwrite'
        ? database.transaction(stores, mode, { durability: this.#durability })
        : database.transaction(stores, mode);
    } catch (error) {
      throw this.#mapError(error);
    }
  }

  async #read<S extends Names[], T>(
    stores: S,
    work: (tx: Transaction<S, 'readonly'>) => Promise<T>,
  ): Promise<T> {
    const tx = this.#transaction(stores, 'readonly');
    tx.done.catch(() => undefined);
    try {
      return await work(tx);
    } catch (error) {
      throw this.#mapError(error);
    }
  }

  /**
   * Runs `work` in one readwrite transaction. Any error aborts it, so a batch is written whole
   * or not at all; changes are announced only after commit.
   */
  async #write<S extends Names[], T>(
    stores: S,
    work: (tx: Transaction<S, 'readwrite'>, changes: Change[]) => Promise<T>,
  ): Promise<T> {
    const tx = this.#transaction(stores, 'readwrite');
    tx.done.catch(() => undefined);
    const changes: Change[] = [];
    try {
      const result = await work(tx, changes);
      await tx.done;
      for (const change of changes) this.#announce(change);
      return result;
    } catch (error) {
      try {
        tx.abort();
      } catch {
        // Already aborted or finished.
      }
      throw this.#mapError(error);
    }
  }

  #announce(change: Change): void {
    this.#changes.emit({ ...change, origin: 'local' });
    const channel = this.#channel;
    if (!channel) return;
    // Other tabs hear of the change a task later: posting clones the change and crosses a
    // process boundary, which the writer need not wait for (measured 0.15–0.2 ms per append).
    setTimeout(() => {
      try {
        channel.postMessage(change);
      } catch {
        // Closed in the meantime: a committed write is never failed by its notification.
      }
    }, 0);
  }

  #mapError(error: unknown): LumosError {
    if (LumosError.isInstance(error)) return error;
    const name = error instanceof Error || error instanceof DOMException ? error.name : '';
    if (!this.#database) return closedError(this.name);
    if (name === 'QuotaExceededError') {
      return new QuotaExceededError(`The browser refused to store more data in "${this.name}".`, {
        hint: 'Nothing from this batch was written. Delete old threads or documents, or ask for persistent storage (navigator.storage.persist()).',
        cause: error,
      });
    }
    if (name === 'ConstraintError') {
      return new ConflictError(`A record with the same key already exists in "${this.name}".`, {
        hint: 'Use a fresh id per record (crypto.randomUUID()), or the update method to change one.',
        cause: error,
      });
    }
    if (name === 'DataError') {
      return new InvalidArgumentError(`A key or value cannot be stored in IndexedDB: ${String(error)}.`, {
        hint: 'Keys must be strings or numbers; values must be structured-cloneable.',
        cause: error,
      });
    }
    if (name === 'InvalidStateError' || name === 'TransactionInactiveError') return closedError(this.name);
    return new InternalError(`IndexedDB operation on "${this.name}" failed: ${String(error)}.`, {
      cause: error,
    });
  }

  // --- workflow snapshots -----------------------------------------------------------------

  /** Writes one snapshot, replacing the run's previous one. */
  async saveWorkflowSnapshot(record: WorkflowSnapshotRecord): Promise<void> {
    await this.#write(['workflowSnapshots'], async (tx, changes) => {
      await tx.objectStore('workflowSnapshots').put(record);
      changes.push({
        store: 'workflowSnapshots',
        type: 'put',
        keys: [`${record.workflowId}/${record.runId}`],
        ...owner(record),
      });
    });
  }

  /** The snapshot of one run, or `undefined`. */
  async loadWorkflowSnapshot(key: {
    workflowId: string;
    runId: string;
  }): Promise<WorkflowSnapshotRecord | undefined> {
    return this.#read(['workflowSnapshots'], (tx) =>
      tx.objectStore('workflowSnapshots').get([key.workflowId, key.runId]),
    );
  }

  /** Snapshots newest first by `updatedAt`, optionally filtered. */
  async listWorkflowSnapshots(
    query: PageOptions & { workflowId?: string; status?: string; resourceId?: string } = {},
  ): Promise<Page<WorkflowSnapshotRecord>> {
    resolvePage(query);
    const records = await this.#read(['workflowSnapshots'], (tx) => {
      const store = tx.objectStore('workflowSnapshots');
      if (query.resourceId !== undefined) return store.index('byResource').getAll(query.resourceId);
      if (query.workflowId !== undefined)
        return store.getAll(IDBKeyRange.bound([query.workflowId, ''], [query.workflowId, []]));
      return store.getAll();
    });
    const matches = records
      .filter(
        (record) =>
          (query.workflowId === undefined || record.workflowId === query.workflowId) &&
          (query.status === undefined || record.status === query.status),
      )
      .sort((a, b) => b.updatedAt - a.updatedAt);
    return pageOf(matches, query);
  }

  /** Deletes one run's snapshot; deleting a missing one is not an error. */
  async deleteWorkflowSnapshot(key: { workflowId: string; runId: string }): Promise<void> {
    await this.#write(['workflowSnapshots'], async (tx, changes) => {
      await tx.objectStore('workflowSnapshots').delete([key.workflowId, key.runId]);
      changes.push({ store: 'workflowSnapshots', type: 'delete', keys: [`${key.workflowId}/${key.runId}`] });
    });
  }

  // --- key-value --------------------------------------------------------------------------

  /** The value under `namespace`/`key`, or `undefined`. */
  async getValue<T = unknown>(namespace: string, key: string): Promise<T | undefined> {
    const entry = await this.#read(['keyValues'], (tx) => tx.objectStore('keyValues').get([namespace, key]));
    return entry?.value as T | undefined;
  }

  /** Stores a structured-cloneable value under `namespace`/`key`. */
  async setValue(namespace: string, key: string, value: unknown): Promise<void> {
    await this.#write(['keyValues'], async (tx, changes) => {
      await tx.objectStore('keyValues').put({ namespace, key, value });
      changes.push({ store: 'keyValues', type: 'put', keys: [`${namespace}/${key}`] });
    });
  }

  /** Removes `namespace`/`key`; a missing key is not an error. */
  async deleteValue(namespace: string, key: string): Promise<void> {
    await this.#write(['keyValues'], async (tx, changes) => {
      await tx.objectStore('keyValues').delete([namespace, key]);
      changes.push({ store: 'keyValues', type: 'delete', keys: [`${namespace}/${key}`] });
    });
  }

  /** Entries of a namespace whose key starts with `prefix`, sorted by key. */
  async listValues<T = unknown>(
    namespace: string,
    options: { prefix?: string } = {},
  ): Promise<{ key: string; value: T }[]> {
    const prefix = options.prefix ?? '';
    // Arrays sort after every string in IndexedDB, so [namespace, []] bounds all its keys.
    const entries = await this.#read(['keyValues'], (tx) =>
      tx.objectStore('keyValues').getAll(IDBKeyRange.bound([namespace, prefix], [namespace, []])),
    );
    const matches: { key: string; value: T }[] = [];
    for (const entry of entries) {
      if (!entry.key.startsWith(prefix)) break;
      matches.push({ key: entry.key, value: entry.value as T });
    }
    return matches;
  }

  // --- traces -----------------------------------------------------------------------------

  /** Saves spans in one transaction; an existing `traceId`/`spanId` is replaced (span end). */
  async saveSpans(spans: SpanRecord[]): Promise<void> {
    await this.#write(['spans'], async (tx, changes) => {
      const store = tx.objectStore('spans');
      await each(spans, (span) => store.put(span));
      changes.push({
        store: 'spans',
        type: 'put',
        keys: spans.map((span) => `${span.traceId}/${span.spanId}`),
      });
    });
  }

  /** All spans of one trace, ordered by `startTime`. */
  async getTrace(traceId: string): Promise<SpanRecord[]> {
    const spans = await this.#read(['spans'], (tx) =>
      tx.objectStore('spans').index('byTrace').getAll(traceId),
    );
    return spans.sort((a, b) => a.startTime - b.startTime);
  }

  /** One root span per trace, newest first. */
  async listTraces(query: PageOptions & { resourceId?: string } = {}): Promise<Page<SpanRecord>> {
    resolvePage(query);
    const roots = (await this.#traceRoots()).filter(
      (root) => query.resourceId === undefined || root.resourceId === query.resourceId,
    );
    return pageOf(roots, query);
  }

  async #traceRoots(): Promise<SpanRecord[]> {
    const spans = await this.#read(['spans'], (tx) => tx.objectStore('spans').getAll());
    const byTrace = new Map<string, SpanRecord[]>();
    for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
    return traceRoots(byTrace.values());
  }

  /** Keeps only the newest `keep` traces (by root span start time). */
  async pruneTraces(keep: number): Promise<void> {
    const dropped = (await this.#traceRoots()).slice(Math.max(0, keep)).map((root) => root.traceId);
    if (dropped.length === 0) return;
    await this.#write(['spans'], async (tx, changes) => {
      const store = tx.objectStore('spans');
      const keys = (
        await Promise.all(dropped.map((traceId) => store.index('byTrace').getAllKeys(traceId)))
      ).flat();
      await Promise.all(keys.map((key) => store.delete(key)));
      changes.push({ store: 'spans', type: 'delete', keys: dropped });
    });
  }

  // --- eval results -----------------------------------------------------------------------

  /** Saves results in one transaction; an existing `id` is replaced. */
  async saveEvalResults(records: EvalResultRecord[]): Promise<void> {
    await this.#write(['evalResults'], async (tx, changes) => {
      const store = tx.objectStore('evalResults');
      await each(records, (record) => store.put(record));
      changes.push({ store: 'evalResults', type: 'put', keys: records.map((record) => record.id) });
    });
  }

  /** Results oldest first (`createdAt`, then `itemIndex`), optionally filtered. */
  async listEvalResults(
    query: PageOptions & { evalRunId?: string; scorerId?: string } = {},
  ): Promise<Page<EvalResultRecord>> {
    resolvePage(query);
    const records = await this.#read(['evalResults'], (tx) => {
      const store = tx.objectStore('evalResults');
      return query.evalRunId === undefined ? store.getAll() : store.index('byRun').getAll(query.evalRunId);
    });
    const matches = records
      .filter((record) => query.scorerId === undefined || record.scorerId === query.scorerId)
      .sort(compareEvalResults);
    return pageOf(matches, query);
  }

  // --- memory -----------------------------------------------------------------------------

  /** Creates or replaces a resource. */
  async saveResource(record: ResourceRecord): Promise<void> {
    await this.#write(['resources'], async (tx, changes) => {
      await tx.objectStore('resources').put(record);
      changes.push({ store: 'resources', type: 'put', keys: [record.id], resourceId: record.id });
    });
  }

  /** One resource, or `undefined`. */
  async getResource(id: string): Promise<ResourceRecord | undefined> {
    return this.#read(['resources'], (tx) => tx.objectStore('resources').get(id));
  }

  /** Creates or replaces a thread, keeping the larger `nextSeq` (a stale copy never rewinds it). */
  async saveThread(record: ThreadRecord): Promise<void> {
    this.#written.delete(record.id);
    const written = await this.#write(['threads'], async (tx, changes) => {
      const store = tx.objectStore('threads');
      const stored = await store.get(record.id);
      const thread = { ...record, nextSeq: Math.max(record.nextSeq, stored?.nextSeq ?? 0) };
      await store.put(thread);
      changes.push({
        store: 'threads',
        type: 'put',
        keys: [record.id],
        resourceId: record.resourceId,
        threadId: record.id,
      });
      return thread;
    });
    this.#remember(written);
  }

  /** One thread, or `undefined`. */
  async getThread(id: string): Promise<ThreadRecord | undefined> {
    return this.#read(['threads'], (tx) => tx.objectStore('threads').get(id));
  }

  /** Threads of one resource, newest first by `updatedAt`, paged inside the index. */
  async listThreads(query: PageOptions & { resourceId: string }): Promise<Page<ThreadRecord>> {
    const page = resolvePage(query);
    return this.#read(['threads'], (tx) =>
      newestFirst(tx.objectStore('threads').index('byResourceRecent'), prefixRange(query.resourceId), page),
    );
  }

  /** Deletes a thread and its messages in one transaction. */
  async deleteThread(id: string): Promise<void> {
    this.#written.delete(id);
    await this.#write(['threads', 'messages'], async (tx, changes) => {
      const thread = await tx.objectStore('threads').get(id);
      if (!thread) return;
      const messages = tx.objectStore('messages');
      const keys = await messages.index('byThreadSeq').getAllKeys(threadRange(id));
      await Promise.all([...keys.map((key) => messages.delete(key)), tx.objectStore('threads').delete(id)]);
      changes.push({
        store: 'threads',
        type: 'delete',
        keys: [id],
        resourceId: thread.resourceId,
        threadId: id,
      });
    });
  }

  /**
   * Appends messages in one transaction. `seq` comes from the thread's `nextSeq`, bumped inside
   * the same readwrite transaction; IndexedDB serialises such transactions across tabs, so
   * concurrent writers never collide and no message is lost. When this connection wrote the
   * thread last, the append is optimistic (one round trip, checked against the stored thread
   * before commit; see `appendInTransaction`). Resolves after commit.
   */
  async appendMessages(messages: NewMessageRecord[]): Promise<MessageRecord[]> {
    if (messages.length === 0) return [];
    const bases = new Map<string, ThreadRecord>();
    for (const message of messages) {
      const base = this.#written.get(message.threadId);
      if (base?.resourceId !== message.resourceId) {
        bases.clear();
        break;
      }
      bases.set(message.threadId, base);
    }
    let outcome: { saved: MessageRecord[]; threads: ThreadRecord[] };
    try {
      try {
        outcome = await this.#append(messages, bases.size > 0 ? bases : undefined);
      } catch (error) {
        if (error !== staleBase) throw error;
        outcome = await this.#append(messages, undefined);
      }
    } catch (error) {
      for (const message of messages) this.#written.delete(message.threadId);
      throw this.#mapError(error);
    }
    for (const thread of outcome.threads) this.#remember(thread);
    const byThread = new Map<string, MessageRecord[]>();
    for (const record of outcome.saved)
      byThread.set(record.threadId, [...(byThread.get(record.threadId) ?? []), record]);
    for (const [threadId, records] of byThread) {
      this.#announce({
        store: 'messages',
        type: 'put',
        keys: records.map((record) => record.id),
        resourceId: (records[0] as MessageRecord).resourceId,
        threadId,
      });
    }
    return outcome.saved;
  }

  #append(
    messages: NewMessageRecord[],
    bases: ReadonlyMap<string, ThreadRecord> | undefined,
  ): Promise<{ saved: MessageRecord[]; threads: ThreadRecord[] }> {
    const database = this.#database;
    if (!database) throw closedError(this.name);
    const tx = unwrap(database).transaction(['threads', 'messages'], 'readwrite', {
      durability: this.#durability,
    });
    return appendInTransaction(tx, messages, bases);
  }

  /** Keeps the thread record this connection just wrote, as the base of its next append. */
  #remember(thread: ThreadRecord): void {
    this.#written.delete(thread.id);
    this.#written.set(thread.id, thread);
    if (this.#written.size > maxWrittenThreads)
      this.#written.delete(this.#written.keys().next().value as string);
  }

  /** The newest `count` messages of a thread, oldest first. */
  async getLastMessages(threadId: string, count: number): Promise<MessageRecord[]> {
    if (count <= 0) return [];
    return this.#read(['threads', 'messages'], async (tx) => {
      const index = tx.objectStore('messages').index('byThreadSeq');
      if (this.#lastMessagesRead === 'cursor') return lastByCursor(index, threadRange(threadId), count);
      const thread = await tx.objectStore('threads').get(threadId);
      if (!thread) return [];
      const lower = Math.max(0, thread.nextSeq - count);
      const newest = await index.getAll(threadRange(threadId, lower));
      if (newest.length >= count || lower === 0) return newest.slice(-count);
      // Deleted messages left gaps: fetch the rest backwards from below the range.
      const older = await lastByCursor(
        index,
        IDBKeyRange.bound([threadId, 0], [threadId, lower], false, true),
        count - newest.length,
      );
      return [...older, ...newest];
    });
  }

  /** Messages of a thread oldest first; pages by skipping keys with a key cursor, then one `getAll`. */
  async listMessages(
    query: PageOptions & { threadId: string; fromSeq?: number; toSeq?: number },
  ): Promise<Page<MessageRecord>> {
    const { limit, offset } = resolvePage(query);
    return this.#read(['messages'], async (tx) => {
      const index = tx.objectStore('messages').index('byThreadSeq');
      const upper = query.toSeq ?? Number.POSITIVE_INFINITY;
      const range = threadRange(query.threadId, query.fromSeq ?? 0, upper);
      const total = await index.count(range);
      let start = range;
      if (offset > 0) {
        let cursor = await index.openKeyCursor(range);
        if (cursor) cursor = await cursor.advance(offset);
        if (!cursor) return { items: [], total, hasMore: false };
        start = IDBKeyRange.bound(cursor.key, [query.threadId, upper]);
      }
      const items = await index.getAll(start, limit);
      return { items, total, hasMore: offset + items.length < total };
    });
  }

  /** Several inclusive `seq` ranges in one transaction: one `getAll` per range. */
  async getMessageRanges(
    ranges: { threadId: string; fromSeq: number; toSeq: number }[],
  ): Promise<MessageRecord[][]> {
    if (ranges.length === 0) return [];
    return this.#read(['messages'], (tx) => {
      const index = tx.objectStore('messages').index('byThreadSeq');
      return Promise.all(
        ranges.map((range) => index.getAll(threadRange(range.threadId, range.fromSeq, range.toSeq))),
      );
    });
  }

  /** Messages by id in the order asked; missing ids are skipped. */
  async getMessages(ids: string[]): Promise<MessageRecord[]> {
    const found = await this.#read(['messages'], (tx) =>
      Promise.all(ids.map((id) => tx.objectStore('messages').get(id))),
    );
    return found.filter((message): message is MessageRecord => message !== undefined);
  }

  /** Replaces existing messages (matched by id and resource; thread and seq stay as stored). */
  async updateMessages(messages: MessageRecord[]): Promise<void> {
    await this.#write(['messages'], async (tx, changes) => {
      const store = tx.objectStore('messages');
      const stored = await Promise.all(messages.map((message) => store.get(message.id)));
      const updated = messages.map((message, position) => {
        const current = stored[position];
        if (!current || current.resourceId !== message.resourceId) {
          throw new InvalidArgumentError(`Message "${message.id}" does not exist for this resource.`, {
            hint: 'Only stored messages can be updated; append new ones with appendMessages.',
          });
        }
        return { ...message, threadId: current.threadId, seq: current.seq };
      });
      await each(updated, (message) => store.put(message));
      changes.push({ store: 'messages', type: 'put', keys: messages.map((message) => message.id) });
    });
  }

  /** Deletes messages by id; missing ids are ignored. */
  async deleteMessages(ids: string[]): Promise<void> {
    await this.#write(['messages'], async (tx, changes) => {
      const store = tx.objectStore('messages');
      await Promise.all(ids.map((id) => store.delete(id)));
      changes.push({ store: 'messages', type: 'delete', keys: ids });
    });
  }

  /** Number of messages in a thread (an index count, no records read). */
  async countMessages(threadId: string): Promise<number> {
    return this.#read(['messages'], (tx) =>
      tx.objectStore('messages').index('byThreadSeq').count(threadRange(threadId)),
    );
  }

  // --- documents --------------------------------------------------------------------------

  /** Saves a document and replaces its chunks in one transaction. */
  async saveDocument(document: DocumentRecord, chunks: ChunkRecord[]): Promise<void> {
    assertChunksOf(document, chunks);
    await this.#write(['documents', 'chunks'], async (tx, changes) => {
      const store = tx.objectStore('chunks');
      const oldKeys = await store.index('byDocumentIndex').getAllKeys(firstOf(document.id));
      await Promise.all(oldKeys.map((key) => store.delete(key)));
      await each(chunks, (chunk) => store.put(chunk));
      await tx.objectStore('documents').put(document);
      changes.push({ store: 'documents', type: 'put', keys: [document.id], ...owner(document) });
    });
  }

  /** One document, or `undefined`. */
  async getDocument(id: string): Promise<DocumentRecord | undefined> {
    return this.#read(['documents'], (tx) => tx.objectStore('documents').get(id));
  }

  /** The newest document with this content hash. */
  async findDocumentByHash(contentHash: string): Promise<DocumentRecord | undefined> {
    const matches = await this.#read(['documents'], (tx) =>
      tx.objectStore('documents').index('byHash').getAll(contentHash),
    );
    return matches.sort((a, b) => b.updatedAt - a.updatedAt)[0];
  }

  /** Documents newest first by `updatedAt`, paged inside an index. */
  async listDocuments(query: PageOptions & { resourceId?: string } = {}): Promise<Page<DocumentRecord>> {
    const page = resolvePage(query);
    return this.#read(['documents'], (tx) => {
      const store = tx.objectStore('documents');
      return query.resourceId === undefined
        ? newestFirst(store.index('byRecent'), null, page)
        : newestFirst(store.index('byResourceRecent'), prefixRange(query.resourceId), page);
    });
  }

  /** Chunks of a document ordered by `index` (one `getAll` over the compound index). */
  async getChunks(documentId: string): Promise<ChunkRecord[]> {
    return this.#read(['chunks'], (tx) =>
      tx.objectStore('chunks').index('byDocumentIndex').getAll(firstOf(documentId)),
    );
  }

  /** Chunks by id in the order asked; missing ids are skipped. */
  async getChunksByIds(ids: string[]): Promise<ChunkRecord[]> {
    const found = await this.#read(['chunks'], (tx) =>
      Promise.all(ids.map((id) => tx.objectStore('chunks').get(id))),
    );
    return found.filter((chunk): chunk is ChunkRecord => chunk !== undefined);
  }

  /** Deletes a document and its chunks in one transaction. */
  async deleteDocument(id: string): Promise<void> {
    await this.#write(['documents', 'chunks'], async (tx, changes) => {
      const document = await tx.objectStore('documents').get(id);
      if (!document) return;
      const store = tx.objectStore('chunks');
      const keys = await store.index('byDocumentIndex').getAllKeys(firstOf(id));
      await Promise.all([...keys.map((key) => store.delete(key)), tx.objectStore('documents').delete(id)]);
      changes.push({ store: 'documents', type: 'delete', keys: [id], ...owner(document) });
    });
  }

  // --- vector shards ----------------------------------------------------------------------

  /** Creates or replaces an index record. */
  async saveVectorIndex(record: VectorIndexRecord): Promise<void> {
    await this.#write(['vectorIndexes'], async (tx, changes) => {
      await tx.objectStore('vectorIndexes').put(record);
      changes.push({ store: 'vectorIndexes', type: 'put', keys: [record.indexName] });
    });
  }

  /** One index record, or `undefined`. */
  async loadVectorIndex(indexName: string): Promise<VectorIndexRecord | undefined> {
    return this.#read(['vectorIndexes'], (tx) => tx.objectStore('vectorIndexes').get(indexName));
  }

  /** Every index record, by name. */
  async listVectorIndexes(): Promise<VectorIndexRecord[]> {
    return this.#read(['vectorIndexes'], (tx) => tx.objectStore('vectorIndexes').getAll());
  }

  /** Writes packed shards in one transaction, replacing the same `shardId`. */
  async saveVectorShards(shards: VectorShardRecord[]): Promise<void> {
    shards.forEach(assertShard);
    await this.#write(['vectorShards'], async (tx, changes) => {
      const store = tx.objectStore('vectorShards');
      await each(shards, (shard) => store.put(shard));
      changes.push({
        store: 'vectorShards',
        type: 'put',
        keys: shards.map((shard) => `${shard.indexName}/${shard.shardId}`),
      });
    });
  }

  /** Shards of an index ordered by `shardId`. */
  async loadVectorShards(indexName: string): Promise<VectorShardRecord[]> {
    return this.#read(['vectorShards'], (tx) => tx.objectStore('vectorShards').getAll(firstOf(indexName)));
  }

  /** Deletes some shards, or the whole index (shards and record) when `shardIds` is omitted. */
  async deleteVectorShards(indexName: string, shardIds?: number[]): Promise<void> {
    await this.#write(['vectorShards', 'vectorIndexes'], async (tx, changes) => {
      const store = tx.objectStore('vectorShards');
      if (shardIds === undefined) {
        await Promise.all([
          store.delete(firstOf(indexName)),
          tx.objectStore('vectorIndexes').delete(indexName),
        ]);
      } else {
        await Promise.all(shardIds.map((shardId) => store.delete([indexName, shardId])));
      }
      changes.push({ store: 'vectorShards', type: 'delete', keys: [indexName] });
    });
  }

  // --- whole resource ---------------------------------------------------------------------

  /** Deletes everything a resource owns in one transaction. */
  async deleteAll(query: { resourceId: string }): Promise<void> {
    const { resourceId } = query;
    await this.#write(allStores, async (tx, changes) => {
      const deletes: Promise<unknown>[] = [tx.objectStore('resources').delete(resourceId)];
      const threads = tx.objectStore('threads');
      for (const key of await threads.index('byResourceRecent').getAllKeys(prefixRange(resourceId)))
        deletes.push(threads.delete(key));
      const messages = tx.objectStore('messages');
      for (const key of await messages.index('byResource').getAllKeys(resourceId))
        deletes.push(messages.delete(key));
      const documents = tx.objectStore('documents');
      const chunks = tx.objectStore('chunks');
      for (const documentId of await documents.index('byResource').getAllKeys(resourceId)) {
        for (const key of await chunks.index('byDocumentIndex').getAllKeys(firstOf(documentId)))
          deletes.push(chunks.delete(key));
        deletes.push(documents.delete(documentId));
      }
      const snapshots = tx.objectStore('workflowSnapshots');
      for (const key of await snapshots.index('byResource').getAllKeys(resourceId))
        deletes.push(snapshots.delete(key));
      const evalResults = tx.objectStore('evalResults');
      for (const key of await evalResults.index('byResource').getAllKeys(resourceId))
        deletes.push(evalResults.delete(key));
      const spans = tx.objectStore('spans');
      const traceIds = new Set(
        (await spans.index('byResource').getAllKeys(resourceId)).map(([traceId]) => traceId),
      );
      for (const traceId of traceIds) {
        for (const key of await spans.index('byTrace').getAllKeys(traceId)) deletes.push(spans.delete(key));
      }
      await Promise.all(deletes);
      changes.push({ store: 'resources', type: 'delete', keys: [resourceId], resourceId });
    });
  }
}

type MessageIndex =
  ReturnType<Transaction<['messages'], 'readonly'>['objectStore']> extends infer S
    ? S extends { index(name: 'byThreadSeq'): infer I }
      ? I
      : never
    : never;

/** The newest `count` records of `range`, oldest first, via a reverse cursor. */
async function lastByCursor(
  index: MessageIndex,
  range: IDBKeyRange,
  count: number,
): Promise<MessageRecord[]> {
  const items: MessageRecord[] = [];
  for (
    let cursor = await index.openCursor(range, 'prev');
    cursor && items.length < count;
    cursor = await cursor.continue()
  ) {
    items.push(cursor.value);
  }
  return items.reverse();
}

/** The index operations `newestFirst` needs (idb's typed index narrows to this). */
interface RecentIndex<T> {
  count(range?: IDBKeyRange | null): Promise<number>;
  openKeyCursor(range: IDBKeyRange | null, direction: IDBCursorDirection): Promise<KeyCursor | null>;
  getAll(range: IDBKeyRange, count?: number): Promise<T[]>;
}
interface KeyCursor {
  readonly key: IDBValidKey;
  advance(count: number): Promise<KeyCursor | null>;
}

/**
 * One page, newest first, of an index whose keys are unique and end in `updatedAt, id`: a key
 * cursor skips `offset` keys and then `limit − 1` more (no records are read while skipping),
 * and one `getAll` reads the records between the two keys it landed on. Five requests for any
 * page, instead of one per record with a value cursor or every record with `getAll`.
 */
async function newestFirst<T>(
  index: RecentIndex<T>,
  range: IDBKeyRange | null,
  page: { limit: number; offset: number },
): Promise<Page<T>> {
  const { limit, offset } = page;
  const total = await index.count(range);
  if (offset >= total) return { items: [], total, hasMore: false };
  let cursor = await index.openKeyCursor(range, 'prev');
  if (cursor && offset > 0) cursor = await cursor.advance(offset);
  if (!cursor) return { items: [], total, hasMore: false };
  const newest = cursor.key;
  let oldest: IDBKeyRange;
  if (offset + limit < total) {
    if (limit > 1) cursor = await cursor.advance(limit - 1);
    oldest = IDBKeyRange.bound((cursor as KeyCursor).key, newest);
  } else if (range?.lower !== undefined) {
    oldest = IDBKeyRange.bound(range.lower, newest, range.lowerOpen);
  } else {
    oldest = IDBKeyRange.upperBound(newest);
  }
  const items = (await index.getAll(oldest, limit)).reverse();
  return { items, total, hasMore: offset + items.length < total };
}

/**
 * Issues one request per item and waits for all. If issuing throws midway (quota, clone
 * error), the requests already issued are still observed, so their abort rejections are not
 * reported as unhandled; the caller's transaction is then aborted.
 */
async function each<T>(items: readonly T[], issue: (item: T) => Promise<unknown>): Promise<void> {
  const pending: Promise<unknown>[] = [];
  try {
    for (const item of items) pending.push(issue(item));
  } catch (error) {
    for (const request of pending) request.catch(() => undefined);
    throw error;
  }
  await Promise.all(pending);
}

function owner(record: { resourceId?: string }): { resourceId?: string } {
  return record.resourceId === undefined ? {} : { resourceId: record.resourceId };
}

/** Thrown inside an optimistic append whose base record another writer changed. */
const staleBase = Symbol('stale base');

/**
 * The append hot path on the raw transaction (callbacks, not promise wrappers), resolving only
 * once the transaction has committed. It rejects, with the transaction aborted, on a missing or
 * foreign thread, a duplicate id or a quota failure.
 *
 * Without `bases`, it reads each thread, then issues every write and an explicit `commit()`:
 * two round trips to the IndexedDB backend. With `bases` (the thread records this connection
 * last wrote), it is optimistic: the thread reads, the message adds and the thread puts computed
 * from the bases are issued together, and the transaction commits once every read has come
 * back equal to its base, in one round trip. Requests run in order, so the reads see the threads
 * as they were before our puts. If a read differs (another tab appended or renamed, or the
 * thread is gone), the transaction is aborted before anything is written and the promise
 * rejects with `staleBase`: the caller then appends again without bases.
 */
function appendInTransaction(
  tx: IDBTransaction,
  messages: NewMessageRecord[],
  bases?: ReadonlyMap<string, ThreadRecord>,
): Promise<{ saved: MessageRecord[]; threads: ThreadRecord[] }> {
  return new Promise((resolve, reject) => {
    let saved: MessageRecord[] = [];
    let failure: unknown;
    const fail = (error: unknown) => {
      failure ??= error;
      try {
        tx.abort();
      } catch {
        // Already aborting: onabort reports `failure`.
      }
    };
    const threads = tx.objectStore('threads');
    const threadIds = [...new Set(messages.map((message) => message.threadId))];
    const loaded = new Map<string, ThreadRecord>();
    tx.oncomplete = () => resolve({ saved, threads: [...loaded.values()] });
    tx.onabort = () => reject(failure ?? tx.error ?? new DOMException('Transaction aborted', 'AbortError'));
    const write = () => {
      for (const message of messages) {
        const thread = loaded.get(message.threadId);
        if (!thread || thread.resourceId !== message.resourceId)
          throw threadNotFound(message.threadId, message.resourceId);
      }
      saved = messages.map((message) => {
        const thread = loaded.get(message.threadId) as ThreadRecord;
        const record: MessageRecord = { ...message, seq: thread.nextSeq };
        thread.nextSeq += 1;
        thread.updatedAt = Math.max(thread.updatedAt, message.createdAt);
        return record;
      });
      const store = tx.objectStore('messages');
      for (const record of saved) store.add(record);
      for (const thread of loaded.values()) threads.put(thread);
    };
    let pending = threadIds.length;
    try {
      if (bases)
        for (const threadId of threadIds) loaded.set(threadId, { ...(bases.get(threadId) as ThreadRecord) });
      const reads = threadIds.map((threadId) => threads.get(threadId));
      if (bases) write();
      for (const [position, request] of reads.entries()) {
        request.onsuccess = () => {
          try {
            const threadId = threadIds[position] as string;
            if (!bases) {
              if (request.result) loaded.set(threadId, request.result as ThreadRecord);
            } else if (!sameValue(request.result, bases.get(threadId))) throw staleBase;
            pending -= 1;
            if (pending > 0) return;
            if (!bases) write();
            tx.commit();
          } catch (error) {
            fail(error);
          }
        };
      }
    } catch (error) {
      fail(error);
    }
  });
}

/** Deep equality of structured-clone data; conservative (any non-plain object compares unequal). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, index) => sameValue(item, b[index]));
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype)
    return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every(
      (key) =>
        Object.hasOwn(b, key) &&
        sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
    )
  );
}
