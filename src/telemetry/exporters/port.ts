import type { SpanRecord } from '../../storage/types.js';
import type { Tracer } from '../tracer.js';
import type { SpanExporter } from '../types.js';

/** The message a port exporter posts; anything else on the port is ignored by `receiveSpans`. */
export interface SpanBatchMessage {
  type: 'lumos:spans';
  spans: SpanRecord[];
}

/** The part of `MessagePort` / `Worker` / worker global scope the exporter needs. */
export interface SpanPortLike {
  postMessage(message: unknown): void;
}

/** The part of `MessagePort` / `Worker` that `receiveSpans` needs. */
export interface SpanPortListener {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  start?(): void;
}

function isSpanBatch(data: unknown): data is SpanBatchMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { type?: unknown }).type === 'lumos:spans' &&
    Array.isArray((data as { spans?: unknown }).spans)
  );
}

/**
 * Worker side: posts finished spans to `port` (a `MessagePort` handed over by the main thread,
 * or the worker global). Pair it with `receiveSpans(mainTracer, otherEnd)`.
 */
export function createPortExporter(port: SpanPortLike): SpanExporter {
  return {
    async export(spans) {
      const message: SpanBatchMessage = { type: 'lumos:spans', spans };
      port.postMessage(message);
    },
  };
}

/**
 * Main-thread side: forwards span batches arriving on `port` to `tracer`'s exporters, so spans
 * made in a worker land in the same trace as their parent. Returns a function that stops listening.
 */
export function receiveSpans(tracer: Tracer, port: SpanPortListener): () => void {
  const listener = (event: MessageEvent): void => {
    if (isSpanBatch(event.data)) void tracer.importSpans(event.data.spans);
  };
  port.addEventListener('message', listener);
  port.start?.();
  return () => port.removeEventListener('message', listener);
}
