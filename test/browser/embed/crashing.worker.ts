// A real embedding worker that loads the model, then crashes (uncaught error, never answers) on
// its first batch: the pool must replace it and retry the batch on a fresh worker.
import { createEmbedCore } from '../../../src/embed/core.js';
import { exposeCore } from '../../../src/worker/index.js';

const core = createEmbedCore();
exposeCore({
  ...core,
  embedBatch: () => {
    setTimeout(() => {
      throw new Error('simulated crash inside the embedding worker');
    });
    return new Promise(() => {});
  },
});
