import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DecryptionError, InvalidArgumentError } from '../errors/index.js';
import { IndexedDBStorage, InMemoryStorage } from '../storage/index.js';
import { describeStorageContract } from '../storage/testing/storage-contract.js';
import { createStep, createWorkflow } from '../workflow/index.js';
import { createEncryptedStorage, encryptionNamespace } from './encrypted-storage.js';
import { createCipher, deriveKey, randomSalt } from './encryption.js';

const key = await deriveKey('contract passphrase', { salt: randomSalt(), iterations: 1000 });

// The whole storage contract holds through the encrypting wrapper, on both implementations.
describeStorageContract('encrypted InMemoryStorage', () =>
  createEncryptedStorage(new InMemoryStorage(), { key }),
);
describeStorageContract('encrypted IndexedDBStorage', async () =>
  createEncryptedStorage(
    await IndexedDBStorage.open({ indexedDB: new IDBFactory(), name: 'encrypted', broadcastChannel: false }),
    { key },
  ),
);

describe('createEncryptedStorage', () => {
  it('stores only ciphertext for content and keeps index fields clear', async () => {
    const inner = new InMemoryStorage();
    const storage = await createEncryptedStorage(inner, { cipher: createCipher(key) });
    await storage.saveResource({ id: 'u', createdAt: 1, updatedAt: 1 });
    await storage.saveThread({
      id: 't',
      resourceId: 'u',
      title: 'secret title',
      createdAt: 1,
      updatedAt: 1,
      nextSeq: 0,
    });
    const [appended] = await storage.appendMessages([
      {
        id: 'm',
        threadId: 't',
        resourceId: 'u',
        message: { role: 'user', content: 'secret body' },
        createdAt: 2,
      },
    ]);
    expect(appended).toMatchObject({ id: 'm', seq: 0, message: { content: 'secret body' } });
    const raw = await inner.getMessages(['m']);
    expect(raw[0]).toMatchObject({ id: 'm', threadId: 't', resourceId: 'u', seq: 0 });
    expect(raw[0]?.message).toBeUndefined();
    expect(JSON.stringify(raw)).not.toContain('secret');
    expect((await inner.getThread('t'))?.title).toBeUndefined();
    expect((await storage.getThread('t'))?.title).toBe('secret title');
  });

  it('derives the key from a passphrase with a salt stored beside the data, and rejects a wrong one untouched', async () => {
    const inner = new InMemoryStorage();
    const first = await createEncryptedStorage(inner, { passphrase: 'right', iterations: 1000 });
    await first.setValue('app', 'k', { secret: 1 });
    const salt = await inner.getValue(encryptionNamespace, 'salt');
    expect(salt).toBeInstanceOf(Uint8Array);
    const before = await inner.listValues('app');
    const error = await createEncryptedStorage(inner, { passphrase: 'wrong', iterations: 1000 }).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as DecryptionError).hint).toMatch(/passphrase/);
    expect(await inner.listValues('app')).toEqual(before);
    expect(await inner.getValue(encryptionNamespace, 'salt')).toEqual(salt);
    const again = await createEncryptedStorage(inner, { passphrase: 'right', iterations: 1000 });
    expect(await again.getValue('app', 'k')).toEqual({ secret: 1 });
  });

  it('refuses plaintext records written before encryption, and the reserved namespace', async () => {
    const inner = new InMemoryStorage();
    await inner.saveResource({ id: 'old', workingMemory: 'plain', createdAt: 1, updatedAt: 1 });
    const storage = await createEncryptedStorage(inner, { key });
    await expect(storage.getResource('old')).rejects.toBeInstanceOf(DecryptionError);
    await expect(storage.setValue(encryptionNamespace, 'verifier', 1)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('encrypts vector shards and serialized indexes as bytes', async () => {
    const inner = new InMemoryStorage();
    const storage = await createEncryptedStorage(inner, { key });
    const vectors = new Float32Array([0.125, -0.5, 0.75, 1]);
    await storage.saveVectorIndex({
      indexName: 'i',
      dimension: 2,
      metric: 'cosine',
      count: 2,
      serializedIndex: new Uint8Array([1, 2, 3]),
      updatedAt: 1,
    });
    await storage.saveVectorShards([
      { indexName: 'i', shardId: 0, ids: ['a', 'b'], vectors, metadata: [{ x: 1 }, {}] },
    ]);
    const [raw] = await inner.loadVectorShards('i');
    expect(raw?.ids).toEqual([]);
    expect(raw?.vectors.length).toBe(0);
    expect((await inner.loadVectorIndex('i'))?.serializedIndex).toBeUndefined();
    expect(await storage.loadVectorShards('i')).toEqual([
      { indexName: 'i', shardId: 0, ids: ['a', 'b'], vectors, metadata: [{ x: 1 }, {}] },
    ]);
    expect((await storage.loadVectorIndex('i'))?.serializedIndex).toEqual(new Uint8Array([1, 2, 3]));
  });
});

describe('workflows on encrypted storage', () => {
  it('runs a durable workflow whose snapshots are ciphertext at rest and read back decrypted', async () => {
    const inner = new InMemoryStorage();
    const storage = await createEncryptedStorage(inner, { key });
    const text = z.object({ text: z.string() });
    const shout = createStep({
      id: 'shout',
      inputSchema: text,
      outputSchema: text,
      execute: async ({ inputData }) => ({ text: `${inputData.text}!` }),
    });
    const workflow = createWorkflow({ id: 'w', inputSchema: text, outputSchema: text, storage, locks: null })
      .then(shout)
      .commit();
    const run = await workflow.createRun({ runId: 'r' });
    const result = await run.start({ inputData: { text: 'confidential memo' } });
    expect(result).toMatchObject({ status: 'success', result: { text: 'confidential memo!' } });
    const raw = await inner.loadWorkflowSnapshot({ workflowId: 'w', runId: 'r' });
    expect(raw?.status).toBeDefined();
    expect(raw?.snapshot).toBeUndefined();
    expect(JSON.stringify(raw)).not.toContain('confidential');
    expect(
      JSON.stringify((await storage.loadWorkflowSnapshot({ workflowId: 'w', runId: 'r' }))?.snapshot),
    ).toContain('confidential memo!');
  });
});
