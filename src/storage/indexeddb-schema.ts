import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type {
  ChunkRecord,
  DocumentRecord,
  EvalResultRecord,
  MessageRecord,
  ResourceRecord,
  SpanRecord,
  ThreadRecord,
  VectorIndexRecord,
  VectorShardRecord,
  WorkflowSnapshotRecord,
} from './types.js';

/** A key-value entry as stored: the compound primary key is `[namespace, key]`. */
export interface KeyValueEntry {
  namespace: string;
  key: string;
  value: unknown;
}

/** The current schema (version 3). Every index name says its key path. */
export interface LumosSchema extends DBSchema {
  resources: { key: string; value: ResourceRecord };
  threads: {
    key: string;
    value: ThreadRecord;
    /** `[resourceId, updatedAt, id]`: unique, so a page boundary is one exact key. */
    indexes: { byResourceRecent: [string, number, string] };
  };
  messages: {
    key: string;
    value: MessageRecord;
    indexes: { byThreadSeq: [string, number]; byResource: string };
  };
  workflowSnapshots: {
    key: [string, string];
    value: WorkflowSnapshotRecord;
    indexes: { byUpdated: number; byResource: string };
  };
  keyValues: { key: [string, string]; value: KeyValueEntry };
  spans: { key: [string, string]; value: SpanRecord; indexes: { byTrace: string; byResource: string } };
  evalResults: { key: string; value: EvalResultRecord; indexes: { byRun: string; byResource: string } };
  documents: {
    key: string;
    value: DocumentRecord;
    indexes: {
      byHash: string;
      byResource: string;
      /** `[resourceId, updatedAt, id]` (documents with a resource). */
      byResourceRecent: [string, number, string];
      /** `[updatedAt, id]` (all documents). */
      byRecent: [number, string];
    };
  };
  chunks: { key: string; value: ChunkRecord; indexes: { byDocumentIndex: [string, number] } };
  vectorIndexes: { key: string; value: VectorIndexRecord };
  vectorShards: { key: [string, number]; value: VectorShardRecord; indexes: { byIndex: string } };
}

// Migrations see the database with loose types: each one runs against the shape its
// predecessor left, which the current schema type does not describe.
type UpgradeDatabase = IDBPDatabase<unknown>;
type UpgradeTransaction = IDBPTransaction<unknown, StoreNames<unknown>[], 'versionchange'>;

/** One schema step: `migrations[n]` upgrades version `n` to `n + 1`. */
export type Migration = (database: UpgradeDatabase, transaction: UpgradeTransaction) => Promise<void>;

/**
 * Version 1 (first release): memory, workflow snapshots, key-values, traces and eval results.
 * Messages were ordered by `[threadId, createdAt]`.
 */
const createVersion1: Migration = async (database) => {
  database.createObjectStore('resources', { keyPath: 'id' });
  database
    .createObjectStore('threads', { keyPath: 'id' })
    .createIndex('byResourceUpdated', ['resourceId', 'updatedAt']);
  database
    .createObjectStore('messages', { keyPath: 'id' })
    .createIndex('byThreadCreated', ['threadId', 'createdAt']);
  const snapshots = database.createObjectStore('workflowSnapshots', { keyPath: ['workflowId', 'runId'] });
  snapshots.createIndex('byUpdated', 'updatedAt');
  snapshots.createIndex('byResource', 'resourceId');
  database.createObjectStore('keyValues', { keyPath: ['namespace', 'key'] });
  const spans = database.createObjectStore('spans', { keyPath: ['traceId', 'spanId'] });
  spans.createIndex('byTrace', 'traceId');
  spans.createIndex('byResource', 'resourceId');
  const evalResults = database.createObjectStore('evalResults', { keyPath: 'id' });
  evalResults.createIndex('byRun', 'evalRunId');
  evalResults.createIndex('byResource', 'resourceId');
};

/**
 * Version 2: messages get a per-thread `seq` (so concurrent tabs append without overwriting and
 * the last N are one `getAll` over a key range), threads a `nextSeq`; documents, chunks and
 * vector shards arrive. Existing messages are numbered in `createdAt` order, ties by id.
 */
const upgradeToVersion2: Migration = async (database, transaction) => {
  const threads = transaction.objectStore('threads');
  const messages = transaction.objectStore('messages');
  const byThread = new Map<string, { id: string; createdAt: number }[]>();
  for (let cursor = await messages.openCursor(); cursor; cursor = await cursor.continue()) {
    const message = cursor.value as { id: string; threadId: string; createdAt: number };
    const list = byThread.get(message.threadId) ?? [];
    list.push({ id: message.id, createdAt: message.createdAt });
    byThread.set(message.threadId, list);
  }
  for (let cursor = await threads.openCursor(); cursor; cursor = await cursor.continue()) {
    const thread = cursor.value as ThreadRecord;
    const ordered = (byThread.get(thread.id) ?? []).sort(
      (a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    for (const [seq, { id }] of ordered.entries()) {
      const message = (await messages.get(id)) as MessageRecord;
      await messages.put({ ...message, seq });
    }
    await cursor.update({ ...thread, nextSeq: ordered.length });
  }
  messages.deleteIndex('byThreadCreated');
  messages.createIndex('byThreadSeq', ['threadId', 'seq'], { unique: true });
  messages.createIndex('byResource', 'resourceId');
  const documents = database.createObjectStore('documents', { keyPath: 'id' });
  documents.createIndex('byHash', 'contentHash');
  documents.createIndex('byResource', 'resourceId');
  documents.createIndex('byUpdated', 'updatedAt');
  database
    .createObjectStore('chunks', { keyPath: 'id' })
    .createIndex('byDocumentIndex', ['documentId', 'index']);
  database.createObjectStore('vectorIndexes', { keyPath: 'indexName' });
  database
    .createObjectStore('vectorShards', { keyPath: ['indexName', 'shardId'] })
    .createIndex('byIndex', 'indexName');
};

/**
 * Version 3: threads and documents list newest first straight from an index. Both get
 * `[…, updatedAt, id]` indexes (the id makes every key unique, so a page is one `getAll` between
 * two exact keys even when timestamps tie); they replace `threads.byResourceUpdated` and
 * `documents.byUpdated`. IndexedDB fills new indexes from the existing records.
 */
const upgradeToVersion3: Migration = async (_database, transaction) => {
  const threads = transaction.objectStore('threads');
  threads.deleteIndex('byResourceUpdated');
  threads.createIndex('byResourceRecent', ['resourceId', 'updatedAt', 'id']);
  const documents = transaction.objectStore('documents');
  documents.deleteIndex('byUpdated');
  documents.createIndex('byResourceRecent', ['resourceId', 'updatedAt', 'id']);
  documents.createIndex('byRecent', ['updatedAt', 'id']);
};

/** Every migration in order; the schema version is `migrations.length`. */
export const migrations: readonly Migration[] = [createVersion1, upgradeToVersion2, upgradeToVersion3];

/** The version `IndexedDBStorage` opens. */
export const schemaVersion = migrations.length;
