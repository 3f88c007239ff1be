import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError, WorkerCrashedError } from '../errors/index.js';
import { BrowserVector, inProcessVectorWorker } from './browser-vector.js';
import { MemoryVectorPersistence } from './memory-persistence.js';

describe('BrowserVector over the worker protocol (in-process core)', () => {
  it('runs the store through comlink and keeps error classes', async () => {
    const vectors = new BrowserVector({ worker: inProcessVectorWorker({ persist: false }) });
    await vectors.createIndex({ indexName: 'docs', dimension: 3, metric: 'euclidean' });
    const input = [new Float32Array([1, 0, 0]), [0, 1, 0]];
    await vectors.upsert({
      indexName: 'docs',
      vectors: input,
      ids: ['a', 'b'],
      metadata: [{ s: 'x' }, { s: 'y' }],
    });
    expect(input[0]).toHaveLength(3); // the caller's arrays are packed, not transferred away
    const hits = await vectors.query({
      indexName: 'docs',
      queryVector: [0, 1, 0.1],
      topK: 1,
      includeVector: true,
    });
    expect(hits).toEqual([
      { id: 'b', score: expect.closeTo(-0.1, 5), metadata: { s: 'y' }, vector: new Float32Array([0, 1, 0]) },
    ]);
    expect(vectors.lastQueryStats).toMatchObject({ strategy: 'exact', candidates: 2 });
    await vectors.updateVector({
      indexName: 'docs',
      id: 'a',
      update: { vector: [0, 0, 1], metadata: { s: 'z' } },
    });
    expect((await vectors.query({ indexName: 'docs', queryVector: [0, 0, 1], topK: 1 }))[0]).toMatchObject({
      id: 'a',
      metadata: { s: 'z' },
    });
    await vectors.deleteVectors({ indexName: 'docs', filter: { s: 'z' } });
    await vectors.deleteVector({ indexName: 'docs', id: 'b' });
    expect(await vectors.describeIndex({ indexName: 'docs' })).toEqual({
      dimension: 3,
      count: 0,
      metric: 'euclidean',
    });
    await expect(vectors.upsert({ indexName: 'docs', vectors: [[1, 2]] })).rejects.toSatisfy(
      InvalidArgumentError.isInstance,
    );
    await expect(vectors.query({ indexName: 'nope', queryVector: [1, 2, 3] })).rejects.toSatisfy(
      NotFoundError.isInstance,
    );
    expect(await vectors.listIndexes()).toEqual(['docs']);
    await vectors.deleteIndex({ indexName: 'docs' });
    expect(await vectors.listIndexes()).toEqual([]);
    await vectors.close();
  });

  it('flushes lagging graph snapshots and reports how it loaded', async () => {
    const persistence = new MemoryVectorPersistence();
    const writer = new BrowserVector({
      worker: inProcessVectorWorker({ persistence, graphSnapshotNodes: 10_000_000 }),
    });
    await writer.createIndex({ indexName: 'i', dimension: 2 });
    await writer.upsert({
      indexName: 'i',
      vectors: [
        [1, 0],
        [0, 1],
      ],
      ids: ['a', 'b'],
    });
    await writer.flush();
    await writer.compact({ indexName: 'i' });
    const reader = new BrowserVector({ worker: inProcessVectorWorker({ persistence }) });
    expect((await reader.query({ indexName: 'i', queryVector: [1, 0.1], topK: 1 }))[0]!.id).toBe('a');
    expect(await reader.loadReport({ indexName: 'i' })).toEqual({ graphNodes: 2, relinkedNodes: 0 });
    await Promise.all([writer.close(), reader.close()]);
  });

  it('rejects pending and later calls with WorkerCrashedError when the worker dies', async () => {
    let crash: (reason: string) => void = () => {};
    const channel = new MessageChannel();
    const vectors = new BrowserVector({
      worker: () => ({
        endpoint: channel.port2,
        terminate: () => channel.port2.close(),
        onCrash: (listener) => (crash = listener),
      }),
    });
    const pending = vectors.listIndexes();
    crash('out of memory');
    await expect(pending).rejects.toSatisfy(WorkerCrashedError.isInstance);
    await expect(vectors.listIndexes()).rejects.toThrow(/The vector worker stopped: out of memory/);
    channel.port1.close();
  });
});
