import { describe, expect, it } from 'vitest';
import { ConflictError, CorruptDataError, InvalidArgumentError, NotFoundError } from '../errors/index.js';
import { localLocks } from './locks.js';
import { MemoryVectorPersistence } from './memory-persistence.js';
import type { StoredGraph } from './persistence.js';
import { VectorCore, type VectorCoreOptions } from './vector-core.js';

function random(seed: number) {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

function vectors(count: number, dimension: number, seed = 1): number[][] {
  const next = random(seed);
  return Array.from({ length: count }, () => Array.from({ length: dimension }, next));
}

function core(options: VectorCoreOptions = {}) {
  return new VectorCore({ persist: false, ...options });
}

async function expectError(promise: Promise<unknown>, guard: (error: unknown) => boolean, message: RegExp) {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(guard(error), `got ${String(error)}`).toBe(true);
  expect((error as Error).message).toMatch(message);
}

describe('VectorCore', () => {
  it('creates, upserts, queries, describes, lists and deletes indexes', async () => {
    const store = core();
    await store.createIndex({ indexName: 'docs', dimension: 3 });
    await store.createIndex({ indexName: 'docs', dimension: 3 }); // idempotent
    const ids = await store.upsert({
      indexName: 'docs',
      vectors: [
        [1, 0, 0],
        [0, 1, 0],
        [0.9, 0.1, 0],
      ],
      ids: ['x', 'y', 'z'],
      metadata: [{ n: 1 }, { n: 2 }, { n: 3 }],
    });
    expect(ids).toEqual(['x', 'y', 'z']);
    const results = await store.query({
      indexName: 'docs',
      queryVector: [1, 0, 0],
      topK: 2,
      includeVector: true,
    });
    expect(results.map((result) => result.id)).toEqual(['x', 'z']);
    expect(results[0]!.score).toBeCloseTo(1, 5);
    expect(results[0]!.metadata).toEqual({ n: 1 });
    expect([...results[0]!.vector!]).toEqual([1, 0, 0]);
    expect(await store.describeIndex({ indexName: 'docs' })).toEqual({
      dimension: 3,
      count: 3,
      metric: 'cosine',
    });
    const generated = await store.upsert({ indexName: 'docs', vectors: [[0, 0, 1]] });
    expect(generated[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(await store.listIndexes()).toEqual(['docs']);
    await store.deleteIndex({ indexName: 'docs' });
    expect(await store.listIndexes()).toEqual([]);
    await expectError(
      store.describeIndex({ indexName: 'docs' }),
      NotFoundError.isInstance,
      /No vector index named "docs"/,
    );
  });

  it('scores euclidean as negated distance and dotproduct as the dot product, honouring minScore', async () => {
    const store = core();
    await store.createIndex({ indexName: 'l2', dimension: 2, metric: 'euclidean' });
    await store.createIndex({ indexName: 'dot', dimension: 2, metric: 'dotproduct' });
    const data = {
      vectors: [
        [3, 4],
        [1, 1],
        [-2, 0],
      ],
      ids: ['a', 'b', 'c'],
    };
    await store.upsert({ indexName: 'l2', ...data });
    await store.upsert({ indexName: 'dot', ...data });
    const l2 = await store.query({ indexName: 'l2', queryVector: [0, 0], topK: 3 });
    expect(l2.map((hit) => [hit.id, Number(hit.score.toFixed(4))])).toEqual([
      ['b', -Number(Math.SQRT2.toFixed(4))],
      ['c', -2],
      ['a', -5],
    ]);
    const dot = await store.query({ indexName: 'dot', queryVector: [1, 1], topK: 3, minScore: 0 });
    expect(dot.map((hit) => [hit.id, hit.score])).toEqual([
      ['a', 7],
      ['b', 2],
    ]);
  });

  it('replaces an existing id, updates vectors and metadata, deletes by id and by filter', async () => {
    const store = core();
    await store.createIndex({ indexName: 'i', dimension: 2 });
    await store.upsert({
      indexName: 'i',
      vectors: [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      ids: ['a', 'b', 'c'],
      metadata: [{ k: 'x' }, { k: 'y' }, { k: 'y' }],
    });
    await store.upsert({ indexName: 'i', vectors: [[0, 1]], ids: ['a'], metadata: [{ k: 'z' }] });
    expect((await store.describeIndex({ indexName: 'i' })).count).toBe(3);
    let top = await store.query({ indexName: 'i', queryVector: [0, 1], topK: 3 });
    expect(top.map((hit) => hit.id).sort()).toEqual(['a', 'b', 'c']);
    expect(top.find((hit) => hit.id === 'a')!.metadata).toEqual({ k: 'z' });

    await store.updateVector({ indexName: 'i', id: 'b', update: { vector: [1, 0] } });
    top = await store.query({ indexName: 'i', queryVector: [1, 0], topK: 1 });
    expect(top.map((hit) => [hit.id, hit.metadata])).toEqual([['b', { k: 'y' }]]);
    await store.updateVector({ indexName: 'i', id: 'b', update: { metadata: { k: 'w' } } });
    expect((await store.query({ indexName: 'i', queryVector: [1, 0], topK: 1 }))[0]!.metadata).toEqual({
      k: 'w',
    });

    await store.deleteVector({ indexName: 'i', id: 'a' });
    await store.deleteVectors({ indexName: 'i', filter: { k: 'y' } });
    const left = await store.query({ indexName: 'i', queryVector: [1, 1], topK: 10 });
    expect(left.map((hit) => hit.id)).toEqual(['b']);
    await store.deleteVectors({ indexName: 'i', ids: ['b', 'missing'] });
    expect((await store.describeIndex({ indexName: 'i' })).count).toBe(0);
    expect(await store.query({ indexName: 'i', queryVector: [1, 1] })).toEqual([]);
    await expectError(
      store.deleteVector({ indexName: 'i', id: 'a' }),
      NotFoundError.isInstance,
      /No vector "a"/,
    );
    await expectError(
      store.updateVector({ indexName: 'i', id: 'a', update: { metadata: {} } }),
      NotFoundError.isInstance,
      /No vector "a"/,
    );
  });

  it('rejects bad input with typed errors and stores nothing of a bad batch', async () => {
    const store = core();
    await store.createIndex({ indexName: 'i', dimension: 3 });
    await store.upsert({ indexName: 'i', vectors: [[1, 2, 3]], ids: ['keep'] });
    const bad: [Promise<unknown>, RegExp][] = [
      [
        store.upsert({
          indexName: 'i',
          vectors: [
            [1, 2, 3],
            [1, 2],
          ],
        }),
        /Vector 1 has length 2/,
      ],
      [store.upsert({ indexName: 'i', vectors: [[1, 2]] }), /dimension 3, got vectors of length 2/],
      [
        store.upsert({
          indexName: 'i',
          vectors: [
            [1, 2, 3],
            [1, Number.NaN, 3],
          ],
        }),
        /Vector 1 holds NaN/,
      ],
      [store.upsert({ indexName: 'i', vectors: [[1, Number.POSITIVE_INFINITY, 3]] }), /holds Infinity/],
      [store.upsert({ indexName: 'i', vectors: [] }), /non-empty array/],
      [store.upsert({ indexName: 'i', vectors: [[]] }), /Vector 0 is empty/],
      [store.upsert({ indexName: 'i', vectors: [[0, 0, 0]] }), /all zeros/],
      [
        store.upsert({
          indexName: 'i',
          vectors: [
            [1, 2, 3],
            [3, 2, 1],
          ],
          ids: ['d', 'd'],
        }),
        /"d" appears twice/,
      ],
      [store.upsert({ indexName: 'i', vectors: [[1, 2, 3]], ids: [] }), /one id per vector/],
      [
        store.upsert({ indexName: 'i', vectors: [[1, 2, 3]], metadata: [[] as never] }),
        /Metadata 0 is not a plain object/,
      ],
      [store.query({ indexName: 'i', queryVector: [1, 2, 3], topK: 0 }), /Invalid topK 0/],
      [store.query({ indexName: 'i', queryVector: [1, 2, 3], topK: 1e9 }), /Invalid topK/],
      [store.query({ indexName: 'i', queryVector: [1, 2, 3], topK: 2.5 }), /Invalid topK/],
      [store.query({ indexName: 'i', queryVector: [1, 2] }), /dimension 3/],
      [
        store.query({ indexName: 'i', queryVector: [1, 2, 3], filter: { a: { $foo: 1 } } }),
        /unknown operator/,
      ],
      [store.createIndex({ indexName: 'j', dimension: 0 }), /Invalid dimension 0/],
      [store.createIndex({ indexName: 'j', dimension: 3, metric: 'manhattan' as never }), /Unknown metric/],
      [store.createIndex({ indexName: '', dimension: 3 }), /Invalid index name/],
      [store.deleteVectors({ indexName: 'i' }), /exactly one of `ids` or `filter`/],
      [
        store.updateVector({ indexName: 'i', id: 'keep', update: {} }),
        /needs `update.vector` or `update.metadata`/,
      ],
    ];
    for (const [promise, message] of bad)
      await expectError(promise, InvalidArgumentError.isInstance, message);
    await expectError(
      store.upsert({ indexName: 'nope', vectors: [[1, 2, 3]] }),
      NotFoundError.isInstance,
      /"nope"/,
    );
    await expectError(
      store.query({ indexName: 'nope', queryVector: [1, 2, 3] }),
      NotFoundError.isInstance,
      /"nope"/,
    );
    await expectError(
      store.createIndex({ indexName: 'i', dimension: 4 }),
      ConflictError.isInstance,
      /exists with dimension 3/,
    );
    expect((await store.describeIndex({ indexName: 'i' })).count).toBe(1);
    expect((await store.query({ indexName: 'i', queryVector: [1, 2, 3] })).map((hit) => hit.id)).toEqual([
      'keep',
    ]);
  });

  it('chooses exact scans for small indexes and selective filters, the graph otherwise', async () => {
    const store = core({ exactThreshold: 200 });
    await store.createIndex({ indexName: 'i', dimension: 16, metric: 'euclidean' });
    const data = vectors(2000, 16, 3);
    await store.upsert({
      indexName: 'i',
      vectors: data,
      ids: data.map((_, i) => `v${i}`),
      metadata: data.map((_, i) => ({ bucket: i % 100, even: i % 2 === 0 })),
    });
    const query = data[5]!;
    const plain = await store.queryWithStats({ indexName: 'i', queryVector: query, topK: 5 });
    expect(plain.stats.strategy).toBe('hnsw');
    expect(plain.stats.ef).toBe(64);
    expect(plain.stats.visited).toBeLessThan(2000);
    expect(plain.results[0]!.id).toBe('v5');
    expect(store.lastQueryStats).toEqual(plain.stats);

    const selective = await store.queryWithStats({
      indexName: 'i',
      queryVector: query,
      topK: 30,
      filter: { bucket: 7 },
    });
    expect(selective.stats).toMatchObject({ strategy: 'exact', candidates: 20, visited: 20 });
    expect(selective.results).toHaveLength(20);
    expect(selective.results.every((hit) => hit.metadata.bucket === 7)).toBe(true);

    // A broad filter goes through the graph, which keeps searching until it has topK matches.
    const broad = await store.queryWithStats({
      indexName: 'i',
      queryVector: query,
      topK: 20,
      filter: { even: false },
    });
    expect(broad.stats).toMatchObject({ strategy: 'hnsw', candidates: 1000 });
    expect(broad.results).toHaveLength(20);
    expect(broad.results.every((hit) => hit.metadata.even === false)).toBe(true);
    const exact = await store.query({
      indexName: 'i',
      queryVector: query,
      topK: 20,
      filter: { even: false },
      strategy: 'exact',
    });
    const truth = new Set(exact.map((hit) => hit.id));
    expect(broad.results.filter((hit) => truth.has(hit.id)).length).toBeGreaterThanOrEqual(18);

    // Forcing the graph with a very selective filter still returns every match.
    const forced = await store.queryWithStats({
      indexName: 'i',
      queryVector: query,
      topK: 30,
      filter: { bucket: 7 },
      strategy: 'hnsw',
    });
    expect(forced.results).toHaveLength(20);

    const small = core();
    await small.createIndex({ indexName: 's', dimension: 16 });
    await small.upsert({ indexName: 's', vectors: data.slice(0, 50) });
    expect((await small.queryWithStats({ indexName: 's', queryVector: query })).stats.strategy).toBe('exact');
    expect(
      (await store.queryWithStats({ indexName: 'i', queryVector: query, filter: { bucket: 1000 } })).results,
    ).toEqual([]);
  });

  it('compacts once tombstones outnumber live vectors, keeping answers', async () => {
    const store = core();
    await store.createIndex({ indexName: 'i', dimension: 8 });
    const data = vectors(2100, 8, 5);
    const ids = data.map((_, i) => `v${i}`);
    await store.upsert({ indexName: 'i', vectors: data, ids });
    await store.deleteVectors({ indexName: 'i', ids: ids.slice(0, 1100) });
    expect((await store.describeIndex({ indexName: 'i' })).count).toBe(1000);
    const hit = await store.query({ indexName: 'i', queryVector: data[2000]!, topK: 1, strategy: 'hnsw' });
    expect(hit[0]!.id).toBe('v2000');
  });
});

/** Nodes per stored shard of index `i`, by shard number. */
function storedShardSizes(persistence: MemoryVectorPersistence): number[] {
  const sizes: number[] = [];
  persistence.tamper('i', ({ shards }) => {
    for (const shard of shards) sizes[shard.shard] = shard.ids.length;
  });
  return sizes;
}

describe('VectorCore persistence', () => {
  it('reloads an index from storage and serves queries from the stored graph', async () => {
    const persistence = new MemoryVectorPersistence();
    const writer = core({ persistence, shardSize: 64, graphSnapshotNodes: 50 });
    await writer.createIndex({ indexName: 'i', dimension: 8, metric: 'euclidean' });
    const data = vectors(300, 8, 9);
    await writer.upsert({
      indexName: 'i',
      vectors: data.slice(0, 200),
      ids: data.slice(0, 200).map((_, i) => `v${i}`),
      metadata: data.slice(0, 200).map((_, i) => ({ i })),
    });
    await writer.upsert({
      indexName: 'i',
      vectors: data.slice(200),
      ids: data.slice(200).map((_, i) => `v${i + 200}`),
      metadata: data.slice(200).map((_, i) => ({ i: i + 200 })),
    });
    await writer.deleteVector({ indexName: 'i', id: 'v3' });
    const expected = await writer.query({
      indexName: 'i',
      queryVector: data[42]!,
      topK: 5,
      strategy: 'exact',
    });

    const reader = core({ persistence });
    expect(await reader.listIndexes()).toEqual(['i']);
    expect(await reader.describeIndex({ indexName: 'i' })).toEqual({
      dimension: 8,
      count: 299,
      metric: 'euclidean',
    });
    expect(await reader.loadReport({ indexName: 'i' })).toEqual({ graphNodes: 300, relinkedNodes: 0 });
    expect(
      await reader.query({ indexName: 'i', queryVector: data[42]!, topK: 5, strategy: 'exact' }),
    ).toEqual(expected);
    expect(
      (await reader.query({ indexName: 'i', queryVector: data[3]!, topK: 300 })).map((hit) => hit.id),
    ).not.toContain('v3');
  });

  it('keeps a stored index in its own shard size when the option changes', async () => {
    const persistence = new MemoryVectorPersistence();
    const data = vectors(100, 8, 4);
    const ids = data.map((_, i) => `v${i}`);
    const old = core({ persistence, shardSize: 32 });
    await old.createIndex({ indexName: 'i', dimension: 8 });
    await old.upsert({ indexName: 'i', vectors: data.slice(0, 70), ids: ids.slice(0, 70) });
    // A newer version of the app, with another default, appends and deletes in the old layout.
    const newer = core({ persistence, shardSize: 8 });
    await newer.upsert({ indexName: 'i', vectors: data.slice(70), ids: ids.slice(70) });
    await newer.deleteVector({ indexName: 'i', id: 'v5' });
    expect(storedShardSizes(persistence)).toEqual([32, 32, 32, 4]);
    const reader = core({ persistence, shardSize: 8 });
    expect((await reader.describeIndex({ indexName: 'i' })).count).toBe(99);
    expect((await reader.query({ indexName: 'i', queryVector: data[90]!, topK: 1 }))[0]!.id).toBe('v90');
    expect(await reader.query({ indexName: 'i', queryVector: data[5]!, topK: 100 })).toHaveLength(99);
    // Compaction rewrites every shard, so it adopts the configured size.
    await reader.compact({ indexName: 'i' });
    expect(storedShardSizes(persistence)).toEqual([...Array.from({ length: 12 }, () => 8), 3]);
  });

  it('snapshots the graph once a 64th of the nodes is uncovered, and relinks the rest on load', async () => {
    const persistence = new MemoryVectorPersistence();
    const writer = core({ persistence });
    await writer.createIndex({ indexName: 'i', dimension: 8 });
    const data = vectors(660, 8, 6);
    const ids = data.map((_, i) => `v${i}`);
    await writer.upsert({ indexName: 'i', vectors: data.slice(0, 640), ids: ids.slice(0, 640) });
    // One at a time, as chat memory appends: a snapshot once ceil(nodes / 64) = 11 are uncovered.
    const covered: number[] = [];
    for (let i = 640; i < 660; i++) {
      await writer.upsert({ indexName: 'i', vectors: [data[i]!], ids: [ids[i]!] });
      persistence.tamper('i', ({ graph }) => covered.push(graph!.nodeCount));
    }
    expect(covered).toEqual([
      ...Array.from({ length: 10 }, () => 640),
      ...Array.from({ length: 10 }, () => 651),
    ]);
    const reader = core({ persistence });
    expect(
      (await reader.query({ indexName: 'i', queryVector: data[657]!, topK: 1, strategy: 'hnsw' }))[0]!.id,
    ).toBe('v657');
    expect(await reader.loadReport({ indexName: 'i' })).toEqual({ graphNodes: 651, relinkedNodes: 9 });
    // `flush` covers the rest now (e.g. before the page goes away).
    await writer.flush();
    const flushed = core({ persistence });
    expect((await flushed.describeIndex({ indexName: 'i' })).count).toBe(660);
    expect(await flushed.loadReport({ indexName: 'i' })).toEqual({ graphNodes: 660, relinkedNodes: 0 });
  });

  it('relinks nodes newer than the stored graph and rebuilds a corrupt graph', async () => {
    const persistence = new MemoryVectorPersistence();
    const writer = core({ persistence, shardSize: 64, graphSnapshotNodes: 1000 });
    await writer.createIndex({ indexName: 'i', dimension: 8 });
    const data = vectors(40, 8, 2);
    await writer.upsert({
      indexName: 'i',
      vectors: data.slice(0, 30),
      ids: data.slice(0, 30).map((_, i) => `v${i}`),
    });
    let older: StoredGraph | undefined;
    persistence.tamper('i', ({ graph }) => {
      older = structuredClone(graph);
    });
    await writer.upsert({
      indexName: 'i',
      vectors: data.slice(30),
      ids: data.slice(30).map((_, i) => `v${i + 30}`),
    });
    // Put back the graph of the first batch, as if the second batch had not snapshotted it.
    persistence.tamper('i', ({ graph }) => {
      Object.assign(graph!, older);
    });
    const fresh = core({ persistence });
    expect((await fresh.describeIndex({ indexName: 'i' })).count).toBe(40);
    expect(await fresh.loadReport({ indexName: 'i' })).toEqual({ graphNodes: 30, relinkedNodes: 10 });
    expect(
      (await fresh.query({ indexName: 'i', queryVector: data[35]!, topK: 1, strategy: 'hnsw' }))[0]!.id,
    ).toBe('v35');

    persistence.tamper('i', ({ graph }) => {
      new Uint8Array(graph!.bytes)[20] ^= 0xff;
    });
    const repaired = core({ persistence });
    expect((await repaired.describeIndex({ indexName: 'i' })).count).toBe(40);
    expect(await repaired.loadReport({ indexName: 'i' })).toEqual({
      graphNodes: 0,
      relinkedNodes: 40,
      graphRebuilt: 'graph checksum mismatch',
    });
    expect(
      (await repaired.query({ indexName: 'i', queryVector: data[33]!, topK: 1, strategy: 'hnsw' }))[0]!.id,
    ).toBe('v33');
  });

  it('detects corrupt and truncated vector shards', async () => {
    for (const damage of ['flip', 'truncate', 'drop'] as const) {
      const persistence = new MemoryVectorPersistence();
      const writer = core({ persistence, shardSize: 16 });
      await writer.createIndex({ indexName: 'i', dimension: 4 });
      await writer.upsert({ indexName: 'i', vectors: vectors(40, 4, 4) });
      persistence.tamper('i', ({ shards }) => {
        const shard = shards.find((record) => record.shard === 1)!;
        if (damage === 'flip') new Uint8Array(shard.vectors)[7] ^= 1;
        if (damage === 'truncate') shard.vectors = shard.vectors.slice(0, 100);
        if (damage === 'drop') shard.shard = 7;
      });
      await expectError(
        core({ persistence }).describeIndex({ indexName: 'i' }),
        CorruptDataError.isInstance,
        /corrupt or truncated|shards but/,
      );
    }
  });

  it('leaves storage at the previous batch when a commit fails', async () => {
    const persistence = new MemoryVectorPersistence();
    const store = core({ persistence });
    await store.createIndex({ indexName: 'i', dimension: 2 });
    await store.upsert({ indexName: 'i', vectors: [[1, 0]], ids: ['a'] });
    const commit = persistence.commit.bind(persistence);
    persistence.commit = async () => {
      throw new Error('disk full');
    };
    await expect(store.upsert({ indexName: 'i', vectors: [[0, 1]], ids: ['b'] })).rejects.toThrow(
      'disk full',
    );
    persistence.commit = commit;
    expect((await store.query({ indexName: 'i', queryVector: [0, 1] })).map((hit) => hit.id)).toEqual(['a']);
  });

  it('sees writes of another core (tab) sharing storage, with no lost update', async () => {
    const persistence = new MemoryVectorPersistence();
    const locks = localLocks();
    const channelName = `test-${Math.random()}`;
    const options = { persistence, locks, channel: () => new BroadcastChannel(channelName), shardSize: 8 };
    const tabA = core(options);
    const tabB = core(options);
    await tabA.createIndex({ indexName: 'i', dimension: 2 });
    await tabB.describeIndex({ indexName: 'i' });
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) =>
        tabA.upsert({ indexName: 'i', vectors: [[1, i + 1]], ids: [`a${i}`] }),
      ),
      ...Array.from({ length: 10 }, (_, i) =>
        tabB.upsert({ indexName: 'i', vectors: [[i + 1, 1]], ids: [`b${i}`] }),
      ),
    ]);
    await tabB.updateVector({ indexName: 'i', id: 'a3', update: { metadata: { by: 'b' } } });
    await new Promise((resolve) => setTimeout(resolve, 20)); // let the broadcast arrive
    for (const tab of [tabA, tabB]) {
      expect((await tab.describeIndex({ indexName: 'i' })).count).toBe(20);
      const all = await tab.query({ indexName: 'i', queryVector: [1, 1], topK: 50 });
      expect(all.map((hit) => hit.id).sort()).toEqual(
        [...Array(10).keys()].flatMap((i) => [`a${i}`, `b${i}`]).sort(),
      );
      expect(all.find((hit) => hit.id === 'a3')!.metadata).toEqual({ by: 'b' });
    }
    await tabA.close();
    await tabB.close();
  });
});
