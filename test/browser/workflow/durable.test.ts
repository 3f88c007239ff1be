import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { IndexedDBStorage } from '../../../src/storage/index.js';
import { createStep, createWorkflow } from '../../../src/workflow/index.js';
import { countingWorkflow, readCounts } from '../../fixtures/workflow-page/counting-workflow.js';

const opened: IndexedDBStorage[] = [];
const databases: string[] = [];

async function open(name: string): Promise<IndexedDBStorage> {
  const storage = await IndexedDBStorage.open({ name });
  opened.push(storage);
  return storage;
}

function freshName(label: string): string {
  const name = `workflow-${label}-${crypto.randomUUID()}`;
  databases.push(name);
  return name;
}

afterEach(async () => {
  for (const storage of opened.splice(0)) storage.close();
  for (const name of databases.splice(0)) {
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = request.onerror = request.onblocked = resolve;
    });
  }
});

function nextMessage(worker: Worker, type: string): Promise<MessageEvent> {
  return new Promise((resolve, reject) => {
    const onMessage = (event: MessageEvent) => {
      if (event.data?.type !== type) return;
      worker.removeEventListener('message', onMessage);
      resolve(event);
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', (event) => reject(new Error(event.message)), { once: true });
  });
}

const num = z.object({ value: z.number() });

describe('workflows on IndexedDB in Chromium', () => {
  it('stores a snapshot per step and reads runs back through a new connection', async () => {
    const name = freshName('snapshots');
    const storage = await open(name);
    const writes: string[] = [];
    const original = storage.saveWorkflowSnapshot.bind(storage);
    storage.saveWorkflowSnapshot = async (record) => {
      writes.push(Object.keys((record.snapshot as { steps: object }).steps).join(','));
      return original(record);
    };
    const add = (id: string) =>
      createStep({
        id,
        inputSchema: num,
        outputSchema: num,
        execute: async ({ inputData }) => ({ value: inputData.value + 1 }),
      });
    const build = (target: IndexedDBStorage) =>
      createWorkflow({ id: 'idb-chain', inputSchema: num, outputSchema: num, storage: target })
        .then(add('one'))
        .then(add('two'))
        .then(add('three'))
        .commit();
    const result = await (await build(storage).createRun({ runId: 'chain' })).start({
      inputData: { value: 0 },
    });
    expect(result).toMatchObject({ status: 'success', result: { value: 3 } });
    expect(writes).toEqual(['', 'one', 'one,two', 'one,two,three', 'one,two,three']);

    storage.close();
    const reopened = await open(name);
    const workflow = build(reopened);
    const page = await workflow.listRuns({ limit: 10 });
    expect(page.items.map((item) => [item.runId, item.status])).toEqual([['chain', 'success']]);
    expect(await (await workflow.getRun('chain'))?.result()).toMatchObject({
      status: 'success',
      result: { value: 3 },
    });
  });

  it('keeps a suspended run only in IndexedDB and resumes it through a new connection', async () => {
    const name = freshName('suspend');
    const build = (storage: IndexedDBStorage) =>
      createWorkflow({ id: 'idb-approval', inputSchema: num, outputSchema: z.string(), storage })
        .then(
          createStep({
            id: 'approve',
            inputSchema: num,
            outputSchema: z.string(),
            resumeSchema: z.object({ by: z.string() }),
            execute: async ({ inputData, resumeData, suspend }) =>
              resumeData ? `${inputData.value} approved by ${resumeData.by}` : suspend({ waiting: true }),
          }),
        )
        .commit();
    const first = await open(name);
    expect(
      await (await build(first).createRun({ runId: 'wait' })).start({ inputData: { value: 9 } }),
    ).toMatchObject({
      status: 'suspended',
    });
    first.close();
    const run = await build(await open(name)).getRun('wait');
    await expect(run?.resume({ resumeData: { by: 1 } })).rejects.toMatchObject({ code: 'validation' });
    expect(await run?.resume({ resumeData: { by: 'ada' } })).toMatchObject({
      status: 'success',
      result: '9 approved by ada',
    });
  });

  it('finishes a run after the worker executing it is killed mid-step', async () => {
    const database = freshName('worker');
    const url = new URL('./runner.worker.ts', import.meta.url);
    const doomed = new Worker(url, { type: 'module' });
    const hanging = nextMessage(doomed, 'hanging');
    doomed.postMessage({ command: 'start', database });
    await hanging;

    // While the worker lives it holds the run's Web Lock: this page must not execute the run too.
    const storage = await open(database);
    const meanwhile = countingWorkflow({ storage });
    expect(await meanwhile.resumeAll()).toEqual([]);
    await expect((await meanwhile.getRun('worker-run'))?.resume()).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(await readCounts(storage)).toEqual({ a: 1, b: 1 });

    doomed.terminate();
    // Terminating a worker releases its locks asynchronously; wait until Chromium says so.
    const lockName = 'lumosai-workflow:counting:worker-run';
    for (let tries = 0; ; tries++) {
      const { held = [] } = await navigator.locks.query();
      if (!held.some((lock) => lock.name === lockName)) break;
      if (tries > 200) throw new Error('the terminated worker still holds the run lock');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    const interrupted = await storage.loadWorkflowSnapshot({ workflowId: 'counting', runId: 'worker-run' });
    expect(interrupted?.status).toBe('running');
    expect(Object.keys((interrupted?.snapshot as { steps: object } | undefined)?.steps ?? {})).toEqual(['a']);

    const rescuer = new Worker(url, { type: 'module' });
    const resumed = nextMessage(rescuer, 'resumed');
    rescuer.postMessage({ command: 'resumeAll', database });
    const { data } = await resumed;
    rescuer.terminate();
    expect(data.results).toEqual([
      { runId: 'worker-run', status: 'success', output: { trail: ['a', 'b', 'c'] } },
    ]);
    expect(await readCounts(storage)).toEqual({ a: 1, b: 2, c: 1 });
  });
});
