import type { SpanRecord } from '../storage/types.js';
import { preciseNow } from './ids.js';
import { isSecretKey, redactedMarker, redactSecrets, toRedactedJson } from './redact.js';
import type { AttributeValue, SpanContext, SpanKind } from './types.js';

/** A unit of work. Create one with `tracer.startSpan()`; always call `end()`. */
export interface Span {
  readonly name: string;
  readonly kind: SpanKind;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  /** False when the trace was sampled out: every method is then a cheap no-op. */
  readonly isRecording: boolean;
  /** The serialisable `{ traceId, spanId, sampled }` to pass as `parent` (also across workers). */
  context(): SpanContext;
  /** Sets one attribute; credential keys and secret-looking strings are redacted. */
  setAttribute(key: string, value: AttributeValue): this;
  setAttributes(attributes: Record<string, AttributeValue>): this;
  addEvent(name: string, attributes?: Record<string, AttributeValue>): this;
  /**
   * Records the operation's input as the `input` attribute, unless the tracer has
   * `recordInputs: false`: strings as they are, anything else as JSON text (a snapshot, so later
   * mutation of e.g. a message array does not change the span), redacted either way.
   */
  recordInput(value: unknown): this;
  /** Records the operation's output as `output` (same rules as `recordInput`), unless `recordOutputs: false`. */
  recordOutput(value: unknown): this;
  /** Marks the span failed and adds an `exception` event (type, code, message). */
  recordError(error: unknown): this;
  setStatus(status: 'ok' | 'error' | 'unset', message?: string): this;
  /** Ends the span and hands it to the exporters; later calls are ignored. */
  end(endTime?: number): void;
}

/** How a tracer treats recorded inputs and outputs. */
export interface PayloadPolicy {
  recordInputs: boolean;
  recordOutputs: boolean;
  redact: ((value: unknown, context: RedactContext) => unknown) | undefined;
}

/** What the user `redact` function is told about the value it receives. */
export interface RedactContext {
  field: 'input' | 'output';
  spanName: string;
  spanKind: SpanKind;
}

function clean(key: string, value: unknown): unknown {
  return isSecretKey(key) ? redactedMarker : redactSecrets(value);
}

/** A span that records; built by the tracer. */
export class RecordingSpan implements Span {
  readonly isRecording = true;
  readonly parentSpanId: string | undefined;
  readonly #record: SpanRecord;
  readonly #policy: PayloadPolicy;
  readonly #finish: (record: SpanRecord) => void;
  #ended = false;

  constructor(
    init: {
      name: string;
      kind: SpanKind;
      traceId: string;
      spanId: string;
      parentSpanId: string | undefined;
      startTime: number;
      resourceId: string | undefined;
    },
    policy: PayloadPolicy,
    finish: (record: SpanRecord) => void,
  ) {
    this.parentSpanId = init.parentSpanId;
    this.#record = {
      traceId: init.traceId,
      spanId: init.spanId,
      name: init.name,
      kind: init.kind,
      startTime: init.startTime,
      status: 'unset',
      attributes: {},
    };
    if (init.parentSpanId) this.#record.parentSpanId = init.parentSpanId;
    if (init.resourceId) this.#record.resourceId = init.resourceId;
    this.#policy = policy;
    this.#finish = finish;
  }

  get name(): string {
    return this.#record.name;
  }
  get kind(): SpanKind {
    return this.#record.kind as SpanKind;
  }
  get traceId(): string {
    return this.#record.traceId;
  }
  get spanId(): string {
    return this.#record.spanId;
  }

  context(): SpanContext {
    return { traceId: this.#record.traceId, spanId: this.#record.spanId, sampled: true };
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (!this.#ended && value !== undefined) this.#record.attributes[key] = clean(key, value);
    return this;
  }

  setAttributes(attributes: Record<string, AttributeValue>): this {
    if (this.#ended) return this;
    // for-in over own keys: what Object.entries visits, without an array of pairs per call.
    for (const key in attributes) {
      if (!Object.hasOwn(attributes, key)) continue;
      const value = attributes[key];
      if (value !== undefined) this.#record.attributes[key] = clean(key, value);
    }
    return this;
  }

  addEvent(name: string, attributes?: Record<string, AttributeValue>): this {
    if (this.#ended) return this;
    const event: NonNullable<SpanRecord['events']>[number] = { name, time: preciseNow() };
    if (attributes) event.attributes = redactSecrets(attributes) as Record<string, unknown>;
    if (this.#record.events) this.#record.events.push(event);
    else this.#record.events = [event];
    return this;
  }

  recordInput(value: unknown): this {
    if (this.#policy.recordInputs) this.#payload('input', value);
    return this;
  }

  recordOutput(value: unknown): this {
    if (this.#policy.recordOutputs) this.#payload('output', value);
    return this;
  }

  #payload(field: 'input' | 'output', value: unknown): void {
    const { redact } = this.#policy;
    const shown = redact ? redact(value, { field, spanName: this.name, spanKind: this.kind }) : value;
    // JSON text rather than an object tree: one heap object per payload keeps retained spans
    // (memory exporter, studio) cheap for the garbage collector, and OTLP sends it as is.
    if (!this.#ended && shown !== undefined) this.#record.attributes[field] = toRedactedJson(shown);
  }

  recordError(error: unknown): this {
    const info = describeError(error);
    this.setStatus('error', info.message);
    this.setAttribute('error.type', info.type);
    this.addEvent('exception', {
      'exception.type': info.type,
      'exception.message': info.message,
      ...(info.code ? { 'error.code': info.code } : {}),
    });
    return this;
  }

  setStatus(status: 'ok' | 'error' | 'unset', message?: string): this {
    if (this.#ended) return this;
    this.#record.status = status;
    if (message !== undefined) this.#record.attributes['status.message'] = redactSecrets(message);
    return this;
  }

  end(endTime?: number): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#record.endTime = endTime ?? preciseNow();
    this.#finish(this.#record);
  }
}

/** A span of a trace that was sampled out: it carries ids for propagation and records nothing. */
export class NonRecordingSpan implements Span {
  readonly isRecording = false;
  constructor(
    readonly name: string,
    readonly kind: SpanKind,
    readonly traceId: string,
    readonly spanId: string,
    readonly parentSpanId: string | undefined,
  ) {}
  context(): SpanContext {
    return { traceId: this.traceId, spanId: this.spanId, sampled: false };
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
  end(): void {}
}

/** Name, stable code (for `LumosError`s) and redacted message of anything thrown. */
export function describeError(error: unknown): { type: string; code: string | undefined; message: string } {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const shaped = error as { name?: unknown; code?: unknown; message?: unknown };
    return {
      type: typeof shaped.name === 'string' ? shaped.name : 'Error',
      code: typeof shaped.code === 'string' ? shaped.code : undefined,
      message: redactSecrets(String(shaped.message)),
    };
  }
  return { type: typeof error, code: undefined, message: redactSecrets(String(error)) };
}
