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

  it('reads one consistent generation when another connection commits mid-load', async () => {
    const databaseName = `t-${Math.random()}`;
    const reader = new IdbVectorPersistence({ databaseName });
    const writer = new IdbVectorPersistence({ databaseName });
    const shards = (generation: number) => [0, 1, 2, 3].map((number) => shard(number, generation));
    await writer.commit({ manifest: manifest(1, [1, 1, 1, 1]), shards: shards(1) });
    // Land a commit right after the reader has read the manifest, before it reads the shards.
    // biome-ignore lint/complexity/useLiteralKeys: reaches the private connection to inject a commit
    const database = await reader['open']();
    const get = database.get.bind(database);
    let commits = 0;
    database.get = (async (...args: Parameters<typeof get>) => {
      const value = await get(...args);
      if (args[0] === 'manifests' && commits++ === 0) {
        await writer.commit({ manifest: manifest(2, [2, 2, 2, 2]), shards: shards(2) });
      }
      return value;
    }) as typeof database.get;
    const snapshot = await reader.load('i', -1, true);
    expect(commits).toBeGreaterThan(0);
    expect(snapshot?.manifest.generation).toBe(2);
    expect(snapshot?.shards.map((record) => [record.shard, record.generation])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
      [3, 2],
    ]);
    await reader.close();
    await writer.close();
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
