import { DecryptionError, InvalidArgumentError } from '../errors/index.js';
import { assertShard } from '../storage/in-memory-storage.js';
import type {
  ChunkRecord,
  DocumentRecord,
  EvalResultRecord,
  MessageRecord,
  NewMessageRecord,
  Page,
  ResourceRecord,
  SpanRecord,
  Storage,
  StorageListener,
  ThreadRecord,
  VectorIndexRecord,
  VectorShardRecord,
  WorkflowSnapshotRecord,
} from '../storage/types.js';
import {
  type Cipher,
  checkKeyVerifier,
  createCipher,
  createKeyVerifier,
  deriveKey,
  type EncryptedValue,
  randomSalt,
} from './encryption.js';

/** Key-value namespace holding the salt and key verifier (both safe to store in the clear). */
export const encryptionNamespace = 'lumos.encryption';

/** Where the key comes from: a ready cipher, an app-supplied `CryptoKey`, or a passphrase. */
export type EncryptionKeySource =
  | { cipher: Cipher }
  | { key: CryptoKey }
  | {
      passphrase: string;
      /** @default a random salt created on first use and stored beside the data */
      salt?: Uint8Array;
      /** PBKDF2 iterations. @default 600000 */
      iterations?: number;
    };

/** The content fields of each record kind: encrypted together into `sealed`. */
const contentFields = {
  resource: ['workingMemory', 'metadata'],
  thread: ['title', 'metadata', 'workingMemory'],
  message: ['message', 'metadata'],
  snapshot: ['snapshot'],
  span: ['name', 'attributes', 'events'],
  evalResult: ['input', 'output', 'reason', 'error', 'details'],
  document: ['source', 'title', 'mimeType', 'content', 'metadata'],
  chunk: ['text', 'metadata'],
} as const;

type Sealed<T> = T & { sealed?: EncryptedValue; sealedBytes?: EncryptedValue };

async function resolveCipher(storage: Storage, source: EncryptionKeySource): Promise<Cipher> {
  if ('cipher' in source) return source.cipher;
  if ('key' in source) return createCipher(source.key);
  let salt = source.salt;
  if (!salt) {
    salt = await storage.getValue<Uint8Array>(encryptionNamespace, 'salt');
    if (!salt) {
      salt = randomSalt();
      await storage.setValue(encryptionNamespace, 'salt', salt);
    }
  }
  const key = await deriveKey(
    source.passphrase,
    source.iterations === undefined ? { salt } : { salt, iterations: source.iterations },
  );
  return createCipher(key);
}

/**
 * Wraps any `Storage` so the content of every record is AES-GCM encrypted before it reaches
 * IndexedDB, and decrypted on read. Ids, owners (`resourceId`, `threadId`), sequence numbers,
 * timestamps, statuses, scores and document content hashes stay in the clear because the
 * storage's indexes and queries need them. Key-value values are encrypted whole (namespaces and
 * keys stay clear). A key verifier is checked first: a wrong passphrase or key throws
 * `DecryptionError` before anything is read or written.
 *
 * ```ts
 * const storage = await createEncryptedStorage(await IndexedDBStorage.open(), { passphrase });
 * const memory = new Memory({ storage, embedder, vector });
 * ```
 */
export async function createEncryptedStorage(
  storage: Storage,
  source: EncryptionKeySource,
): Promise<Storage> {
  const cipher = await resolveCipher(storage, source);
  const verifier = await storage.getValue<EncryptedValue>(encryptionNamespace, 'verifier');
  if (verifier) {
    try {
      await checkKeyVerifier(cipher, verifier);
    } catch (cause) {
      throw new DecryptionError('This storage was encrypted with another passphrase or key.', {
        hint: 'Ask for the passphrase again; the stored data has not been touched.',
        cause,
      });
    }
  } else {
    await storage.setValue(encryptionNamespace, 'verifier', await createKeyVerifier(cipher));
  }
  return new EncryptedStorage(storage, cipher);
}

class EncryptedStorage implements Storage {
  constructor(
    private readonly inner: Storage,
    private readonly cipher: Cipher,
  ) {}

  private async seal<T extends object>(record: T, fields: readonly string[]): Promise<T> {
    const clear = { ...record } as Record<string, unknown>;
    const secret: Record<string, unknown> = {};
    for (const field of fields) {
      if (clear[field] !== undefined) secret[field] = clear[field];
      delete clear[field];
    }
    clear.sealed = await this.cipher.encryptJSON(secret);
    return clear as T;
  }

  private async open<T extends object>(record: T): Promise<T> {
    const { sealed, ...clear } = record as Sealed<T>;
    if (!sealed) {
      throw new DecryptionError('A stored record is not encrypted.', {
        hint: 'It was written without encryption; export and re-import the data through the encrypted storage.',
      });
    }
    return { ...clear, ...(await this.cipher.decryptJSON<Partial<T>>(sealed)) } as T;
  }

