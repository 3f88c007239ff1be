import { BadRequestError, NetworkError, RateLimitError, ServerError } from '../../errors/index.js';
import type { SpanRecord } from '../../storage/types.js';
import { encodeOtlpTracesJson, encodeOtlpTracesUtf8, type OtlpResourceOptions } from '../otlp-encoding.js';

/**
 * Everything that encodes and sends one batch, and nothing else: plain data, so it crosses to the
 * export worker as it is.
 */
export interface OtlpSendSettings extends OtlpResourceOptions {
  /** The traces endpoint (`…/v1/traces`). */
  endpoint: string;
  headers: Record<string, string>;
  maxRetries: number;
  retryDelayMs: number;
  timeoutMs: number;
}

/** What the collector made of one batch. */
export interface OtlpSendResult {
  /** Spans the collector accepted. */
  exported: number;
  /** Spans it rejected in a partial success (already counted out of `exported`). */
  rejected: number;
}

/** Encodes and sends one batch, retrying; rejects with a typed error when the batch is lost. */
export type OtlpSend = (spans: SpanRecord[]) => Promise<OtlpSendResult>;

export function tracesEndpoint(url: string): string {
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

/**
 * The longest one `OtlpSend` call can take: every attempt timing out, with the longest wait
 * before each retry. The exporter gives a worker that long (plus `timeoutMs` of grace) to answer.
 */
export function longestSendMs(settings: OtlpSendSettings): number {
  let total = (settings.maxRetries + 1) * settings.timeoutMs;
  for (let attempt = 0; attempt < settings.maxRetries; attempt++) {
    total += Math.max(settings.retryDelayMs * 2 ** attempt, maxRetryAfterMs);
  }
  return total;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function parsePartialSuccess(text: string): number {
  if (!text) return 0;
  try {
    const parsed = JSON.parse(text) as { partialSuccess?: { rejectedSpans?: number | string } };
    return Number(parsed.partialSuccess?.rejectedSpans ?? 0);
  } catch {
    return 0;
  }
}

/** What the exporter needs of an HTTP answer. */
interface CollectorAnswer {
  status: number;
  text: string;
  retryAfter: string | null;
}

/** One POST of an encoded batch; rejects on network failures and timeouts. */
type Post = (body: string | Uint8Array<ArrayBuffer>) => Promise<CollectorAnswer>;

function fetchPost(settings: OtlpSendSettings, fetch: typeof globalThis.fetch): Post {
  return async (body) => {
    const response = await fetch(settings.endpoint, {
      method: 'POST',
      headers: settings.headers,
      body,
      signal: AbortSignal.timeout(settings.timeoutMs),
      // No window and no redirects: Node's fetch (undici) then sends the request as given
      // instead of cloning it, which tees the body stream and copies every byte once more.
      // Collectors do not redirect; the OpenTelemetry SDK exporters do not follow redirects either.
      window: null,
      redirect: 'error',
    });
    return {
      status: response.status,
      text: await response.text(),
      retryAfter: response.headers.get('retry-after'),
    };
  };
}

type NodeHttp = Pick<typeof import('node:http'), 'request'>;

/**
 * In Node, `node:http`/`node:https` directly: Node's fetch (undici) costs ≈ 2.5 ms of CPU per
 * 500 KB request here (a copy of the body, web streams, a Request object) against ≈ 0.7 ms for
 * `http.request` with the same bytes on a keep-alive socket. Found through
 * `process.getBuiltinModule` (Node ≥ 20.16), not an import, so browser bundles never see a
 * Node module; `undefined` anywhere else. Like the fetch path, redirects are not followed (a 3xx
 * is a failed request).
 */
function nodeHttpPost(settings: OtlpSendSettings): Post | undefined {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof runtime?.getBuiltinModule !== 'function') return undefined;
  let url: URL;
  try {
    url = new URL(settings.endpoint);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const http = runtime.getBuiltinModule(url.protocol === 'http:' ? 'node:http' : 'node:https') as
    | NodeHttp
    | undefined;
  if (!http) return undefined;
  return (body) =>
    new Promise((resolve, reject) => {
      const length = typeof body === 'string' ? new TextEncoder().encode(body).byteLength : body.byteLength;
      const request = http.request(
        url,
        {
          method: 'POST',
          headers: { ...settings.headers, 'Content-Length': String(length) },
          signal: AbortSignal.timeout(settings.timeoutMs),
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            text += chunk;
          });
          response.on('end', () => {
            const retryAfter = response.headers['retry-after'];
            resolve({ status: response.statusCode ?? 0, text, retryAfter: retryAfter ?? null });
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      // The socket writes straight from these bytes; the next batch reuses the buffer only after
      // this request has been answered (sends never overlap).
      request.end(body);
    });
}

/**
 * The request half of the OTLP exporter: encodes a batch and POSTs it, retrying 429/502/503/504
 * and network failures with backoff. Runs on the calling thread or inside the export worker.
 * Calls must not overlap (the exporter sends one batch at a time): the byte buffer is reused.
 */
export function createOtlpSend(settings: OtlpSendSettings, fetch?: typeof globalThis.fetch): OtlpSend {
  const { endpoint, maxRetries, retryDelayMs } = settings;
  const post = fetch
    ? fetchPost(settings, fetch)
    : (nodeHttpPost(settings) ?? fetchPost(settings, globalThis.fetch));
  /** The byte buffer the previous batch was written to, reused by the next one. */
  let scratch: Uint8Array<ArrayBuffer> | undefined;
  return async (spans) => {
    // The platform fetch and node:http get UTF-8 bytes written span by span (fetch would otherwise
    // encode one large string itself); a custom `fetch` (a wrapper, a test double) keeps
    // receiving JSON text.
    let body: string | Uint8Array<ArrayBuffer>;
    if (fetch) body = encodeOtlpTracesJson(spans, settings);
    else {
      // The platform fetch copies a byte body when the request is made (the Fetch standard's
      // "extract a body"), and node:http has written it once the collector answers, so the next
      // batch can be written into the same buffer; a retry re-sends these bytes first.
      body = encodeOtlpTracesUtf8(spans, settings, scratch);
      scratch = body.buffer.byteLength <= maxScratchBytes ? new Uint8Array(body.buffer) : undefined;
    }
    for (let attempt = 0; ; attempt++) {
      let error: Error;
      let waitMs = retryDelayMs * 2 ** attempt;
      try {
        const answer = await post(body);
        if (answer.status >= 200 && answer.status < 300) {
          const rejected = Math.min(parsePartialSuccess(answer.text), spans.length) || 0;
          return { exported: spans.length - rejected, rejected };
        }
        error = statusError(answer.status, answer.text, endpoint);
        if (!retryableStatuses.has(answer.status)) throw error;
        waitMs = retryAfterMs(answer.retryAfter) ?? waitMs;
      } catch (caught) {
        if (BadRequestError.isInstance(caught) || ServerError.isInstance(caught)) throw caught;
        // The cause's text goes in `data` too: only `data` survives the worker boundary.
        error = new NetworkError(`Could not reach the OTLP collector at ${endpoint}.`, {
          cause: caught,
          data: { cause: caught instanceof Error ? caught.message : String(caught) },
        });
      }
      if (attempt >= maxRetries) throw error;
      await sleep(waitMs);
    }
  };
}
