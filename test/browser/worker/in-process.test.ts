import { expect, it } from 'vitest';
import { BrowserVector, inProcessVectorWorker } from '../../../src/vector/index.js';
import { exposeCore, wrapCore } from '../../../src/worker/index.js';

it('runs a core over a MessageChannel on the page thread (ports must be started)', async () => {
  const channel = new MessageChannel();
  exposeCore({ add: (a: number, b: number) => a + b }, channel.port1);
  const remote = wrapCore<{ add(a: number, b: number): number }>(channel.port2);
  expect(await remote.add(2, 3)).toBe(5);
  channel.port1.close();
  channel.port2.close();
});

it('serves a vector index in-process in a browser', async () => {
  const vector = new BrowserVector({ worker: inProcessVectorWorker({ persist: false }) });
  await vector.createIndex({ indexName: 'in-process', dimension: 3 });
  await vector.upsert({
    indexName: 'in-process',
    vectors: [
      [1, 0, 0],
      [0, 1, 0],
    ],
    ids: ['x', 'y'],
  });
  const [hit] = await vector.query({ indexName: 'in-process', queryVector: [0.9, 0.1, 0], topK: 1 });
  expect(hit?.id).toBe('x');
});

it('a real worker ignores messages that are not its protocol and keeps serving', async () => {
  const worker = new Worker(new URL('../../../workers/vector.worker.ts', import.meta.url), {
    type: 'module',
  });
  const replies: unknown[] = [];
  worker.addEventListener('message', (event) => replies.push(event.data));
  for (const junk of [null, 'GET', 42, { type: 'APPLY', path: ['deleteIndex'] }, { id: 7, type: 'APPLY' }]) {
    worker.postMessage(junk);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(replies).toEqual([]);
  const core = wrapCore<{ listIndexes(): Promise<string[]> }>(worker);
  expect(Array.isArray(await core.listIndexes())).toBe(true);
  worker.terminate();
});
