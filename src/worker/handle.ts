import { type Comlink, exposeCore } from './expose.js';

/** One worker as its owner sees it: an endpoint, a way to end it, and a crash signal. */
export interface WorkerHandle {
  endpoint: Comlink.Endpoint;
  terminate(): void;
  /** Registers a listener called once if the worker dies, fails to load or reports an uncaught error. */
  onCrash(listener: (reason: string) => void): void;
}

/**
 * Wraps a browser `Worker`: an uncaught error (a failed load included) or an undecodable message
 * counts as a crash, reported once. `label` names the worker in the reason (`'the vector worker'`).
 */
export function browserWorkerHandle(worker: Worker, label: string): WorkerHandle {
  const listeners: ((reason: string) => void)[] = [];
  const crash = (reason: string) => {
    for (const listener of listeners.splice(0)) listener(reason);
  };
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    crash(event.message || `${label} failed to load or threw`);
  });
  worker.addEventListener('messageerror', () => crash(`${label} sent an undecodable message`));
  return {
    endpoint: worker,
    terminate: () => worker.terminate(),
    onCrash: (listener) => listeners.push(listener),
  };
}

/**
 * Runs `core` on this thread over a `MessageChannel`: the same protocol as a real worker (every
 * message is structured-cloned across), without the parallelism. `dispose` runs on `terminate()`.
 */
export function inProcessWorkerHandle(core: object, dispose?: () => unknown): WorkerHandle {
  const channel = new MessageChannel();
  exposeCore(core, channel.port1);
  return {
    endpoint: channel.port2,
    terminate: () => {
      void dispose?.();
      channel.port1.close();
      channel.port2.close();
    },
    onCrash: () => {},
  };
}
