import { BadRequestError, NetworkError, RateLimitError, ServerError } from '../../errors/index.js';
import type { SpanRecord } from '../../storage/types.js';
import { encodeOtlpTracesJson, encodeOtlpTracesUtf8, type OtlpResourceOptions } from '../otlp-encoding.js';
import type { SpanExporter } from '../types.js';

export interface OtlpHttpExporterOptions extends OtlpResourceOptions {
  /**
   * The collector's base URL (`http://localhost:4318`) or its full traces endpoint
   * (`…/v1/traces`); `/v1/traces` is appended when missing.
   */
  url: string;
  /** Sent with every export (e.g. a collector token); never recorded in spans. */
  headers?: Record<string, string>;
  /** @default globalThis.fetch (a custom fetch receives the body as JSON text, the default one as UTF-8 bytes) */
  fetch?: typeof globalThis.fetch;
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

function tracesEndpoint(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/v1/traces') ? trimmed : `${trimmed}/v1/traces`;
}

function statusError(status: number, body: string, endpoint: string): Error {
  const message = `OTLP collector at ${endpoint} answered ${status}: ${body.slice(0, 200)}`;
  if (status === 429)
    return new RateLimitError(message, { hint: 'Raise scheduledDelayMs or sample fewer traces.' });
  if (status >= 500) return new ServerError(message, { data: { status } });
  return new BadRequestError(message, {
    hint: 'Check the URL (an OTLP/HTTP receiver, usually port 4318) and the headers.',
    data: { status },
  });
}

/** A request buffer larger than this is not kept for the next batch. */
const maxScratchBytes = 4 * 1024 * 1024;

const retryableStatuses = new Set([429, 502, 503, 504]);
const maxRetryAfterMs = 30_000;

/** Milliseconds from a `Retry-After` header (seconds or an HTTP date), when present and sane. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, maxRetryAfterMs) : undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
  const endpoint = tracesEndpoint(options.url);
  const maxBatchSize = options.maxBatchSize ?? 512;
  const maxQueueSize = Math.max(options.maxQueueSize ?? 2048, maxBatchSize);
  const delayMs = options.scheduledDelayMs ?? 1000;
  const maxRetries = options.maxRetries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers = { 'Content-Type': 'application/json', ...options.headers };
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

  /** The byte buffer the previous batch was written to, reused by the next one. */
  let scratch: Uint8Array<ArrayBuffer> | undefined;

  const post = async (spans: SpanRecord[]): Promise<void> => {
    // Encoding happens here, inside the timer task, never in `export()`. The platform fetch gets
    // UTF-8 bytes written span by span (it would otherwise encode one large string itself); a
    // custom `fetch` (a wrapper, a test double) keeps receiving the JSON text.
    let body: string | Uint8Array<ArrayBuffer>;
    if (options.fetch) body = encodeOtlpTracesJson(spans, options);
    else {
      // The platform fetch copies a byte body when the request is made (the Fetch standard's
      // "extract a body"), so the next batch can be written into the same buffer; requests run
      // one at a time and a retry re-sends these bytes before the next batch is encoded.
      body = encodeOtlpTracesUtf8(spans, options, scratch);
      scratch = body.buffer.byteLength <= maxScratchBytes ? new Uint8Array(body.buffer) : undefined;
    }
    const fetchImpl = options.fetch ?? globalThis.fetch;
    for (let attempt = 0; ; attempt++) {
      let error: Error;
      let waitMs = retryDelayMs * 2 ** attempt;
      try {
        const response = await fetchImpl(endpoint, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
          // No window and no redirects: Node's fetch (undici) then sends the request as given
          // instead of cloning it, which tees the body stream and copies every byte once more.
          // Collectors do not redirect; the OpenTelemetry SDK exporters do not follow redirects either.
          window: null,
          redirect: 'error',
        });
        const text = await response.text();
        if (response.ok) {
          const rejected = parsePartialSuccess(text);
          stats.exported += spans.length - rejected;
          if (rejected) {
            stats.failed += rejected;
            report(new BadRequestError(`OTLP collector rejected ${rejected} span(s) at ${endpoint}.`));
          }
          return;
        }
        error = statusError(response.status, text, endpoint);
        if (!retryableStatuses.has(response.status)) throw error;
        waitMs = retryAfterMs(response.headers.get('retry-after')) ?? waitMs;
      } catch (caught) {
        if (BadRequestError.isInstance(caught) || ServerError.isInstance(caught)) throw caught;
        error = new NetworkError(`Could not reach the OTLP collector at ${endpoint}.`, { cause: caught });
      }
      if (attempt >= maxRetries) throw error;
      await sleep(waitMs);
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
      }
    },
    stats: () => ({ ...stats }),
  };
}

function parsePartialSuccess(text: string): number {
  if (!text) return 0;
  try {
    const parsed = JSON.parse(text) as { partialSuccess?: { rejectedSpans?: number | string } };
    return Number(parsed.partialSuccess?.rejectedSpans ?? 0);
  } catch {
    return 0;
  }
}
