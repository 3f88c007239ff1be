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
  // `1_000_000 + fraction` has seven digits: dropping the first leaves the fraction zero-padded to six.
  return whole === 0 ? String(fractionNanos) : `${whole}${String(1_000_000 + fractionNanos).slice(1)}`;
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

// --- Direct JSON text ----------------------------------------------------------------------------
// The exporter's hot path: the same request as `JSON.stringify(encodeOtlpTraces(…))`, written
// straight to text in one pass, without the intermediate tree of `KeyValue`/`AnyValue` objects
// (about twenty small objects per span that only live until they are stringified). Strings go
// through `JSON.stringify` one by one, so escaping (quotes, control characters, lone surrogates)
// is exactly the native one.

/** A key's `{"key":"…","value":` and `{"key":"…","value":{"stringValue":`; keys repeat on every span. */
interface KeyPrefixes {
  any: string;
  string: string;
}

const keyPrefixCache = new Map<string, KeyPrefixes>();

function keyPrefixes(key: string): KeyPrefixes {
  let prefixes = keyPrefixCache.get(key);
  if (prefixes === undefined) {
    const any = `{"key":${JSON.stringify(key)},"value":`;
    prefixes = { any, string: `${any}{"stringValue":` };
    if (keyPrefixCache.size < 10_000) keyPrefixCache.set(key, prefixes);
  }
  return prefixes;
}

/** JSON text of `toAnyValue(value)`; `undefined` exactly when `toAnyValue` returns `undefined`. */
export function anyValueJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return `{"stringValue":${JSON.stringify(value)}}`;
    case 'boolean':
      return value ? '{"boolValue":true}' : '{"boolValue":false}';
    case 'number':
      if (Number.isSafeInteger(value)) return `{"intValue":"${value}"}`;
      // A finite double prints the same in JSON as in String(); NaN and ±Infinity travel as strings.
      return Number.isFinite(value) ? `{"doubleValue":${value}}` : `{"stringValue":"${value}"}`;
    case 'bigint':
      return `{"intValue":"${value}"}`;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return undefined;
  if (Array.isArray(value) && value.every(isPrimitive)) {
    let out = '{"arrayValue":{"values":[';
    let first = true;
    for (const item of value) {
      const encoded = anyValueJson(item);
      if (encoded === undefined) continue;
      out += first ? encoded : `,${encoded}`;
      first = false;
    }
    return `${out}]}}`;
  }
  // Byte arrays, dates, typed arrays and objects: rare in spans; the object encoder decides.
  return JSON.stringify(toAnyValue(value));
}

/** `KeyValue,…` as JSON text (no brackets), after `leading` (a first item, or empty). */
function keyValuesJson(attributes: Record<string, unknown>, leading: string): string {
  let out = leading;
  let separator = leading === '' ? '' : ',';
  for (const key in attributes) {
    const value = attributes[key];
    // Strings (most attributes, and the large recorded inputs/outputs) skip the AnyValue wrapper string.
    if (typeof value === 'string') out += `${separator}${keyPrefixes(key).string}${JSON.stringify(value)}}}`;
    else {
      const encoded = anyValueJson(value);
      if (encoded === undefined) continue;
      out += `${separator}${keyPrefixes(key).any}${encoded}}`;
    }
    separator = ',';
  }
  return out;
}

const kindAttribute = new Map<string, string>();

function spanJson(span: SpanRecord): string {
  let kind = kindAttribute.get(span.kind);
  if (kind === undefined) {
    kind = `{"key":"lumos.span.kind","value":{"stringValue":${JSON.stringify(span.kind)}}}`;
    if (kindAttribute.size < 100) kindAttribute.set(span.kind, kind);
  }
  let out = `{"traceId":${JSON.stringify(span.traceId)},"spanId":${JSON.stringify(span.spanId)}`;
  out += `,"name":${JSON.stringify(span.name)},"kind":${span.kind === 'model' || span.kind === 'embedding' ? 3 : 1}`;
  out += `,"startTimeUnixNano":"${millisToUnixNanos(span.startTime)}","endTimeUnixNano":"${millisToUnixNanos(span.endTime ?? span.startTime)}"`;
  out += `,"attributes":[${keyValuesJson(span.attributes, kind)}],"events":[`;
  const events = span.events;
  if (events) {
    for (let index = 0; index < events.length; index++) {
      const event = events[index]!;
      if (index > 0) out += ',';
      out += `{"timeUnixNano":"${millisToUnixNanos(event.time)}","name":${JSON.stringify(event.name)},"attributes":[${keyValuesJson(event.attributes ?? {}, '')}]}`;
    }
  }
  const message = span.attributes['status.message'];
  // An unknown status (a span imported from elsewhere) has no code, as in the object encoder.
  const code = statusCodes[span.status] as number | undefined;
  out += code === undefined ? '],"status":{' : `],"status":{"code":${code}`;
  if (span.status === 'error' && typeof message === 'string') out += `,"message":${JSON.stringify(message)}`;
  // Same member order as the object encoder, so both produce identical text.
  return span.parentSpanId ? `${out}},"parentSpanId":${JSON.stringify(span.parentSpanId)}}` : `${out}}}`;
}

function requestHead(options: OtlpResourceOptions): string {
  const resource = keyValuesJson(
    {
      'service.name': options.serviceName ?? 'lumos',
      'telemetry.sdk.name': 'lumosai',
      'telemetry.sdk.language': 'webjs',
      ...options.resourceAttributes,
    },
    '',
  );
  const scope = JSON.stringify({
    name: options.scopeName ?? 'lumosai',
    version: options.scopeVersion ?? '0.1.0',
  });
  return `{"resourceSpans":[{"resource":{"attributes":[${resource}]},"scopeSpans":[{"scope":${scope},"spans":[`;
}

const requestTail = ']}]}]}';

/**
 * `JSON.stringify(encodeOtlpTraces(spans, options))`, written directly (what the OTLP exporter
 * sends): the same OTLP/JSON request without building its object tree first.
 */
export function encodeOtlpTracesJson(spans: SpanRecord[], options: OtlpResourceOptions = {}): string {
  let out = requestHead(options);
  for (let index = 0; index < spans.length; index++) {
    out += index === 0 ? spanJson(spans[index]!) : `,${spanJson(spans[index]!)}`;
  }
  return out + requestTail;
}

const utf8 = new TextEncoder();

/**
 * `encodeOtlpTracesJson` as UTF-8 bytes, written span by span into one buffer: the request never
 * exists as one large string, so it is never flattened nor transcoded as a whole. Pass the
 * previous result's buffer as `scratch` to write into it again (the caller must be done with the
 * earlier bytes); a new buffer is allocated when it is too small.
 */
export function encodeOtlpTracesUtf8(
  spans: SpanRecord[],
  options: OtlpResourceOptions = {},
  scratch?: Uint8Array<ArrayBuffer>,
): Uint8Array<ArrayBuffer> {
  const estimate = 1024 + spans.length * 1536;
  let buffer = scratch && scratch.length >= estimate ? scratch : new Uint8Array(estimate);
  let length = 0;
  const write = (text: string): void => {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (length + text.length * 3 > buffer.length) {
      const grown = new Uint8Array(Math.max(buffer.length * 2, length + text.length * 3));
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    length += utf8.encodeInto(text, buffer.subarray(length)).written;
  };
  write(requestHead(options));
  for (let index = 0; index < spans.length; index++) {
    write(index === 0 ? spanJson(spans[index]!) : `,${spanJson(spans[index]!)}`);
  }
  write(requestTail);
  return buffer.subarray(0, length);
}
