import type { SpanRecord } from 'lumosai/storage';
import { formatMs, h, mount } from '../dom.js';
import type { Services } from '../services.js';
import type { Panel } from '../studio.js';

/** Traces: a timeline of the last runs, spans nested by parent, with durations and tokens. */
export function createTracesPanel(services: Services): Panel {
  const list = h('div', { 'data-role': 'traces' });

  function render(): void {
    const byTrace = new Map<string, SpanRecord[]>();
    for (const span of services.spans.spans()) {
      byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
    }
    const traces = [...byTrace.values()]
      .map((spans) => spans.sort((a, b) => a.startTime - b.startTime))
      .sort((a, b) => b[0]!.startTime - a[0]!.startTime)
      .slice(0, 10);
    if (!traces.length) {
      mount(list, h('p', { class: 'note' }, 'No runs yet: chat, search or ingest something.'));
      return;
    }
    mount(
      list,
      traces.map((spans) => {
        const start = spans[0]!.startTime;
        const end = Math.max(...spans.map((span) => span.endTime ?? span.startTime));
        const total = Math.max(1, end - start);
        const depth = (span: SpanRecord): number => {
          const parent = spans.find((candidate) => candidate.spanId === span.parentSpanId);
          return parent ? 1 + depth(parent) : 0;
        };
        const root = spans.find((span) => !span.parentSpanId) ?? spans[0]!;
        return h(
          'div',
          { class: 'card', dataset: { traceId: root.traceId } },
          h('h3', null, `${root.name} — ${formatMs(total)}`),
          h(
            'div',
            { class: 'timeline' },
            spans.map((span) => {
              const duration = (span.endTime ?? span.startTime) - span.startTime;
              const tokens =
                span.attributes['gen_ai.usage.total_tokens'] ?? span.attributes['usage.totalTokens'];
              const bar = h(
                'div',
                {
                  class: `bar${span.status === 'error' ? ' error' : ''}`,
                  title: JSON.stringify(span.attributes),
                },
                `${'· '.repeat(depth(span))}${span.name} ${formatMs(duration)}${tokens !== undefined ? ` · ${tokens} tokens` : ''}`,
              );
              bar.style.marginLeft = `${((span.startTime - start) / total) * 60}%`;
              bar.style.width = `${Math.max(12, (duration / total) * 40 + 12)}%`;
              return bar;
            }),
          ),
        );
      }),
    );
  }

  services.spans.subscribe(() => {
    if (!element.hidden) render();
  });
  const element = h('section', null, list);
  return { id: 'traces', title: 'Traces', element, show: render };
}