  private openAll<T extends object>(records: T[]): Promise<T[]> {
    return Promise.all(records.map((record) => this.open(record)));
  }

  private async openPage<T extends object>(page: Page<T>): Promise<Page<T>> {
    return { ...page, items: await this.openAll(page.items) };
  }

  private async openOptional<T extends object>(record: T | undefined): Promise<T | undefined> {
    return record === undefined ? undefined : this.open(record);
  }

  // --- workflow snapshots ---

  async saveWorkflowSnapshot(record: WorkflowSnapshotRecord): Promise<void> {
    await this.inner.saveWorkflowSnapshot(await this.seal(record, contentFields.snapshot));
  }
  async loadWorkflowSnapshot(key: { workflowId: string; runId: string }) {
    return this.openOptional(await this.inner.loadWorkflowSnapshot(key));
  }
  async listWorkflowSnapshots(query: Parameters<Storage['listWorkflowSnapshots']>[0]) {
    return this.openPage(await this.inner.listWorkflowSnapshots(query));
  }
  deleteWorkflowSnapshot(key: { workflowId: string; runId: string }): Promise<void> {
    return this.inner.deleteWorkflowSnapshot(key);
  }

  // --- key-value: values encrypted whole; the encryption namespace itself is not ---

  private guard(namespace: string): void {
    if (namespace === encryptionNamespace) {
      throw new InvalidArgumentError(`The key-value namespace "${encryptionNamespace}" is reserved.`, {
        hint: 'It holds the salt and key verifier; use another namespace.',
      });
    }
  }
  async getValue<T = unknown>(namespace: string, key: string): Promise<T | undefined> {
    this.guard(namespace);
    const value = await this.inner.getValue<EncryptedValue>(namespace, key);
    return value === undefined ? undefined : this.cipher.decryptJSON<T>(value);
  }
  async setValue(namespace: string, key: string, value: unknown): Promise<void> {
    this.guard(namespace);
    await this.inner.setValue(namespace, key, await this.cipher.encryptJSON(value));
  }
  deleteValue(namespace: string, key: string): Promise<void> {
    this.guard(namespace);
    return this.inner.deleteValue(namespace, key);
  }
  async listValues<T = unknown>(namespace: string, options?: { prefix?: string }) {
    this.guard(namespace);
    const entries = await this.inner.listValues<EncryptedValue>(namespace, options);
    return Promise.all(
      entries.map(async ({ key, value }) => ({ key, value: await this.cipher.decryptJSON<T>(value) })),
    );
  }

  // --- traces ---

  async saveSpans(spans: SpanRecord[]): Promise<void> {
    await this.inner.saveSpans(await Promise.all(spans.map((span) => this.seal(span, contentFields.span))));
  }
  async getTrace(traceId: string): Promise<SpanRecord[]> {
    return this.openAll(await this.inner.getTrace(traceId));
  }
  async listTraces(query?: Parameters<Storage['listTraces']>[0]) {
    return this.openPage(await this.inner.listTraces(query));
  }
  pruneTraces(keep: number): Promise<void> {
    return this.inner.pruneTraces(keep);
  }

  // --- eval results ---

  async saveEvalResults(records: EvalResultRecord[]): Promise<void> {
    await this.inner.saveEvalResults(
      await Promise.all(records.map((record) => this.seal(record, contentFields.evalResult))),
    );
  }
  async listEvalResults(query: Parameters<Storage['listEvalResults']>[0]) {
    return this.openPage(await this.inner.listEvalResults(query));
  }

  // --- memory ---

  async saveResource(record: ResourceRecord): Promise<void> {
    await this.inner.saveResource(await this.seal(record, contentFields.resource));
  }
  async getResource(id: string) {
    return this.openOptional(await this.inner.getResource(id));
  }
  async saveThread(record: ThreadRecord): Promise<void> {
    await this.inner.saveThread(await this.seal(record, contentFields.thread));
  }
  async getThread(id: string) {
    return this.openOptional(await this.inner.getThread(id));
  }
  async listThreads(query: Parameters<Storage['listThreads']>[0]) {
    return this.openPage(await this.inner.listThreads(query));
  }
  deleteThread(id: string): Promise<void> {
    return this.inner.deleteThread(id);
  }
  async appendMessages(messages: NewMessageRecord[]): Promise<MessageRecord[]> {
    const sealed = await Promise.all(messages.map((message) => this.seal(message, contentFields.message)));
    const stored = await this.inner.appendMessages(sealed);
    // The storage assigned `seq`; the content is what the caller passed.
    return stored.map((record, index) => ({ ...messages[index]!, seq: record.seq }));
  }
  async getLastMessages(threadId: string, count: number) {
    return this.openAll(await this.inner.getLastMessages(threadId, count));
  }
  async listMessages(query: Parameters<Storage['listMessages']>[0]) {
    return this.openPage(await this.inner.listMessages(query));
  }
  async getMessageRanges(ranges: Parameters<Storage['getMessageRanges']>[0]) {
    const lists = await this.inner.getMessageRanges(ranges);
    return Promise.all(lists.map((list) => this.openAll(list)));
  }
  async getMessages(ids: string[]) {
    return this.openAll(await this.inner.getMessages(ids));
  }
  async updateMessages(messages: MessageRecord[]): Promise<void> {
    await this.inner.updateMessages(
      await Promise.all(messages.map((message) => this.seal(message, contentFields.message))),
    );
  }
  deleteMessages(ids: string[]): Promise<void> {
    return this.inner.deleteMessages(ids);
  }
  countMessages(threadId: string): Promise<number> {
    return this.inner.countMessages(threadId);
  }

