import type { SpanRecord, TraceStore } from '../../storage/types.js';
import type { SpanExporter } from '../types.js';

export interface TraceStoreExporterOptions {
  /** Where spans persist, e.g. `IndexedDBStorage` (IndexedDB) or `InMemoryStorage`. */
  store: TraceStore;
  /** Only the newest this many traces are kept; older ones are pruned after each write. @default 100 */
  keepTraces?: number;
  /** Buffered spans are written once this many are waiting (and whenever a root span ends). @default 200 */
  maxBufferedSpans?: number;
}

/**
 * Persists spans through a `TraceStore`. Spans are buffered and written in one transaction when a
 * trace's root span ends (a run finished), when the buffer fills, or on `flush()`.
 */
export function createTraceStoreExporter(options: TraceStoreExporterOptions): SpanExporter {
  const keep = options.keepTraces ?? 100;
  const maxBuffered = options.maxBufferedSpans ?? 200;
  let buffer: SpanRecord[] = [];
  let writing: Promise<void> = Promise.resolve();

  const write = (): Promise<void> => {
    if (buffer.length === 0) return writing;
    const batch = buffer;
    buffer = [];
    // Writes are chained so pruning never races a newer batch.
    const next = writing.then(async () => {
      await options.store.saveSpans(batch);
      if (batch.some((span) => span.parentSpanId === undefined)) await options.store.pruneTraces(keep);
    });
    // A failed batch is reported to the caller (the tracer's onExportError) and does not block later ones.
    writing = next.catch(() => undefined);
    return next;
  };

  return {
    async export(spans) {
      buffer.push(...spans);
      if (buffer.length >= maxBuffered || spans.some((span) => span.parentSpanId === undefined))
        await write();
    },
    flush: write,
    shutdown: write,
  };
}
