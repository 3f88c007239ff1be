import {
  BadRequestError,
  InvalidArgumentError,
  RateLimitError,
  WorkerCrashedError,
} from '../../errors/index.js';
import type { SpanRecord } from '../../storage/types.js';
import { type Comlink, wrapCore } from '../../worker/index.js';
import type { OtlpResourceOptions } from '../otlp-encoding.js';
import type { SpanExporter } from '../types.js';
import {
  createOtlpSend,
  longestSendMs,
  type OtlpSend,
  type OtlpSendResult,
  type OtlpSendSettings,
  tracesEndpoint,
} from './otlp-send.js';
import { moduleOtlpExportWorker, type OtlpExportCore, type OtlpExportWorkerFactory } from './otlp-worker.js';

export interface OtlpHttpExporterOptions extends OtlpResourceOptions {
  /**
   * The collector's base URL (`http://localhost:4318`) or its full traces endpoint
   * (`…/v1/traces`); `/v1/traces` is appended when missing.
   */
  url: string;
  /** Sent with every export (e.g. a collector token); never recorded in spans. */
  headers?: Record<string, string>;
  /**
   * A custom fetch receives the body as JSON text, the platform one UTF-8 bytes. A custom fetch
   * runs on the calling thread (a function cannot be sent to a worker), so it rules out `worker`.
   * @default globalThis.fetch
   */
  fetch?: typeof globalThis.fetch;
  /**
   * Where batches are encoded and sent. A factory: a worker running the export core, which gets
   * each batch (structured-cloned on the timer task) and does the encoding, the request and the
   * retries there, so the calling thread only hands batches over. `false`: everything on the
   * calling thread. A worker that fails to load or crashes is reported once to `onError` and the
   * exporter carries on without it (the batch under way is re-sent from this thread).
   * @default a module worker from `workers/otlp-export.worker.ts` where `Worker` exists and no
   * custom `fetch` is given; elsewhere (Node, an MV3 extension's service worker) `false`
   */
  worker?: OtlpExportWorkerFactory | false;
  /** Spans per request; a full batch is sent on the next macrotask, without waiting for the timer. @default 512 */
  maxBatchSize?: number;
  /** Spans that may wait; beyond this, newly ended spans are dropped and counted. @default 2048 */
  maxQueueSize?: number;
  /** A partial batch is sent this long after the first span of the batch was queued. @default 1000 */
  scheduledDelayMs?: number;
  /** Attempts after the first for 429, 502, 503, 504 and network failures. @default 2 */
  maxRetries?: number;
  /** First retry delay, doubled per attempt (a `Retry-After` header wins, up to 30 s). @default 500 */
  retryDelayMs?: number;
  /** Per-request timeout. @default 10_000 */
  timeoutMs?: number;
  /** Receives failures of background sends and queue-full drops (flush() rethrows its own). @default console.warn */
  onError?: (error: unknown) => void;
}

/** Counters of an OTLP exporter, for the studio and for tests. */
export interface OtlpExportStats {
  /** Spans waiting to be sent. */
  queued: number;
  /** Spans the collector accepted. */
  exported: number;
  /** Spans dropped because the queue was full or the exporter was shut down. */
  dropped: number;
  /** Spans lost because their batch failed after every retry. */
  failed: number;
}

/** An OTLP/HTTP exporter: a `SpanExporter` with its counters. */
export interface OtlpHttpExporter extends SpanExporter {
  /** Sends every queued span and waits for sends under way; rejects with the first failure. */
  flush(): Promise<void>;
  /** Flushes, then stops: later spans are dropped and counted. */
  shutdown(): Promise<void>;
  stats(): OtlpExportStats;
}

/**
 * Sends spans to an OpenTelemetry collector over OTLP/HTTP with JSON encoding (`POST /v1/traces`,
 * `Content-Type: application/json`), the way OpenTelemetry's `BatchSpanProcessor` does: `export()`
 * only appends to a bounded queue (full queue: the span is dropped and counted), and batches are
 * encoded and sent later on a timer task — when `maxBatchSize` spans wait, `scheduledDelayMs`
 * after a partial batch started, or on `flush()` — one request at a time, so a traced step never
 * waits for encoding or the network. Failed requests are retried with backoff; failures are
 * reported to `onError`, never thrown into traced code.
 *
 * @example
 * const otlp = createOtlpHttpExporter({ url: 'http://localhost:4318' });
 * const tracer = createTracer({ exporters: [otlp] });
 * // … on page hide or process exit:
 * await tracer.shutdown();
 */
