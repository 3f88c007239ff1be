import { IndexedDBStorage } from '../../../src/storage/index.js';
import { countingWorkflow } from '../../fixtures/workflow-page/counting-workflow.js';

/** Runs the counting workflow in a worker: `start` hangs in step b; `resumeAll` finishes it. */
self.onmessage = async (event: MessageEvent<{ command: 'start' | 'resumeAll'; database: string }>) => {
  const storage = await IndexedDBStorage.open({ name: event.data.database });
  const workflow = countingWorkflow({
    storage,
    hangAt: 'b',
    onHang: () => self.postMessage({ type: 'hanging' }),
  });
  if (event.data.command === 'start') {
    const run = await workflow.createRun({ runId: 'worker-run' });
    await run.start({ inputData: { trail: [] } });
    return;
  }
  const results = await workflow.resumeAll();
  self.postMessage({
    type: 'resumed',
    results: results.map((result) => ({
      runId: result.runId,
      status: result.status,
      output: result.status === 'success' ? result.result : undefined,
    })),
  });
};
