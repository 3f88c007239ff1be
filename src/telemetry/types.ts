import type { SpanRecord } from '../storage/types.js';

export type { SpanRecord };

/**
 * What a span measures. Agents, workflows and capabilities each use their own kind so the studio
 * and OTLP backends can group and colour them.
 */
export type SpanKind =
  | 'agent'
  | 'model'
  | 'tool'
  | 'workflow'
  | 'workflow-step'
  | 'embedding'
  | 'vector-query'
  | 'memory'
  | 'ingestion'
  | 'eval'
  | 'internal';

/**
 * The serialisable identity of a span: pass it to another tracer (in a worker, another tab) as
 * `parent` to continue the same trace there.
 */
export interface SpanContext {
  traceId: string;
  spanId: string;
  /** Whether the trace is recorded; children inherit the root's decision. @default true */
  sampled?: boolean;
}

/** Values a span attribute may hold; nested values are flattened to JSON by exporters that need to. */
export type AttributeValue = string | number | boolean | null | undefined | readonly unknown[] | object;

/** Receives finished spans. Exporters must not throw into the traced code: they report failures. */
export interface SpanExporter {
  /** Called with spans as they end (already redacted). */
  export(spans: SpanRecord[]): Promise<void>;
  /** Sends whatever is buffered. */
  flush?(): Promise<void>;
  /** Flushes and releases timers/connections. */
  shutdown?(): Promise<void>;
}
