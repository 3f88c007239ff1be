// The floor of the telemetry bench: the least any tracer does to build the agent's span tree.
// Each span takes a span id, its parent's ids and two timestamps; attributes, inputs, outputs and
// status are ignored and nothing is kept or exported. What this costs on top of tracing off is
// what the instrumentation hooks plus six spans cost before anything is recorded.
import {
  createTracer,
  newSpanId,
  newTraceId,
  preciseNow,
  type Span,
  type SpanContext,
  type SpanKind,
  type SpanParent,
  type StartSpanOptions,
  type Tracer,
} from '../../src/telemetry/index.js';

class BareSpan implements Span {
  readonly isRecording = true;
  readonly spanId = newSpanId();
  readonly startTime = preciseNow();
  endTime = 0;
  readonly #context: SpanContext;
  constructor(
    readonly name: string,
    readonly kind: SpanKind,
    readonly traceId: string,
    readonly parentSpanId: string | undefined,
  ) {
    this.#context = { traceId, spanId: this.spanId, sampled: true };
  }
  context(): SpanContext {
    return this.#context;
  }
  setAttribute(): this {
    return this;
  }
  setAttributes(): this {
    return this;
  }
  addEvent(): this {
    return this;
  }
  recordInput(): this {
    return this;
  }
  recordOutput(): this {
    return this;
  }
  recordError(): this {
    return this;
  }
  setStatus(): this {
    return this;
  }
  end(): void {
    this.endTime = preciseNow();
  }
}

const contextOf = (parent: SpanParent): SpanContext =>
  typeof (parent as Span).context === 'function' ? (parent as Span).context() : (parent as SpanContext);

export function bareSpanTracer(): Tracer {
  const startSpan = (name: string, options: StartSpanOptions = {}): Span => {
    const parent = options.parent ? contextOf(options.parent) : undefined;
    return new BareSpan(name, options.kind ?? 'internal', parent?.traceId ?? newTraceId(), parent?.spanId);
  };
  return {
    startSpan,
    async withSpan(name, options, fn) {
      const span = startSpan(name, options);
      try {
        return await fn(span);
      } finally {
        span.end();
      }
    },
    importSpans: async () => {},
    flush: async () => {},
    shutdown: async () => {},
  };
}

/** The diagnostic variants of both passes (Node and the Chromium page): the floors under the exporters' rows. */
export const floorKinds = [
  {
    name: 'floor: every trace sampled out (instrumentation hooks only)',
    make: () => ({ tracer: createTracer({ sampleRate: 0 }) }),
    floor: true,
  },
  {
    name: 'floor: six bare spans (ids and times; nothing recorded, kept or exported)',
    make: () => ({ tracer: bareSpanTracer() }),
    floor: true,
  },
];
