import { expect } from 'vitest';
import { DecryptionError } from '../../errors/index.js';
import { Memory } from '../../memory/index.js';
import { HashEmbedder } from '../../memory/testing/hash-embedder.js';
import { createKnowledgeBase, MDocument } from '../../rag/index.js';
import { IndexedDBStorage } from '../../storage/index.js';
import type { Storage } from '../../storage/types.js';
import type { VectorStore } from '../../vector/types.js';
import { VectorCore, type VectorSettings } from '../../vector/vector-core.js';
import { deleteResource } from '../delete-resource.js';
import { createEncryptedStorage } from '../encrypted-storage.js';
import { deriveKey, randomSalt } from '../encryption.js';

/** Known plaintext that must never appear in an encrypted database. */
export const secrets = {
  message: 'my locker code is 48151623',
  workingMemory: 'allergic to hazelnuts',
  title: 'Visit to Dr Okonkwo',
  document: 'The vault combination is aquamarine-seven-lantern.',
  snapshot: 'wire 9000 EUR to account NO9386011117947',
  value: 'session-token-zebra-quartz',
  span: 'prompt-with-secret-orchid',
  evalInput: 'eval-input-secret-marigold',
};

/** Everything in one IndexedDB database: every string, every number, every binary byte. */
export interface DatabaseDump {
  text: string;
  numbers: Set<number>;
  bytes: Uint8Array;
  /** Structured copy of every record, for equality checks. */
  records: unknown[];
}

