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
