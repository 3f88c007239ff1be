import { browserWorkerHandle, inProcessWorkerHandle, type WorkerHandle } from '../worker/index.js';
import { createEmbedCore, type EmbedCoreOptions } from './core.js';

/** One worker as the pool sees it: an endpoint, a way to end it, and a crash signal. */
export type EmbedWorkerHandle = WorkerHandle;

/** Creates a worker running the embedding core (`workers/embed.worker.ts` or an equivalent). */
export type EmbedWorkerFactory = () => EmbedWorkerHandle;

/** Wraps a browser `Worker`: an uncaught error or an undecodable message counts as a crash. */
export function workerHandle(worker: Worker): EmbedWorkerHandle {
  return browserWorkerHandle(worker, 'the embedding worker');
}

/** The default in browsers: a module worker built from `workers/embed.worker.ts`. */
export function moduleWorkerFactory(): EmbedWorkerHandle {
  return workerHandle(
    new Worker(new URL('../../workers/embed.worker.ts', import.meta.url), {
      type: 'module',
      name: 'lumos-embed',
    }),
  );
}

/**
 * Runs the core on this thread over a `MessageChannel`: the default in Node (no `Worker`), and
 * what tests use. Same protocol and results as a real worker, without parallelism.
 */
export function inProcessWorkerFactory(options: EmbedCoreOptions = {}): EmbedWorkerFactory {
  return () => {
    const core = createEmbedCore(options);
    return inProcessWorkerHandle(core, () => core.dispose());
  };
}
