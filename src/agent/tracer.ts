/**
 * The minimal tracing hook the agent calls. `lumosai/telemetry` provides a tracer that fits;
 * an OpenTelemetry tracer fits through a few-line adapter.
 */
export interface AgentSpan {
  setAttributes(attributes: Record<string, unknown>): void;
  /** Marks the span failed. */
  recordError(error: unknown): void;
  end(): void;
}

export interface AgentTracer {
  startSpan(name: string, options?: { parent?: AgentSpan; attributes?: Record<string, unknown> }): AgentSpan;
}

/** Starts a span when a tracer is given. */
export function startSpan(
  tracer: AgentTracer | undefined,
  name: string,
  parent: AgentSpan | undefined,
  attributes: Record<string, unknown>,
): AgentSpan | undefined {
  if (tracer === undefined) return undefined;
  return tracer.startSpan(name, parent === undefined ? { attributes } : { parent, attributes });
}
