import { BadRequestError, NetworkError, RateLimitError, ServerError } from '../../errors/index.js';
import type { SpanRecord } from '../../storage/types.js';
import { encodeOtlpTraces, type OtlpResourceOptions } from '../otlp-encoding.js';
import type { SpanExporter } from '../types.js';

export interface OtlpHttpExporterOptions extends OtlpResourceOptions {
  /**
   * The collector's base URL (`http://localhost:4318`) or its full traces endpoint
   * (`…/v1/traces`); `/v1/traces` is appended when missing.
   */
  url: string;
  /** Sent with every export (e.g. a collector token); never recorded in spans. */
  headers?: Record<string, string>;
  /** @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Spans per request; a full batch is sent at once. @default 512 */
  maxBatchSize?: number;
  /** Oldest spans are dropped (and reported) beyond this many waiting. @default 4096 */
  maxQueueSize?: number;
  /** A partial batch is sent this long after its first span. @default 1000 */
  scheduledDelayMs?: number;
  /** Attempts after the first for 429, 502, 503, 504 and network failures. @default 2 */
  maxRetries?: number;
  /** First retry delay, doubled per attempt. @default 500 */
  retryDelayMs?: number;
  /** Per-request timeout. @default 10_000 */
  timeoutMs?: number;
  /** Receives failures of background sends (flush() rethrows its own). @default console.warn */
  onError?: (error: unknown) => void;
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends spans to an OpenTelemetry collector over OTLP/HTTP with JSON encoding (`POST /v1/traces`,
 * `Content-Type: application/json`), in batches. Export never blocks traced code: `export()`
 * only queues; batches go out when full, after `scheduledDelayMs`, or on `flush()`.
 */
export function createOtlpHttpExporter(options: OtlpHttpExporterOptions): SpanExporter {
  const endpoint = tracesEndpoint(options.url);
  const maxBatchSize = options.maxBatchSize ?? 512;
  const maxQueueSize = options.maxQueueSize ?? 4096;
  const delayMs = options.scheduledDelayMs ?? 1000;
  const maxRetries = options.maxRetries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const onError =
    options.onError ?? ((error: unknown) => globalThis.console.warn('[lumos.telemetry]', error));
  let queue: SpanRecord[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<void> = Promise.resolve();

  const post = async (spans: SpanRecord[]): Promise<void> => {
    const body = JSON.stringify(encodeOtlpTraces(spans, options));
    const fetchImpl = options.fetch ?? globalThis.fetch;
    for (let attempt = 0; ; attempt++) {
      let error: Error;
      try {
        const response = await fetchImpl(endpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...options.headers },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await response.text();
        if (response.ok) {
          const rejected = parsePartialSuccess(text);
          if (rejected)
            onError(new BadRequestError(`OTLP collector rejected ${rejected} span(s) at ${endpoint}.`));
          return;
        }
        error = statusError(response.status, text, endpoint);
        if (![429, 502, 503, 504].includes(response.status)) throw error;
      } catch (caught) {
        if (BadRequestError.isInstance(caught) || ServerError.isInstance(caught)) throw caught;
        error = new NetworkError(`Could not reach the OTLP collector at ${endpoint}.`, { cause: caught });
      }
      if (attempt >= maxRetries) throw error;
      await sleep(retryDelayMs * 2 ** attempt);
    }
  };

  /** Sends everything queued, in batches, after the sends already under way. */
  const drain = (): Promise<void> => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const batches: SpanRecord[][] = [];
    while (queue.length > 0) batches.push(queue.splice(0, maxBatchSize));
    const next = sending.then(async () => {
      for (const batch of batches) await post(batch);
    });
    sending = next.catch(() => undefined);
    return next;
  };

  const schedule = (): void => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      drain().catch(onError);
    }, delayMs);
    // Never keep a Node process alive just to send telemetry.
    (timer as { unref?: () => void }).unref?.();
  };

  return {
    async export(spans) {
      queue.push(...spans);
      if (queue.length > maxQueueSize) {
        const dropped = queue.length - maxQueueSize;
        queue = queue.slice(dropped);
        onError(new RateLimitError(`OTLP export queue full: dropped ${dropped} oldest span(s).`));
      }
      if (queue.length >= maxBatchSize) drain().catch(onError);
      else schedule();
    },
    flush: drain,
    shutdown: drain,
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