export function createOtlpHttpExporter(options: OtlpHttpExporterOptions): OtlpHttpExporter {
  if (options.fetch && options.worker)
    throw new InvalidArgumentError('createOtlpHttpExporter: pass either fetch or worker, not both.', {
      hint: 'A custom fetch runs on the calling thread; a worker uses its own platform fetch.',
    });
  const maxBatchSize = options.maxBatchSize ?? 512;
  const maxQueueSize = Math.max(options.maxQueueSize ?? 2048, maxBatchSize);
  const delayMs = options.scheduledDelayMs ?? 1000;
  const settings: OtlpSendSettings = {
    endpoint: tracesEndpoint(options.url),
    headers: { 'Content-Type': 'application/json', ...options.headers },
    maxRetries: options.maxRetries ?? 2,
    retryDelayMs: options.retryDelayMs ?? 500,
    timeoutMs: options.timeoutMs ?? 10_000,
  };
  // Only the resource options are copied: the rest of `options` (functions) cannot reach a worker.
  if (options.serviceName !== undefined) settings.serviceName = options.serviceName;
  if (options.resourceAttributes !== undefined) settings.resourceAttributes = options.resourceAttributes;
  if (options.scopeName !== undefined) settings.scopeName = options.scopeName;
  if (options.scopeVersion !== undefined) settings.scopeVersion = options.scopeVersion;
  const onError =
    options.onError ?? ((error: unknown) => globalThis.console.warn('[lumos.telemetry]', error));
  // A throwing onError must not become an unhandled rejection in the background sends.
  const report = (error: unknown): void => {
    try {
      onError(error);
    } catch {
      // Nothing left to tell: the reporter itself failed.
    }
  };
  const stats: OtlpExportStats = { queued: 0, exported: 0, dropped: 0, failed: 0 };
  let queue: SpanRecord[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerIsImmediate = false;
  /** The request chain; each send starts after the previous one settled. */
  let sending: Promise<void> = Promise.resolve();
  let droppedSinceReport = 0;
  let stopped = false;
  /** A timer-driven request is under way: spans wait in the bounded queue meanwhile. */
  let inFlight = false;

  const workerFactory =
    options.worker ?? (options.fetch || typeof Worker === 'undefined' ? false : moduleOtlpExportWorker);
  const transport = workerFactory
    ? workerTransport(workerFactory, settings, report)
    : inlineTransport(settings, options.fetch);

  const post = async (spans: SpanRecord[]): Promise<void> => {
    // Encoding happens inside `transport.send`, on the timer task (or in the worker it hands the
    // batch to), never in `export()`.
    const { exported, rejected } = await transport.send(spans);
    stats.exported += exported;
    if (rejected) {
      stats.failed += rejected;
      report(new BadRequestError(`OTLP collector rejected ${rejected} span(s) at ${settings.endpoint}.`));
    }
  };

  const reportDrops = (): void => {
    if (droppedSinceReport === 0) return;
    const dropped = droppedSinceReport;
    droppedSinceReport = 0;
    report(
      new RateLimitError(`OTLP export queue full: dropped ${dropped} span(s).`, {
        hint: 'Raise maxQueueSize, lower scheduledDelayMs, or sample fewer traces (sampleRate).',
      }),
    );
  };

  /** Chains one request for `batch`; the returned promise rejects with its failure. */
  const send = (batch: SpanRecord[]): Promise<void> => {
    const request = sending.then(() => post(batch));
    // The chain itself never rejects, so the next batch still goes out after a failure.
    sending = request.then(
      () => undefined,
      () => {
        stats.failed += batch.length;
      },
    );
    return request;
  };

  const takeBatch = (): SpanRecord[] => {
    const batch = queue.length <= maxBatchSize ? queue : queue.slice(0, maxBatchSize);
    queue = queue.length <= maxBatchSize ? [] : queue.slice(maxBatchSize);
    stats.queued = queue.length;
    return batch;
  };

  const clearTimer = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    timerIsImmediate = false;
  };

  /**
   * Timer task: sends one batch. The next one is armed when that request settles, so a slow
   * collector makes spans wait in the bounded queue (and be dropped when it is full) instead of
   * piling up as pending requests.
   */
  const onTimer = (): void => {
    timer = undefined;
    timerIsImmediate = false;
    reportDrops();
    if (inFlight || queue.length === 0) return;
    inFlight = true;
    send(takeBatch())
      .catch(report)
      .finally(() => {
        inFlight = false;
        arm();
      });
  };

  const arm = (): void => {
    if (queue.length === 0 || inFlight || stopped) return;
    const full = queue.length >= maxBatchSize;
    if (timer !== undefined && (timerIsImmediate || !full)) return;
    clearTimer();
    // A full batch goes out on the next macrotask: never inside the `export()` call (that is the
    // traced code's `span.end()`), and after the microtasks of the step that ended the span.
    timer = setTimeout(onTimer, full ? 0 : delayMs);
    timerIsImmediate = full;
    // Never keep a Node process alive just to send telemetry.
    (timer as { unref?: () => void }).unref?.();
  };

  const flush = async (): Promise<void> => {
    clearTimer();
    reportDrops();
    const requests: Promise<void>[] = [sending];
    while (queue.length > 0) requests.push(send(takeBatch()));
    const outcomes = await Promise.allSettled(requests);
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
  };

  return {
    async export(spans) {
      if (stopped) {
        stats.dropped += spans.length;
        return;
      }
      for (const span of spans) {
        if (queue.length < maxQueueSize) queue.push(span);
        else {
          stats.dropped++;
          droppedSinceReport++;
        }
      }
      stats.queued = queue.length;
      arm();
    },
    flush,
    async shutdown() {
      try {
        await flush();
      } finally {
        stopped = true;
        clearTimer();
        transport.close();
      }
    },
    stats: () => ({ ...stats }),
  };
}

