import { describe, expect, it } from 'vitest';
import { CorruptDataError } from '../errors/index.js';
import { HnswIndex } from './hnsw-index.js';
import { LoadedIndex, StreamingRestore } from './loaded-index.js';
import type { IndexSnapshot } from './persistence.js';
import { compileHnswModule } from './wasm-module.js';

const dimension = 8;
const shardSize = 16;

async function storedSnapshot(count: number): Promise<IndexSnapshot> {
  const index = new LoadedIndex(
    's',
    await HnswIndex.create(await compileHnswModule(), { dimension, metric: 'cosine' }),
    shardSize,
  );
  const vectors = Float32Array.from({ length: count * dimension }, (_, i) => Math.sin(i * 0.37) + (i % 5));
  const ids = Array.from({ length: count }, (_, i) => `v${i}`);
  index.append(
    vectors,
    ids,
    ids.map((id) => ({ id })),
  );
  index.generation = 3;
  const shards = Array.from({ length: Math.ceil(count / shardSize) }, (_, shard) => index.shard(shard));
  const graph = index.graph();
  return { manifest: index.manifest(16, 160), shards, graph };
}

describe('StreamingRestore', () => {
  it('restores shards handed over out of order and keeps the stored graph', async () => {
    const snapshot = await storedSnapshot(70);
    const streaming = new StreamingRestore(compileHnswModule());
    streaming.manifest(snapshot.manifest);
    for (const shard of [...snapshot.shards].reverse()) streaming.shard(shard);
    const { index, report } = await LoadedIndex.restore(await compileHnswModule(), snapshot, streaming);
    expect(report).toEqual({ graphNodes: 70, relinkedNodes: 0 });
    expect(await streaming.take(snapshot)).toBe(index);
    expect(index.ids).toEqual(Array.from({ length: 70 }, (_, i) => `v${i}`));
    expect(index.metadata[69]).toEqual({ id: 'v69' });
    const query = index.hnsw.vector(42);
    expect(index.hnsw.search(query, 1, 16).ids[0]).toBe(42);
  });

  it('is not used when what arrived differs from the final snapshot (a commit in between)', async () => {
    const snapshot = await storedSnapshot(40);
    const streaming = new StreamingRestore(compileHnswModule());
    streaming.manifest(snapshot.manifest);
    for (const shard of snapshot.shards) streaming.shard(shard);
    const newer: IndexSnapshot = {
      ...snapshot,
      manifest: { ...snapshot.manifest, generation: 4, shardGenerations: [3, 3, 4] },
      shards: snapshot.shards.map((shard) => (shard.shard === 2 ? { ...shard, generation: 4 } : shard)),
    };
    expect(await streaming.take(newer)).toBeUndefined();
    const { index } = await LoadedIndex.restore(await compileHnswModule(), newer, streaming);
    expect(index).not.toBe(await streaming.take(snapshot));
    expect(index.nodeCount).toBe(40);
  });

  it('still detects a corrupt shard', async () => {
    const snapshot = await storedSnapshot(40);
    const damaged = new Uint8Array(snapshot.shards[1]!.vectors.slice(0));
    damaged[5] = damaged[5]! ^ 0xff;
    snapshot.shards[1] = { ...snapshot.shards[1]!, vectors: damaged.buffer };
    const streaming = new StreamingRestore(compileHnswModule());
    streaming.manifest(snapshot.manifest);
    for (const shard of snapshot.shards) streaming.shard(shard);
    expect(await streaming.take(snapshot)).toBeUndefined();
    await expect(LoadedIndex.restore(await compileHnswModule(), snapshot, streaming)).rejects.toThrow(
      CorruptDataError,
    );
  });
});
