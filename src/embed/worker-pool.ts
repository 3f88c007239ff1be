import { TimeoutError, WorkerCrashedError } from '../errors/index.js';
import { type Comlink, wrapCore } from '../worker/index.js';
import type { CoreLoadRequest, CoreLoadResult, EmbedCore } from './core.js';
import type { EmbedWorkerFactory, EmbedWorkerHandle } from './worker-handle.js';

interface Slot {
  handle: EmbedWorkerHandle;
  remote: Comlink.Remote<EmbedCore>;
  loaded: Promise<CoreLoadResult>;
  /** Rejects with `WorkerCrashedError` when the worker dies. */
  crashed: Promise<never>;
  busy: boolean;
}

/** Options of `WorkerPool`. */
export interface WorkerPoolOptions {
  size: number;
  factory: EmbedWorkerFactory;
  /** A batch that takes longer counts as a hung worker: it is replaced and the batch retried. */
  batchTimeoutMs: number;
  /** Retries of one batch on fresh workers after crashes. */
  maxRetries: number;
}

/**
 * A fixed number of embedding workers, each loaded with the same model. A batch runs on an idle
 * worker; a worker that crashes or hangs mid-batch is terminated, replaced and the batch retried.
 */
export class WorkerPool {
  readonly #slots: Slot[] = [];
  /** Callers waiting for a worker; urgent ones (single queries) are queued ahead of batches. */
  readonly #waiting: { urgent: boolean; resolve: (slot: Slot) => void }[] = [];
  #request: Promise<CoreLoadRequest> | undefined;
  /** Workers replaced after a crash, for tests and diagnostics. */
  replacements = 0;

  constructor(readonly options: WorkerPoolOptions) {}

  /**
   * Starts the first worker at once (its modules load while the model downloads) and resolves when
   * it has the model; the other workers then start and join the pool as they finish loading, so
   * time to the first vector does not grow with the pool size.
   */
  async start(request: Promise<CoreLoadRequest>): Promise<CoreLoadResult> {
    this.#request = request;
    const first = this.#spawn();
    this.#slots.push(first);
    const result = await first.loaded;
    // The others start only now: on a small machine, loading them alongside the first one would
    // delay the first vector, and they reuse the browser's warm HTTP and compiled-WASM caches.
    for (let index = 1; index < this.options.size; index++) this.#slots.push(this.#spawn());
    return result;
  }

  /**
   * Embeds one batch on an idle worker, replacing it and retrying when it dies. An `urgent` batch
   * (a search query) takes the next free worker ahead of queued batches, so a query waits for at
   * most one running batch instead of a whole ingestion backlog.
   */
  async embed(texts: string[], options: { urgent?: boolean } = {}): Promise<Float32Array> {
    for (let attempt = 0; ; attempt++) {
      const slot = await this.#acquire(options.urgent ?? false);
      try {
        await slot.loaded;
        const result = await this.#guard(slot, slot.remote.embedBatch(texts));
        this.#release(slot);
        return result;
      } catch (error) {
        if (!WorkerCrashedError.isInstance(error) && !TimeoutError.isInstance(error)) {
          this.#release(slot);
          throw error;
        }
        this.#replace(slot);
        if (attempt >= this.options.maxRetries) {
          throw new WorkerCrashedError(`An embedding worker died ${attempt + 1} times on the same batch.`, {
            cause: error,
            data: { texts: texts.length },
            hint: 'The batch may be too large for memory; try smaller chunks.',
          });
        }
      }
    }
  }

  /** Settles once every worker started so far has loaded the model or failed to. */
  async allLoaded(): Promise<void> {
    await Promise.allSettled(this.#slots.map((slot) => slot.loaded));
  }

  /** Terminates every worker. */
  terminate(): void {
    for (const slot of this.#slots.splice(0)) slot.handle.terminate();
  }

  get size(): number {
    return this.#slots.length;
  }

  #spawn(): Slot {
    const handle = this.options.factory();
    const remote = wrapCore<EmbedCore>(handle.endpoint);
    const crashed = new Promise<never>((_, reject) => {
      handle.onCrash((reason) => reject(new WorkerCrashedError(`Embedding worker crashed: ${reason}`)));
    });
    crashed.catch(() => {});
    const slot: Slot = {
      handle,
      remote,
      crashed,
      busy: true,
      loaded: Promise.resolve({ dimension: 0, backend: 'wasm' }),
    };
    // Busy until loaded: a batch only ever goes to a worker that has the model.
    slot.loaded = this.#request!.then((request) => this.#guard(slot, remote.load(request)));
    slot.loaded.then(
      () => this.#release(slot),
      () => {},
    );
    return slot;
  }

  #guard<T>(slot: Slot, call: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TimeoutError(`An embedding worker did not answer within ${this.options.batchTimeoutMs} ms.`),
          ),
        this.options.batchTimeoutMs,
      );
    });
    return Promise.race([call, slot.crashed, timeout]).finally(() => clearTimeout(timer));
  }

  #replace(slot: Slot): void {
    slot.handle.terminate();
    const index = this.#slots.indexOf(slot);
    if (index < 0) return;
    this.replacements++;
    this.#slots[index] = this.#spawn();
  }

  async #acquire(urgent: boolean): Promise<Slot> {
    const idle = this.#slots.find((slot) => !slot.busy);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    return new Promise((resolve) => {
      const waiter = { urgent, resolve };
      if (!urgent) this.#waiting.push(waiter);
      else {
        // Behind earlier urgent callers, ahead of every batch.
        const firstBatch = this.#waiting.findIndex((entry) => !entry.urgent);
        this.#waiting.splice(firstBatch < 0 ? this.#waiting.length : firstBatch, 0, waiter);
      }
    });
  }

  #release(slot: Slot): void {
    if (!this.#slots.includes(slot)) return;
    const next = this.#waiting.shift();
    if (next) {
      slot.busy = true;
      next.resolve(slot);
    } else {
      slot.busy = false;
    }
  }
}