/** Where batches are encoded and sent: this thread, or a worker. */
interface Transport {
  send: OtlpSend;
  close(): void;
}

function inlineTransport(settings: OtlpSendSettings, fetch: typeof globalThis.fetch | undefined): Transport {
  return { send: createOtlpSend(settings, fetch), close: () => {} };
}

interface RunningWorker {
  remote: Comlink.Remote<OtlpExportCore>;
  /** Rejects with a `WorkerCrashedError` when the worker dies. */
  crashed: Promise<never>;
  terminate(): void;
}

/**
 * Hands each batch to a worker running the export core (created on the first batch, so an
 * exporter that never sends never starts a thread). The batch is structured-cloned by
 * `postMessage` inside the timer task, ≈ 0.7–1.2 ms for 512 agent spans in V8, against 3.5–5 ms to encode
 * and send it here. If the worker fails to load or dies, the batch under way and every later one
 * go out from this thread, and the failure is reported once.
 */
function workerTransport(
  factory: OtlpExportWorkerFactory,
  settings: OtlpSendSettings,
  report: (error: unknown) => void,
): Transport {
  let worker: RunningWorker | undefined;
  /** Sends from this thread: every batch once the worker is gone, or one that cannot be cloned. */
  let here: OtlpSend | undefined;
  let workerGone = false;
  const deadlineMs = longestSendMs(settings) + settings.timeoutMs;

  const start = (): RunningWorker => {
    const handle = factory();
    let fail: (error: Error) => void = () => {};
    const crashed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    crashed.catch(() => undefined);
    handle.onCrash((reason) => fail(new WorkerCrashedError(`The OTLP export worker stopped: ${reason}.`)));
    const remote = wrapCore<OtlpExportCore>(handle.endpoint);
    // Messages on one port arrive in order, so the first batch does not wait for this call; if the
    // settings cannot be cloned (a function in resourceAttributes), the worker is unusable.
    remote
      .configure(settings)
      .catch((error: unknown) =>
        fail(
          new WorkerCrashedError(
            `The OTLP export worker could not be configured: ${error instanceof Error ? error.message : String(error)}.`,
          ),
        ),
      );
    return { remote, crashed, terminate: () => handle.terminate() };
  };

  const sendHere = (spans: SpanRecord[]): Promise<OtlpSendResult> => {
    here ??= createOtlpSend(settings);
    return here(spans);
  };

  const giveUpWorker = (error: unknown): void => {
    worker?.terminate();
    worker = undefined;
    workerGone = true;
    report(
      new WorkerCrashedError(
        `${error instanceof Error ? error.message : String(error)} Sending spans from this thread from now on.`,
        { cause: error },
      ),
    );
  };

  return {
    async send(spans) {
      if (workerGone) return sendHere(spans);
      let current: RunningWorker;
      try {
        worker ??= start();
        current = worker;
      } catch (error) {
        // The factory itself threw (e.g. a CSP whose worker-src refuses our script).
        giveUpWorker(error);
        return sendHere(spans);
      }
      // A worker that neither answers nor dies (stuck, or silently gone) must not stall the
      // exporter: past the longest a send can take, it counts as crashed.
      let watchdog: ReturnType<typeof setTimeout> | undefined;
      const silent = new Promise<never>((_, reject) => {
        watchdog = setTimeout(
          () =>
            reject(new WorkerCrashedError(`The OTLP export worker did not answer within ${deadlineMs} ms.`)),
          deadlineMs,
        );
        (watchdog as { unref?: () => void }).unref?.();
      });
      try {
        return await Promise.race([current.remote.send(spans), current.crashed, silent]);
      } catch (error) {
        // An attribute the structured clone cannot copy (a function): this thread's encoder drops
        // it like JSON does, so this one batch is sent from here.
        if ((error as { name?: unknown } | null)?.name === 'DataCloneError') return sendHere(spans);
        if (!WorkerCrashedError.isInstance(error) || workerGone) throw error;
        giveUpWorker(error);
        return sendHere(spans);
      } finally {
        clearTimeout(watchdog);
      }
    },
    close() {
      worker?.terminate();
      worker = undefined;
    },
  };
}
