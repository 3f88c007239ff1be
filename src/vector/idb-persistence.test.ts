import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { IdbVectorPersistence } from './idb-persistence.js';
import type { IndexManifest, VectorShard } from './persistence.js';
import { VectorCore } from './vector-core.js';

function manifest(generation: number, shardGenerations: number[]): IndexManifest {
  return {
    name: 'i',
    dimension: 2,
    metric: 'cosine',
    m: 16,
    efConstruction: 200,
    generation,
    epoch: 0,
    nodeCount: shardGenerations.length,
    shardSize: 1,
    graphNodeCount: 0,
    shardGenerations,
  };
}

function shard(number: number, generation: number): VectorShard {
  return {
    index: 'i',
    shard: number,
    generation,
    vectors: new Float32Array([number, 1]).buffer,
    ids: [`v${number}`],
    metadata: [{ number }],
    deleted: new Uint8Array(1),
    checksum: 0,
  };
}

describe('IdbVectorPersistence', () => {
  it('commits shards with their manifest and reads back only newer shards', async () => {
    const persistence = new IdbVectorPersistence({ databaseName: `t-${Math.random()}` });
    await persistence.commit({ manifest: manifest(1, [1, 1]), shards: [shard(0, 1), shard(1, 1)] });
    await persistence.commit({ manifest: manifest(2, [1, 2, 2]), shards: [shard(1, 2), shard(2, 2)] });
    const all = await persistence.load('i', -1, true);
    expect(all?.manifest.generation).toBe(2);
    expect(all?.shards.map((record) => [record.shard, record.generation])).toEqual([
      [0, 1],
      [1, 2],
      [2, 2],
    ]);
    expect([...new Float32Array(all!.shards[2]!.vectors)]).toEqual([2, 1]);
    expect(all?.graph).toBeUndefined();
    expect((await persistence.load('i', 1, false))?.shards.map((record) => record.shard)).toEqual([1, 2]);
    expect((await persistence.listManifests()).map((entry) => entry.name)).toEqual(['i']);
    await persistence.deleteIndex('i');
    expect(await persistence.load('i', -1, true)).toBeUndefined();
    await persistence.close();
  });

  it('backs VectorCore so a new core (a reload) finds the index', async () => {
    const databaseName = `t-${Math.random()}`;
    const first = new VectorCore({ databaseName });
    await first.createIndex({ indexName: 'docs', dimension: 3 });
    await first.upsert({
      indexName: 'docs',
      vectors: [
        [1, 0, 0],
        [0, 1, 0],
      ],
      ids: ['a', 'b'],
      metadata: [{ t: 1 }, { t: 2 }],
    });
    await first.close();
    const second = new VectorCore({ databaseName });
    const hits = await second.query({ indexName: 'docs', queryVector: [0, 1, 0], topK: 1 });
    expect(hits.map((hit) => [hit.id, hit.metadata])).toEqual([['b', { t: 2 }]]);
    await second.close();
  });
});
