import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { CorruptDataError } from '../../../src/errors/index.js';
import { BrowserVector, vectorWorkerHandle } from '../../../src/vector/index.js';

function data(count: number, dimension: number, seed: number): Float32Array[] {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  return Array.from({ length: count }, () => Float32Array.from({ length: dimension }, next));
}

const databaseName = () => `lumos-vectors-test-${Math.random().toString(36).slice(2)}`;

describe('BrowserVector in a Chromium worker with IndexedDB', () => {
  it('answers from a worker and serves a reload from the stored graph', async () => {
    const name = databaseName();
    const vectors = data(3000, 64, 1);
    const first = new BrowserVector({ databaseName: name, exactThreshold: 500 });
    await first.createIndex({ indexName: 'docs', dimension: 64 });
    for (let start = 0; start < 3000; start += 1000) {
      await first.upsert({
        indexName: 'docs',
        vectors: vectors.slice(start, start + 1000),
        ids: vectors.slice(start, start + 1000).map((_, i) => `d${start + i}`),
        metadata: vectors.slice(start, start + 1000).map((_, i) => ({ group: (start + i) % 10 })),
      });
    }
    const before = await first.queryWithStats({ indexName: 'docs', queryVector: vectors[1234]!, topK: 5 });
    expect(before.results[0]!.id).toBe('d1234');
    expect(before.stats.strategy).toBe('hnsw');
    expect(before.stats.visited).toBeLessThan(3000);
    await first.flush();
    await first.close();

    const second = new BrowserVector({ databaseName: name, exactThreshold: 500 });
    const after = await second.queryWithStats({ indexName: 'docs', queryVector: vectors[1234]!, topK: 5 });
    expect(await second.loadReport({ indexName: 'docs' })).toEqual({ graphNodes: 3000, relinkedNodes: 0 });
    expect(after.results).toEqual(before.results);
    const filtered = await second.query({
      indexName: 'docs',
      queryVector: vectors[7]!,
      topK: 3,
      filter: { group: 7 },
    });
    expect(filtered[0]!.id).toBe('d7');
    expect(filtered.every((hit) => hit.metadata.group === 7)).toBe(true);
    await second.deleteIndex({ indexName: 'docs' });
    await second.close();
  });

  it('two workers on one database (two tabs) see each other and lose no update', async () => {
    const name = databaseName();
    const tabA = new BrowserVector({ databaseName: name });
    const tabB = new BrowserVector({ databaseName: name });
    await tabA.createIndex({ indexName: 'shared', dimension: 8 });
    const points = data(40, 8, 2);
    await Promise.all(
      points.map((vector, i) =>
        (i % 2 ? tabA : tabB).upsert({
          indexName: 'shared',
          vectors: [vector],
          ids: [`p${i}`],
          metadata: [{ i }],
        }),
      ),
    );
    await tabB.updateVector({ indexName: 'shared', id: 'p1', update: { metadata: { i: 1, edited: true } } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const tab of [tabA, tabB]) {
      expect((await tab.describeIndex({ indexName: 'shared' })).count).toBe(40);
      const hit = await tab.query({ indexName: 'shared', queryVector: points[1]!, topK: 1 });
      expect(hit[0]).toMatchObject({ id: 'p1', metadata: { i: 1, edited: true } });
    }
    await Promise.all([tabA.close(), tabB.close()]);
  });

  it('a worker killed in the middle of an upsert leaves the index before or after that batch', async () => {
    const seen = new Set<number>();
    for (const delay of [40, 400, 900, 1400]) {
      const name = databaseName();
      let worker: Worker | undefined;
      const writer = new BrowserVector({
        databaseName: name,
        worker: () => {
          worker = new Worker(new URL('../../../workers/vector.worker.ts', import.meta.url), {
            type: 'module',
          });
          return vectorWorkerHandle(worker);
        },
      });
      await writer.createIndex({ indexName: 'crash', dimension: 32 });
      await writer.upsert({ indexName: 'crash', vectors: data(500, 32, 3) });
      const pending = writer.upsert({ indexName: 'crash', vectors: data(3000, 32, 4) });
      pending.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, delay));
      worker!.terminate(); // no goodbye: like a closed tab
      const reader = new BrowserVector({ databaseName: name });
      const { count } = await reader.describeIndex({ indexName: 'crash' });
      expect([500, 3500]).toContain(count);
      seen.add(count);
      expect(
        await reader.query({ indexName: 'crash', queryVector: data(1, 32, 5)[0]!, topK: 3 }),
      ).toHaveLength(3);
      await reader.close();
    }
    expect(seen.has(500)).toBe(true);
  });

  it('detects a corrupt shard and rebuilds a corrupt graph from the stored vectors', async () => {
    const name = databaseName();
    const writer = new BrowserVector({ databaseName: name });
    await writer.createIndex({ indexName: 'c', dimension: 16 });
    const points = data(300, 16, 6);
    await writer.upsert({ indexName: 'c', vectors: points, ids: points.map((_, i) => `c${i}`) });
    await writer.close();

    const database = await openDB(name);
    const graph = await database.get('graphs', 'c');
    new Uint8Array(graph.bytes)[40] ^= 0xff;
    await database.put('graphs', graph);
    const repaired = new BrowserVector({ databaseName: name });
    expect((await repaired.query({ indexName: 'c', queryVector: points[9]!, topK: 1 }))[0]!.id).toBe('c9');
    expect(await repaired.loadReport({ indexName: 'c' })).toMatchObject({
      graphRebuilt: 'graph checksum mismatch',
    });
    await repaired.close();

    const shard = await database.get('shards', ['c', 0]);
    shard.vectors = shard.vectors.slice(0, 64);
    await database.put('shards', shard);
    database.close();
    const broken = new BrowserVector({ databaseName: name });
    await expect(broken.describeIndex({ indexName: 'c' })).rejects.toSatisfy(CorruptDataError.isInstance);
    await broken.close();
  });
});