/** Reads every record of every object store of `name` without going through Lumos. */
export async function dumpDatabase(name: string): Promise<DatabaseDump> {
  const database = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const records: unknown[] = [];
  for (const storeName of Array.from(database.objectStoreNames)) {
    const all = await new Promise<unknown[]>((resolve, reject) => {
      const request = database.transaction(storeName).objectStore(storeName).getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    records.push(...all.map((record) => ({ store: storeName, record })));
  }
  database.close();
  const strings: string[] = [];
  const numbers = new Set<number>();
  const chunks: Uint8Array[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') strings.push(value);
    else if (typeof value === 'number') numbers.add(value);
    else if (value instanceof ArrayBuffer) chunks.push(new Uint8Array(value));
    else if (ArrayBuffer.isView(value)) {
      chunks.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      if (value instanceof Float32Array) for (const number of value) numbers.add(number);
    } else if (Array.isArray(value)) for (const item of value) walk(item);
    else if (value && typeof value === 'object') {
      for (const [key, field] of Object.entries(value)) {
        strings.push(key);
        walk(field);
      }
    }
  };
  walk(records);
  const bytes = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { text: strings.join('\n'), numbers, bytes, records };
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let start = 0; start + needle.length <= haystack.length; start += 1) {
    for (let index = 0; index < needle.length; index += 1) {
      if (haystack[start + index] !== needle[index]) continue outer;
    }
    return true;
  }
  return false;
}

/** Whether a dump holds a string (as text or as UTF-8 inside binary values). */
export function dumpContainsText(dump: DatabaseDump, text: string): boolean {
  return dump.text.includes(text) || containsBytes(dump.bytes, new TextEncoder().encode(text));
}

/** Whether a dump holds a vector: its raw float32 bytes, or its first component as a number. */
export function dumpContainsVector(dump: DatabaseDump, vector: Float32Array): boolean {
  const bytes = new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
  return containsBytes(dump.bytes, bytes) || dump.numbers.has(vector[0]!);
}

/** A deterministic vector whose components are distinctive floats. */
export function knownVector(dimension: number, seed: number): Float32Array {
  const vector = new Float32Array(dimension);
  let state = seed;
  for (let index = 0; index < dimension; index += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    vector[index] = state / 2 ** 32 - 0.5;
  }
  return vector;
}

/** The vector store of a stack: `VectorCore` (Node) or `BrowserVector` (a real worker). */
export type StackVector = VectorStore & {
  flush(): Promise<void>;
  close(): Promise<void>;
  compact(params: { indexName: string }): Promise<void>;
};

/** Opens a persistent vector store with these settings. */
export type VectorFactory = (settings: VectorSettings) => StackVector;

const coreFactory: VectorFactory = (settings) => new VectorCore({ ...settings, persist: true });

export interface StackNames {
  storage: string;
  vectors: string;
}

/** Everything the app stores for resource `u`, written through one stack (encrypted or not). */
export async function fillStack(storage: Storage, vector: StackVector): Promise<{ vector: Float32Array }> {
  const embedder = new HashEmbedder();
  const memory = new Memory({
    storage,
    embedder,
    vector,
    options: {
      lastMessages: 2,
      semanticRecall: { topK: 1, messageRange: 0 },
      workingMemory: { enabled: true },
    },
  });
  await storage.saveResource({ id: 'u', workingMemory: secrets.workingMemory, createdAt: 1, updatedAt: 1 });
  await storage.saveThread({
    id: 't',
    resourceId: 'u',
    title: secrets.title,
    createdAt: 1,
    updatedAt: 1,
    nextSeq: 0,
  });
  for (const content of ['hello there', secrets.message, 'what time is it'])
    await memory.saveMessages({ threadId: 't', resourceId: 'u', messages: [{ role: 'user', content }] });
  await memory.idle();
  const context = await memory.getContext({ threadId: 't', resourceId: 'u', query: 'locker code' });
  expect(context.messages.map((message) => message.content)).toContain(secrets.message);
  expect((await storage.getThread('t'))?.title).toBe(secrets.title);
  expect((await storage.getResource('u'))?.workingMemory).toBe(secrets.workingMemory);

  const knowledge = createKnowledgeBase({
    embedder,
    vector,
    store: storage,
    indexName: 'docs',
    resourceId: 'u',
  });
  await knowledge.ingest([MDocument.fromText(`Notes.\n\n${secrets.document}`, { source: 'vault.txt' })]);
  for (const mode of ['vector', 'keyword'] as const) {
    const [best] = await knowledge.retrieve('vault combination', { mode, topK: 1 });
    expect(best?.text).toContain(secrets.document);
  }

  await storage.saveWorkflowSnapshot({
    workflowId: 'pay',
    runId: 'r1',
    status: 'suspended',
    snapshot: { step: 'approve', note: secrets.snapshot, nested: [1, { deep: true }] },
    resourceId: 'u',
    createdAt: 1,
    updatedAt: 2,
  });
  expect((await storage.loadWorkflowSnapshot({ workflowId: 'pay', runId: 'r1' }))?.snapshot).toEqual({
    step: 'approve',
    note: secrets.snapshot,
    nested: [1, { deep: true }],
  });
  await storage.setValue('app', 'token', { token: secrets.value });
  expect(await storage.getValue('app', 'token')).toEqual({ token: secrets.value });
  expect(await storage.listValues('app')).toEqual([{ key: 'token', value: { token: secrets.value } }]);
  await storage.saveSpans([
    {
      traceId: 'tr',
      spanId: 's1',
      name: 'agent.generate',
      kind: 'internal',
      startTime: 1,
      endTime: 2,
      status: 'ok',
      attributes: { prompt: secrets.span },
      resourceId: 'u',
    },
  ]);
  expect((await storage.getTrace('tr'))[0]?.attributes).toEqual({ prompt: secrets.span });
  await storage.saveEvalResults([
    {
      id: 'e1',
      evalRunId: 'run',
      scorerId: 'exact',
      targetId: 'agent',
      itemIndex: 0,
      input: secrets.evalInput,
      output: 'out',
      score: 1,
      createdAt: 1,
      resourceId: 'u',
    },
  ]);
  expect((await storage.listEvalResults({ evalRunId: 'run' })).items[0]?.input).toBe(secrets.evalInput);

  const raw = knownVector(8, 7);
  await vector.createIndex({ indexName: 'raw', dimension: 8, metric: 'euclidean' });
  await vector.upsert({
    indexName: 'raw',
    vectors: [raw, knownVector(8, 8), knownVector(8, 9)],
    ids: ['a', 'b', 'c'],
    metadata: [{ resourceId: 'u' }, { resourceId: 'other' }, { resourceId: 'other' }],
  });
  await vector.flush();
  return { vector: raw };
}

/** Opens the stack over IndexedDB databases `names`, encrypted with `passphrase` when given. */
export async function openStack(
  names: StackNames,
  passphrase?: string,
  makeVector: VectorFactory = coreFactory,
): Promise<{ storage: Storage; vector: StackVector }> {
  const inner = await IndexedDBStorage.open({ name: names.storage, broadcastChannel: false });
  if (passphrase === undefined) {
    return { storage: inner, vector: makeVector({ databaseName: names.vectors }) };
  }
  try {
    const storage = await createEncryptedStorage(inner, { passphrase, iterations: 1000 });
    // The vector worker gets its own key; the salt is per database, passed to `deriveKey`.
    const salt = await vectorSalt(inner);
    const key = await deriveKey(passphrase, { salt, iterations: 1000 });
    const vector = makeVector({ databaseName: names.vectors, encryptionKey: key });
    return { storage, vector };
  } catch (error) {
    await inner.close();
    throw error;
  }
}

async function vectorSalt(storage: Storage): Promise<Uint8Array> {
  const stored = await storage.getValue<Uint8Array>('app.vector-salt', 'salt');
  if (stored) return stored;
  const salt = randomSalt();
  await storage.setValue('app.vector-salt', 'salt', salt);
  return salt;
}

/** The whole check, run in Node (fake-indexeddb) and Chromium (real IndexedDB). */
export async function runEncryptionScenario(
  prefix: string,
  makeVector: VectorFactory = coreFactory,
): Promise<void> {
  const plain: StackNames = { storage: `${prefix}-plain`, vectors: `${prefix}-plain-vectors` };
  const sealed: StackNames = { storage: `${prefix}-sealed`, vectors: `${prefix}-sealed-vectors` };

  // Same data through a plain and an encrypted stack.
  const plainStack = await openStack(plain, undefined, makeVector);
  const { vector: raw } = await fillStack(plainStack.storage, plainStack.vector);
  const sealedStack = await openStack(sealed, 'correct horse battery staple', makeVector);
  await fillStack(sealedStack.storage, sealedStack.vector);

  // Vector queries answer identically with and without encryption.
  const query = { indexName: 'raw', queryVector: knownVector(8, 11), topK: 3 };
  const expected = await plainStack.vector.query(query);
  expect(await sealedStack.vector.query(query)).toEqual(expected);
  await plainStack.vector.close();
  await sealedStack.vector.close();
  await plainStack.storage.close();
  await sealedStack.storage.close();

  // The plain dump shows the secrets (so the search works); the encrypted one shows none.
  const plainDump = {
    storage: await dumpDatabase(plain.storage),
    vectors: await dumpDatabase(plain.vectors),
  };
  const sealedDump = {
    storage: await dumpDatabase(sealed.storage),
    vectors: await dumpDatabase(sealed.vectors),
  };
  for (const secret of Object.values(secrets)) {
    expect(dumpContainsText(plainDump.storage, secret), secret).toBe(true);
    expect(dumpContainsText(sealedDump.storage, secret), secret).toBe(false);
    expect(dumpContainsText(sealedDump.vectors, secret), secret).toBe(false);
  }
  // Words of the document (its keyword postings included). Ids stay clear by design: this
  // document's id is its source name `vault.txt`, so that one is not checked in storage.
  for (const term of ['aquamarine', 'lantern', 'combination']) {
    expect(dumpContainsText(plainDump.storage, term)).toBe(true);
    expect(dumpContainsText(sealedDump.storage, term)).toBe(false);
  }
  expect(dumpContainsVector(plainDump.vectors, raw)).toBe(true);
  expect(dumpContainsVector(sealedDump.vectors, raw)).toBe(false);
  expect(dumpContainsText(plainDump.vectors, 'vault.txt')).toBe(true);
  expect(dumpContainsText(sealedDump.vectors, 'vault.txt')).toBe(false);

  // A wrong passphrase fails fast with DecryptionError and leaves the bytes untouched.
  await expect(openStack(sealed, 'wrong passphrase', makeVector)).rejects.toBeInstanceOf(DecryptionError);
  const wrongKey = await deriveKey('wrong passphrase', { salt: randomSalt(), iterations: 1000 });
  const intruder = makeVector({ databaseName: sealed.vectors, encryptionKey: wrongKey });
  await expect(intruder.query(query)).rejects.toBeInstanceOf(DecryptionError);
  await intruder.close();
  expect(await dumpDatabase(sealed.storage)).toEqual(sealedDump.storage);
  expect(await dumpDatabase(sealed.vectors)).toEqual(sealedDump.vectors);

  // Reopened with the right passphrase: everything reads back, vectors load from the ciphertext.
  for (const names of [plain, sealed]) {
    const stack = await openStack(
      names,
      names === sealed ? 'correct horse battery staple' : undefined,
      makeVector,
    );
    expect(await stack.vector.query(query)).toEqual(expected);
    expect((await stack.storage.getLastMessages('t', 3)).map((record) => record.message.content)).toContain(
      secrets.message,
    );

    // Forget the user: nothing of `u` is left in either database.
    await deleteResource({ resourceId: 'u', storage: stack.storage, vector: stack.vector });
    expect((await stack.vector.query(query)).map((hit) => hit.id)).toEqual(
      expected.map((hit) => hit.id).filter((id) => id !== 'a'),
    );
    await stack.vector.close();
    await stack.storage.close();
    const storageDump = await dumpDatabase(names.storage);
    const vectorDump = await dumpDatabase(names.vectors);
    // App-wide key-value entries (here `app/token`) belong to no resource and stay.
    const owned = Object.values(secrets).filter((secret) => secret !== secrets.value);
    for (const secret of owned) expect(dumpContainsText(storageDump, secret), secret).toBe(false);
    for (const term of ['aquamarine', 'vault.txt', 'hello there']) {
      expect(dumpContainsText(storageDump, term)).toBe(false);
      expect(dumpContainsText(vectorDump, term)).toBe(false);
    }
    expect(dumpContainsVector(vectorDump, raw)).toBe(false);
    expect(
      storageDump.records.filter((entry) => JSON.stringify(entry, bytesAsLength).includes('"u"')),
      `records of u left in ${names.storage}`,
    ).toEqual([]);
  }
}

function bytesAsLength(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer ? value.byteLength : value;
}
