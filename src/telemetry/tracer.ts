import type { SpanRecord } from '../storage/types.js';
import { newSpanId, newTraceId, preciseNow } from './ids.js';
import { createLogger, type Logger } from './logger.js';
import { redactSecrets } from './redact.js';
import {
  NonRecordingSpan,
  type PayloadPolicy,
  RecordingSpan,
  type RedactContext,
  type Span,
} from './span.js';
import type { AttributeValue, SpanContext, SpanExporter, SpanKind } from './types.js';

/** A parent given explicitly: a live span, or the serialisable context of one (e.g. from another thread). */
export type SpanParent = Span | SpanContext;

export interface StartSpanOptions {
  /** @default 'internal' */
  kind?: SpanKind;
  /** The span this one runs inside; without it the span starts a new trace. */
  parent?: SpanParent | undefined;
  attributes?: Record<string, AttributeValue>;
  /** Epoch milliseconds. @default now */
  startTime?: number;
  /** The user/tenant the work belongs to (stored with the span, used to filter traces). */
  resourceId?: string;
}

export interface TracerOptions {
  /** Where finished spans go. @default [] (spans are built and dropped) */
  exporters?: SpanExporter[];
  /** Fraction of traces recorded, decided once per trace at its root. @default 1 */
  sampleRate?: number;
  /** Record operation inputs (prompts, queries, tool arguments). @default true */
  recordInputs?: boolean;
  /** Record operation outputs (completions, tool results). @default true */
  recordOutputs?: boolean;
  /**
   * Rewrites an input/output before it is recorded (e.g. mask e-mail addresses). Runs before the
   * built-in secret redactor, which always applies.
   */
  redact?: (value: unknown, context: RedactContext) => unknown;
  /** Receives export failures (an exporter never throws into traced code). @default a warning on the logger */
  onExportError?: (error: unknown, exporter: SpanExporter) => void;
  /** @default createLogger({ name: 'lumos.telemetry' }) */
  logger?: Logger;
  /** Random source for sampling, in [0, 1). @default Math.random */
  random?: () => number;
}

export interface Tracer {
  /** Starts a span; the caller must `end()` it. Pass `parent` to nest it. */
  startSpan(name: string, options?: StartSpanOptions): Span;
  /**
   * Runs `fn` inside a new span that ends when `fn` settles: status `ok` on success, `error`
   * (with the exception recorded) when it throws; the error is rethrown.
   */
  withSpan<T>(name: string, options: StartSpanOptions, fn: (span: Span) => Promise<T>): Promise<T>;
  /** Hands spans recorded elsewhere (a worker's tracer) to this tracer's exporters. */
  importSpans(spans: SpanRecord[]): Promise<void>;
  /** Waits for exports in flight and flushes every exporter. */
  flush(): Promise<void>;
  /** Flushes and shuts every exporter down. */
  shutdown(): Promise<void>;
}

function isLiveSpan(parent: SpanParent): parent is Span {
  return typeof (parent as Span).context === 'function';
}

/**
 * Creates a tracer. Nesting is explicit: pass `parent` (a span or its `context()`), there is no
 * ambient "current span", so traces stay correct across `await`, workers and concurrent runs.
 *
 * @example
 * const memory = createMemoryExporter();
 * const tracer = createTracer({ exporters: [memory] });
 * await tracer.withSpan('agent run', { kind: 'agent' }, async (run) => {
 *   await tracer.withSpan('tool search', { kind: 'tool', parent: run }, async () => search());
 * });
 */
export function createTracer(options: TracerOptions = {}): Tracer {
  const exporters = options.exporters ?? [];
  const sampleRate = options.sampleRate ?? 1;
  const random = options.random ?? Math.random;
  const policy: PayloadPolicy = {
    recordInputs: options.recordInputs ?? true,
    recordOutputs: options.recordOutputs ?? true,
    redact: options.redact,
  };
  let logger = options.logger;
  const reportExportError =
    options.onExportError ??
    ((error: unknown) => {
      logger ??= createLogger({ name: 'lumos.telemetry' });
      logger.warn('span export failed', { error: error instanceof Error ? error.message : String(error) });
    });
  // A throwing handler must neither reach traced code nor leave an export counted as in flight.
  const onExportError = (error: unknown, exporter: SpanExporter): void => {
    try {
      reportExportError(error, exporter);
    } catch {
      // The handler itself failed; there is nowhere left to report to.
    }
  };
  // Exports in flight are counted rather than kept in a set: one promise per export on the hot
  // path instead of three (measured in bench/telemetry).
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];
  const settle = (): void => {
    inFlight--;
    if (inFlight > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  };

  const deliver = (spans: SpanRecord[]): void => {
    for (const exporter of exporters) {
      inFlight++;
      try {
        exporter.export(spans).then(settle, (error: unknown) => {
          onExportError(error, exporter);
          settle();
        });
      } catch (error) {
        onExportError(error, exporter);
        settle();
      }
    }
  };

  const startSpan = (name: string, spanOptions: StartSpanOptions = {}): Span => {
    const kind = spanOptions.kind ?? 'internal';
    const parent = spanOptions.parent;
    const parentContext = parent ? (isLiveSpan(parent) ? parent.context() : parent) : undefined;
    const traceId = parentContext?.traceId ?? newTraceId();
    const sampled = parentContext ? parentContext.sampled !== false : random() < sampleRate;
    const spanId = newSpanId();
    if (!sampled) return new NonRecordingSpan(name, kind, traceId, spanId, parentContext?.spanId);
    const span = new RecordingSpan(
      {
        name,
        kind,
        traceId,
        spanId,
        parentSpanId: parentContext?.spanId,
        startTime: spanOptions.startTime ?? preciseNow(),
        resourceId: spanOptions.resourceId,
      },
      policy,
      (record) => deliver([record]),
    );
    if (spanOptions.attributes) span.setAttributes(spanOptions.attributes);
    return span;
  };

  const flushAll = async (): Promise<void> => {
    if (inFlight > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
    await Promise.all(
      exporters.map((exporter) =>
        exporter.flush?.().catch((error: unknown) => onExportError(error, exporter)),
      ),
    );
  };

  return {
    startSpan,
    async withSpan(name, spanOptions, fn) {
      const span = startSpan(name, spanOptions);
      try {
        const result = await fn(span);
        span.setStatus('ok');
        return result;
      } catch (error) {
        span.recordError(error);
        throw error;
      } finally {
        span.end();
      }
    },
    async importSpans(spans) {
      // Spans from another thread were redacted there too; redact again in case that tracer was
      // configured differently (the built-in redactor is idempotent).
      deliver(spans.map((span) => ({ ...span, attributes: redactSecrets(span.attributes) })));
    },
    flush: flushAll,
    async shutdown() {
      await flushAll();
      await Promise.all(
        exporters.map((exporter) =>
          exporter.shutdown?.().catch((error: unknown) => onExportError(error, exporter)),
        ),
      );
    },
  };
}