  // --- documents and chunks ---

  async saveDocument(document: DocumentRecord, chunks: ChunkRecord[]): Promise<void> {
    const [sealedDocument, sealedChunks] = await Promise.all([
      this.seal(document, contentFields.document),
      Promise.all(chunks.map((chunk) => this.seal(chunk, contentFields.chunk))),
    ]);
    await this.inner.saveDocument(sealedDocument, sealedChunks);
  }
  async getDocument(id: string) {
    return this.openOptional(await this.inner.getDocument(id));
  }
  async findDocumentByHash(contentHash: string) {
    return this.openOptional(await this.inner.findDocumentByHash(contentHash));
  }
  async listDocuments(query: Parameters<Storage['listDocuments']>[0]) {
    return this.openPage(await this.inner.listDocuments(query));
  }
  async getChunks(documentId: string) {
    return this.openAll(await this.inner.getChunks(documentId));
  }
  async getChunksByIds(ids: string[]) {
    return this.openAll(await this.inner.getChunksByIds(ids));
  }
  deleteDocument(id: string): Promise<void> {
    return this.inner.deleteDocument(id);
  }

  // --- vector shards: vectors as raw encrypted bytes, ids and metadata as JSON ---

  async saveVectorIndex(record: VectorIndexRecord): Promise<void> {
    const { serializedIndex, ...clear } = record;
    const sealed: Sealed<VectorIndexRecord> = { ...clear };
    if (serializedIndex) sealed.sealedBytes = await this.cipher.encryptBytes(serializedIndex);
    await this.inner.saveVectorIndex(sealed);
  }
  private async openVectorIndex(record: VectorIndexRecord): Promise<VectorIndexRecord> {
    const { sealedBytes, ...clear } = record as Sealed<VectorIndexRecord>;
    return sealedBytes ? { ...clear, serializedIndex: await this.cipher.decryptBytes(sealedBytes) } : clear;
  }
  async loadVectorIndex(indexName: string) {
    const record = await this.inner.loadVectorIndex(indexName);
    return record && this.openVectorIndex(record);
  }
  async listVectorIndexes() {
    return Promise.all((await this.inner.listVectorIndexes()).map((record) => this.openVectorIndex(record)));
  }
  async saveVectorShards(shards: VectorShardRecord[]): Promise<void> {
    // The wrapped storage only sees empty stand-ins, so validate here.
    for (const shard of shards) assertShard(shard);
    const sealed = await Promise.all(
      shards.map(async (shard): Promise<Sealed<VectorShardRecord>> => {
        const bytes = new Uint8Array(
          shard.vectors.buffer,
          shard.vectors.byteOffset,
          shard.vectors.byteLength,
        );
        return {
          indexName: shard.indexName,
          shardId: shard.shardId,
          ids: [],
          vectors: new Float32Array(0),
          metadata: [],
          sealed: await this.cipher.encryptJSON({ ids: shard.ids, metadata: shard.metadata }),
          sealedBytes: await this.cipher.encryptBytes(bytes),
        };
      }),
    );
    await this.inner.saveVectorShards(sealed);
  }
  async loadVectorShards(indexName: string): Promise<VectorShardRecord[]> {
    const shards = (await this.inner.loadVectorShards(indexName)) as Sealed<VectorShardRecord>[];
    return Promise.all(
      shards.map(async ({ sealed, sealedBytes, ...clear }) => {
        if (!sealed || !sealedBytes) throw new DecryptionError(`Vector shard ${indexName} is not encrypted.`);
        const bytes = await this.cipher.decryptBytes(sealedBytes);
        const content = await this.cipher.decryptJSON<Pick<VectorShardRecord, 'ids' | 'metadata'>>(sealed);
        return { ...clear, ...content, vectors: new Float32Array(bytes.buffer, 0, bytes.byteLength / 4) };
      }),
    );
  }
  deleteVectorShards(indexName: string, shardIds?: number[]): Promise<void> {
    return this.inner.deleteVectorShards(indexName, shardIds);
  }

  // --- aggregate ---

  subscribe(listener: StorageListener): () => void {
    return this.inner.subscribe(listener);
  }
  deleteAll(query: { resourceId: string }): Promise<void> {
    return this.inner.deleteAll(query);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
