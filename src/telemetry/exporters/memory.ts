import type { SpanRecord } from '../../storage/types.js';
import type { SpanExporter } from '../types.js';

export interface MemoryExporterOptions {
  /** Oldest spans are dropped beyond this many. @default 10_000 */
  maxSpans?: number;
}

/** Keeps finished spans in memory for the studio and for tests. */
export interface MemoryExporter extends SpanExporter {
  /** All kept spans in the order they ended. */
  spans(): SpanRecord[];
  /** The spans of one trace, ordered by start time. */
  getTrace(traceId: string): SpanRecord[];
  /** Trace ids, newest first by the start of their first span. */
  traceIds(): string[];
  /** Removes and returns every kept span (e.g. to ship a worker's spans with its result). */
  take(): SpanRecord[];
  /** Calls `listener` with each exported batch; returns the unsubscribe function. */
  subscribe(listener: (spans: SpanRecord[]) => void): () => void;
  clear(): void;
}

/** Creates an exporter that keeps spans in memory (bounded by `maxSpans`). */
export function createMemoryExporter(options: MemoryExporterOptions = {}): MemoryExporter {
  const maxSpans = options.maxSpans ?? 10_000;
  let kept: SpanRecord[] = [];
  const listeners = new Set<(spans: SpanRecord[]) => void>();
  return {
    async export(spans) {
      for (const span of spans) kept.push(span);
      // Trim in steps of a quarter so a full buffer does not copy itself on every span.
      if (kept.length > maxSpans + Math.ceil(maxSpans / 4)) kept = kept.slice(kept.length - maxSpans);
      for (const listener of listeners) listener(spans);
    },
    spans: () => kept.slice(Math.max(0, kept.length - maxSpans)),
    getTrace: (traceId) =>
      kept
        .slice(Math.max(0, kept.length - maxSpans))
        .filter((span) => span.traceId === traceId)
        .sort((a, b) => a.startTime - b.startTime),
    traceIds() {
      const firstStart = new Map<string, number>();
      for (const span of kept.slice(Math.max(0, kept.length - maxSpans))) {
        const seen = firstStart.get(span.traceId);
        if (seen === undefined || span.startTime < seen) firstStart.set(span.traceId, span.startTime);
      }
      return [...firstStart.entries()].sort((a, b) => b[1] - a[1]).map(([traceId]) => traceId);
    },
    take() {
      const taken = kept.slice(Math.max(0, kept.length - maxSpans));
      kept = [];
      return taken;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    clear() {
      kept = [];
    },
  };
}
