import { describe, expect, it } from 'vitest';
import type { Page, SpanRecord, TraceStore } from '../../storage/types.js';
import { createTracer } from '../tracer.js';
import { createConsoleExporter } from './console.js';
import { createTraceStoreExporter } from './trace-store.js';

/** A Map-backed TraceStore with the port's semantics (newest traces first, prune keeps the newest). */
function mapTraceStore(): TraceStore & { writes: number } {
  const spans = new Map<string, SpanRecord[]>();
  const store = {
    writes: 0,
    async saveSpans(batch: SpanRecord[]) {
      store.writes++;
      for (const span of batch) spans.set(span.traceId, [...(spans.get(span.traceId) ?? []), span]);
    },
    async getTrace(traceId: string) {
      return spans.get(traceId) ?? [];
    },
    async listTraces(): Promise<Page<SpanRecord>> {
      const roots = [...spans.values()]
        .map((trace) => trace.find((span) => span.parentSpanId === undefined) ?? trace[0]!)
        .sort((a, b) => b.startTime - a.startTime);
      return { items: roots, total: roots.length, hasMore: false };
    },
    async pruneTraces(keep: number) {
      const { items } = await store.listTraces();
      for (const old of items.slice(keep)) spans.delete(old.traceId);
    },
  };
  return store;
}

describe('createTraceStoreExporter', () => {
  it('writes each finished run in one batch and keeps only the newest N traces', async () => {
    const store = mapTraceStore();
    const tracer = createTracer({ exporters: [createTraceStoreExporter({ store, keepTraces: 2 })] });
    const traceIds: string[] = [];
    for (let run = 0; run < 3; run++) {
      await tracer.withSpan(`run ${run}`, { kind: 'agent', startTime: 1000 + run }, async (root) => {
        traceIds.push(root.traceId);
        tracer.startSpan('step', { parent: root }).end();
        tracer.startSpan('step', { parent: root }).end();
      });
    }
    await tracer.flush();
    expect(store.writes).toBe(3);
    const { items } = await store.listTraces();
    expect(items.map((span) => span.name)).toEqual(['run 2', 'run 1']);
    expect(await store.getTrace(traceIds[0]!)).toEqual([]);
    expect(await store.getTrace(traceIds[2]!)).toHaveLength(3);
  });
});

describe('createConsoleExporter', () => {
  it('prints one line per span with trace, kind, duration and status', async () => {
    const lines: string[] = [];
    const tracer = createTracer({
      exporters: [createConsoleExporter({ write: (line) => lines.push(line) })],
    });
    const span = tracer.startSpan('tool search', { kind: 'tool', startTime: 100 });
    span.end(112.4);
    await tracer.flush();
    expect(lines).toEqual([`[trace ${span.traceId.slice(0, 8)}] tool search (tool) 12.4 ms unset`]);
  });
});
