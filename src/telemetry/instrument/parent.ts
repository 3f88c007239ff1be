import type { SpanParent } from '../tracer.js';

/**
 * Where instrumented calls nest: a fixed parent (a span or its context), or a function asked on
 * every call, so one wrapped model can serve concurrent runs that each report their current span.
 */
export type ParentSource = SpanParent | (() => SpanParent | undefined);

export interface InstrumentOptions {
  /** The span instrumented calls run inside; without it each call starts its own trace. */
  parent?: ParentSource;
}

/** Resolves a `ParentSource` at call time. */
export function resolveParent(source: ParentSource | undefined): SpanParent | undefined {
  return typeof source === 'function' ? source() : source;
}

/**
 * The parent an agent put on a request (`ChatRequest.parentSpan`), when it is one this tracer
 * understands: a live span (has `context()`) or a span context (`traceId` + `spanId`). Anything
 * else (e.g. a span of another tracing library) is ignored and the wrapper's own parent applies.
 */
export function requestParent(candidate: unknown): SpanParent | undefined {
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  const shaped = candidate as { context?: unknown; traceId?: unknown; spanId?: unknown };
  if (typeof shaped.context === 'function') {
    return requestParent((shaped.context as () => unknown).call(candidate));
  }
  return typeof shaped.traceId === 'string' && typeof shaped.spanId === 'string'
    ? (candidate as SpanParent)
    : undefined;
}
