import { WorkerProtocolError } from '../../errors/index.js';
import type { SpanRecord } from '../../storage/types.js';
import { browserWorkerHandle, inProcessWorkerHandle, type WorkerHandle } from '../../worker/index.js';
import { createOtlpSend, type OtlpSend, type OtlpSendResult, type OtlpSendSettings } from './otlp-send.js';

/**
 * What the export worker runs: encoding and the request of each batch, with retries. Failures
 * reject with the typed error, which `exposeCore`/`wrapCore` carry across as the same class.
 */
export interface OtlpExportCore {
  configure(settings: OtlpSendSettings): void;
  send(spans: SpanRecord[]): Promise<OtlpSendResult>;
}

/** `fetch` is for an in-process core (tests): a function cannot be sent to a real worker. */
export function createOtlpExportCore(options: { fetch?: typeof globalThis.fetch } = {}): OtlpExportCore {
  let send: OtlpSend | undefined;
  return {
    configure(settings) {
      send = createOtlpSend(settings, options.fetch);
    },
    send(spans) {
      if (!send) throw new WorkerProtocolError('The OTLP export core was not configured.');
      return send(spans);
    },
  };
}

/** One export worker as the exporter sees it: an endpoint, a way to end it, and a crash signal. */
export type OtlpExportWorkerHandle = WorkerHandle;

/** Creates a worker running {@link createOtlpExportCore} (`workers/otlp-export.worker.ts` or an equivalent). */
export type OtlpExportWorkerFactory = () => OtlpExportWorkerHandle;

/** Wraps a browser `Worker` running the export core. */
export function otlpExportWorkerHandle(worker: Worker): OtlpExportWorkerHandle {
  return browserWorkerHandle(worker, 'the OTLP export worker');
}

/** The default where `Worker` exists: a module worker built from `workers/otlp-export.worker.ts`. */
export function moduleOtlpExportWorker(): OtlpExportWorkerHandle {
  return otlpExportWorkerHandle(
    new Worker(new URL('../../../workers/otlp-export.worker.ts', import.meta.url), {
      type: 'module',
      name: 'lumos-otlp-export',
    }),
  );
}

/**
 * Runs the export core on this thread over a `MessageChannel`: the same protocol as a real
 * worker (every batch is structured-cloned across), without the parallelism. For tests.
 */
export function inProcessOtlpExportWorker(
  options: { fetch?: typeof globalThis.fetch } = {},
): OtlpExportWorkerFactory {
  return () => inProcessWorkerHandle(createOtlpExportCore(options));
}
