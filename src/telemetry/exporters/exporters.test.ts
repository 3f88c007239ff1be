import { describe, expect, it, vi } from 'vitest';
import { InMemoryStorage } from '../../storage/index.js';
import { createTracer } from '../tracer.js';
import { createConsoleExporter } from './console.js';
import { createTraceStoreExporter } from './trace-store.js';

describe('createTraceStoreExporter', () => {
  it('writes each finished run in one batch and keeps only the newest N traces', async () => {
    const store = new InMemoryStorage();
    const saveSpans = vi.spyOn(store, 'saveSpans');
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
    expect(saveSpans).toHaveBeenCalledTimes(3);
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
