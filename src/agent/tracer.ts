import type { SpanContext } from '../telemetry/types.js';

/**
 * The minimal tracing hook the agent calls. The tracer of `lumosai/telemetry`
 * (`createTracer()`) fits as is; an OpenTelemetry tracer fits through a few-line adapter.
 */
export interface AgentSpan {
  setAttributes(attributes: Record<string, string | number | boolean>): unknown;
  /** Marks the span failed. */
  recordError(error: unknown): unknown;
  /** Records what the operation got (messages, tool arguments), subject to the tracer's policy. */
  recordInput?(value: unknown): unknown;
  /** Records what the operation produced (answer text, tool result). */
  recordOutput?(value: unknown): unknown;
  /** Called with `ok` when the operation succeeded (failures go through `recordError`). */
  setStatus?(status: 'ok'): unknown;
  /**
   * The serialisable identity of the span; when present, tools receive it as `traceContext` so
   * work they do in a worker can nest under their call.
   */
  context?(): SpanContext;
  end(): void;
}

export interface AgentTracer {
  startSpan(
    name: string,
    options?: {
      /** A span this tracer returned earlier (typed loosely so tracers with richer parents fit). */
      parent?: unknown;
      /** `agent` for a run, `tool` for a tool call, `internal` for a step. */
      kind?: string;
      attributes?: Record<string, unknown>;
    },
  ): AgentSpan;
}

/** Starts a span when a tracer is given. */
export function startSpan(
  tracer: AgentTracer | undefined,
  name: string,
  kind: 'agent' | 'tool' | 'internal',
  parent: unknown,
  attributes: Record<string, string | number | boolean>,
): AgentSpan | undefined {
  if (tracer === undefined) return undefined;
  return tracer.startSpan(name, parent === undefined ? { kind, attributes } : { parent, kind, attributes });
}
