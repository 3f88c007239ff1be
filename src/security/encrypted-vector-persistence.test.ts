import { describe, expect, it } from 'vitest';
import { DecryptionError } from '../errors/index.js';
import { MemoryVectorPersistence } from '../vector/memory-persistence.js';
import { VectorCore } from '../vector/vector-core.js';
import { EncryptedVectorPersistence } from './encrypted-vector-persistence.js';
import { createCipher, deriveKey, randomSalt } from './encryption.js';

const salt = randomSalt();
const key = await deriveKey('vectors', { salt, iterations: 1000 });

function vectors(count: number, seed: number): Float32Array[] {
  let state = seed;
  return Array.from({ length: count }, () =>
    Float32Array.from({ length: 4 }, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32 - 0.5;
    }),
  );
}

async function fill(core: VectorCore): Promise<void> {
  await core.createIndex({ indexName: 'i', dimension: 4, metric: 'euclidean' });
  await core.upsert({
    indexName: 'i',
    vectors: vectors(40, 3),
    ids: Array.from({ length: 40 }, (_, index) => `id-${index}`),
    metadata: Array.from({ length: 40 }, (_, index) => ({ label: `label-${index}` })),
  });
  await core.deleteVector({ indexName: 'i', id: 'id-3' });
  await core.flush();
}

describe('EncryptedVectorPersistence', () => {
  it('answers like the plain persistence, stores no vector, id or metadata in the clear, and reloads', async () => {
    const plainStore = new MemoryVectorPersistence();
    const sealedStore = new MemoryVectorPersistence();
    const plain = new VectorCore({ persistence: plainStore, graphSnapshotNodes: 8 });
    const sealed = new VectorCore({ persistence: sealedStore, encryptionKey: key, graphSnapshotNodes: 8 });
    await fill(plain);
    await fill(sealed);
    const query = { indexName: 'i', queryVector: vectors(1, 99)[0]!, topK: 5, strategy: 'hnsw' as const };
    const expected = await plain.query(query);
    expect(await sealed.query(query)).toEqual(expected);

    const snapshot = await sealedStore.load('i', -1, true);
    expect(snapshot?.manifest.nodeCount).toBe(40);
    for (const shard of snapshot?.shards ?? []) {
      expect(shard).toMatchObject({ ids: [], metadata: [], checksum: 0 });
      expect(shard.vectors.byteLength).toBe(0);
    }
    expect(snapshot?.graph?.bytes.byteLength).toBe(0);
    expect(JSON.stringify(snapshot)).not.toMatch(/id-|label-/);

    const reloaded = new VectorCore({ persistence: sealedStore, encryptionKey: key });
    expect(await reloaded.query(query)).toEqual(expected);
    // The decrypted graph passes its checksum and is reused as stored.
    expect(await reloaded.loadReport({ indexName: 'i' })).toEqual({ graphNodes: 40, relinkedNodes: 0 });
  });

  it('throws DecryptionError for a wrong key, altered ciphertext or plaintext data', async () => {
    const store = new MemoryVectorPersistence();
    await fill(new VectorCore({ persistence: store, encryptionKey: key }));
    const wrong = await deriveKey('other', { salt, iterations: 1000 });
    const query = { indexName: 'i', queryVector: [1, 0, 0, 0], topK: 1 };
    await expect(
      new VectorCore({ persistence: store, encryptionKey: wrong }).query(query),
    ).rejects.toBeInstanceOf(DecryptionError);

    const snapshot = await store.load('i', -1, false);
    const shard = snapshot!.shards[0] as unknown as { sealedVectors: { data: ArrayBuffer } };
    new Uint8Array(shard.sealedVectors.data)[0]! ^= 1;
    await store.commit({ manifest: snapshot!.manifest, shards: [shard as never] });
    await expect(
      new VectorCore({ persistence: store, encryptionKey: key }).query(query),
    ).rejects.toBeInstanceOf(DecryptionError);

    const plainStore = new MemoryVectorPersistence();
    await fill(new VectorCore({ persistence: plainStore }));
    const reader = new EncryptedVectorPersistence(plainStore, createCipher(key));
    await expect(reader.load('i', -1, false)).rejects.toBeInstanceOf(DecryptionError);
  });
});
