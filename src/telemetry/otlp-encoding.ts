import type { SpanRecord } from '../storage/types.js';

/** OTLP `AnyValue` in its JSON encoding. */
export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { bytesValue: string }
  | { arrayValue: { values: OtlpAnyValue[] } }
  | { kvlistValue: { values: OtlpKeyValue[] } };

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 INTERNAL, 3 CLIENT (outgoing model calls). */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: { timeUnixNano: string; name: string; attributes: OtlpKeyValue[] }[];
  /** 0 UNSET, 1 OK, 2 ERROR. */
  status: { code: number; message?: string };
}

/** The body of `POST /v1/traces` (`ExportTraceServiceRequest`) in OTLP/JSON. */
export interface OtlpTraceRequest {
  resourceSpans: {
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: { scope: { name: string; version: string }; spans: OtlpSpan[] }[];
  }[];
}

export interface OtlpResourceOptions {
  /** `service.name` of the resource. @default 'lumos' */
  serviceName?: string;
  /** More resource attributes (e.g. `deployment.environment`). */
  resourceAttributes?: Record<string, unknown>;
  /** @default 'lumosai' */
  scopeName?: string;
  /** @default '0.1.0' */
  scopeVersion?: string;
}

/**
 * Epoch milliseconds (possibly fractional) as unix nanoseconds in a decimal string. Split into
 * whole and fractional milliseconds: `ms * 1e6` overflows float precision for current dates.
 */
export function millisToUnixNanos(milliseconds: number): string {
  let whole = Math.floor(milliseconds);
  let fractionNanos = Math.round((milliseconds - whole) * 1e6);
  if (fractionNanos >= 1_000_000) {
    whole += 1;
    fractionNanos -= 1_000_000;
  }
  // String concatenation instead of BigInt arithmetic: same digits, a fraction of the cost.
  return whole === 0 ? String(fractionNanos) : `${whole}${String(fractionNanos).padStart(6, '0')}`;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function isPrimitive(value: unknown): boolean {
  return value === null || value === undefined || typeof value !== 'object';
}

/**
 * Encodes a JavaScript value as an OTLP `AnyValue`; `undefined` for values with no encoding.
 * Primitives and arrays of primitives keep their types; objects and arrays holding objects
 * (chat messages, tool arguments) become JSON strings, as the GenAI semantic conventions do and
 * as most backends display best (OTel SDKs drop nested attribute values altogether).
 */
export function toAnyValue(value: unknown): OtlpAnyValue | undefined {
  if (value === null || value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    return undefined;
  }
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'bigint') return { intValue: value.toString() };
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return { intValue: String(value) };
    return Number.isFinite(value) ? { doubleValue: value } : { stringValue: String(value) };
  }
  if (value instanceof Uint8Array) return { bytesValue: toBase64(value) };
  if (value instanceof Date) return { stringValue: value.toISOString() };
  if (ArrayBuffer.isView(value)) value = Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value) && value.every(isPrimitive)) {
    const items = value.map((item) => toAnyValue(item));
    return { arrayValue: { values: items.filter((item): item is OtlpAnyValue => item !== undefined) } };
  }
  return { stringValue: JSON.stringify(value) ?? '' };
}

/** Encodes an attributes object as OTLP `KeyValue`s, skipping values with no encoding. */
export function toKeyValues(attributes: Record<string, unknown>): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const key in attributes) {
    const value = toAnyValue(attributes[key]);
    if (value) out.push({ key, value });
  }
  return out;
}

const statusCodes = { unset: 0, ok: 1, error: 2 } as const;

function encodeSpan(span: SpanRecord): OtlpSpan {
  const encoded: OtlpSpan = {
    traceId: span.traceId,
    spanId: span.spanId,
    name: span.name,
    kind: span.kind === 'model' || span.kind === 'embedding' ? 3 : 1,
    startTimeUnixNano: millisToUnixNanos(span.startTime),
    endTimeUnixNano: millisToUnixNanos(span.endTime ?? span.startTime),
    attributes: [
      { key: 'lumos.span.kind', value: { stringValue: span.kind } },
      ...toKeyValues(span.attributes),
    ],
    events: (span.events ?? []).map((event) => ({
      timeUnixNano: millisToUnixNanos(event.time),
      name: event.name,
      attributes: toKeyValues(event.attributes ?? {}),
    })),
    status: { code: statusCodes[span.status] },
  };
  if (span.parentSpanId) encoded.parentSpanId = span.parentSpanId;
  const message = span.attributes['status.message'];
  if (span.status === 'error' && typeof message === 'string') encoded.status.message = message;
  return encoded;
}

/**
 * Encodes spans as an OTLP/JSON `ExportTraceServiceRequest`: one resource, one scope, ids as
 * lowercase hex, times as unix-nanosecond strings, attributes as `KeyValue`/`AnyValue`.
 */
export function encodeOtlpTraces(spans: SpanRecord[], options: OtlpResourceOptions = {}): OtlpTraceRequest {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: toKeyValues({
            'service.name': options.serviceName ?? 'lumos',
            'telemetry.sdk.name': 'lumosai',
            'telemetry.sdk.language': 'webjs',
            ...options.resourceAttributes,
          }),
        },
        scopeSpans: [
          {
            scope: { name: options.scopeName ?? 'lumosai', version: options.scopeVersion ?? '0.1.0' },
            spans: spans.map(encodeSpan),
          },
        ],
      },
    ],
  };
}
