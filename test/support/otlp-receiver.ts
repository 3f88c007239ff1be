import type { IncomingMessage, Server } from 'node:http';

/** A span as the receiver decoded it from OTLP/JSON, attribute values turned back into plain values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, unknown>;
  events: { name: string; timeUnixNano: bigint; attributes: Record<string, unknown> }[];
  status: { code: number; message?: string };
  resource: Record<string, unknown>;
  scope: { name: string; version: string | undefined };
}

export interface ReceivedRequest {
  headers: Record<string, string | string[] | undefined>;
  spans: ReceivedSpan[];
}

export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:PORT`; the traces endpoint is `${url}/v1/traces`. */
  url: string;
  /** Requests accepted so far (invalid ones are answered 400 and recorded in `rejected`). */
  requests: ReceivedRequest[];
  rejected: { status: number; reason: string }[];
  /** Every accepted span, in arrival order. */
  spans(): ReceivedSpan[];
  /** Answers the next requests with these HTTP statuses instead of 200 (one per request). */
  failNext(...statuses: number[]): void;
  close(): Promise<void>;
}

class InvalidOtlp extends Error {}

function fail(reason: string): never {
  throw new InvalidOtlp(reason);
}

const hex = (length: number) => new RegExp(`^[0-9a-f]{${length}}$`);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Decodes an OTLP `AnyValue`, enforcing exactly one of its JSON fields. */
export function decodeAnyValue(value: unknown, where: string): unknown {
  if (!isObject(value)) fail(`${where}: AnyValue must be an object`);
  const keys = Object.keys(value);
  if (keys.length !== 1) fail(`${where}: AnyValue must have exactly one field, got ${keys.join(',')}`);
  const [key] = keys as [string];
  const inner = value[key];
  switch (key) {
    case 'stringValue':
      return typeof inner === 'string' ? inner : fail(`${where}: stringValue must be a string`);
    case 'boolValue':
      return typeof inner === 'boolean' ? inner : fail(`${where}: boolValue must be a boolean`);
    case 'intValue':
      if (typeof inner === 'string' && /^-?\d+$/.test(inner)) return Number(inner);
      if (typeof inner === 'number' && Number.isInteger(inner)) return inner;
      return fail(`${where}: intValue must be an integer (a decimal string in JSON)`);
    case 'doubleValue':
      return typeof inner === 'number' ? inner : fail(`${where}: doubleValue must be a number`);
    case 'bytesValue':
      return typeof inner === 'string'
        ? Buffer.from(inner, 'base64')
        : fail(`${where}: bytesValue must be base64`);
    case 'arrayValue':
      if (!isObject(inner) || !Array.isArray(inner.values))
        fail(`${where}: arrayValue.values must be an array`);
      return inner.values.map((item, index) => decodeAnyValue(item, `${where}[${index}]`));
    case 'kvlistValue':
      if (!isObject(inner) || !Array.isArray(inner.values))
        fail(`${where}: kvlistValue.values must be an array`);
      return decodeKeyValues(inner.values, where);
    default:
      return fail(`${where}: unknown AnyValue field ${key}`);
  }
}

function decodeKeyValues(list: unknown, where: string): Record<string, unknown> {
  if (list === undefined) return {};
  if (!Array.isArray(list)) fail(`${where}: attributes must be an array of KeyValue`);
  const out: Record<string, unknown> = {};
  for (const item of list) {
    if (!isObject(item) || typeof item.key !== 'string') fail(`${where}: KeyValue needs a string key`);
    out[item.key] = decodeAnyValue(item.value, `${where}.${item.key}`);
  }
  return out;
}

function nanos(value: unknown, where: string): bigint {
  if (typeof value !== 'string' || !/^\d+$/.test(value))
    fail(`${where} must be a decimal string of nanoseconds`);
  return BigInt(value);
}

/** Validates and decodes an OTLP/JSON `ExportTraceServiceRequest` the way a collector would. */
export function decodeTraceRequest(body: unknown): ReceivedSpan[] {
  if (!isObject(body) || !Array.isArray(body.resourceSpans)) fail('resourceSpans must be an array');
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of body.resourceSpans) {
    if (!isObject(resourceSpans)) fail('resourceSpans[] must be objects');
    const resource = isObject(resourceSpans.resource)
      ? decodeKeyValues(resourceSpans.resource.attributes, 'resource')
      : {};
    if (!Array.isArray(resourceSpans.scopeSpans)) fail('scopeSpans must be an array');
    for (const scopeSpans of resourceSpans.scopeSpans) {
      if (!isObject(scopeSpans) || !Array.isArray(scopeSpans.spans))
        fail('scopeSpans[].spans must be an array');
      const scopeRaw = isObject(scopeSpans.scope) ? scopeSpans.scope : {};
      const scope = {
        name: typeof scopeRaw.name === 'string' ? scopeRaw.name : '',
        version: typeof scopeRaw.version === 'string' ? scopeRaw.version : undefined,
      };
      for (const span of scopeSpans.spans) {
        if (!isObject(span)) fail('spans[] must be objects');
        if (typeof span.traceId !== 'string' || !hex(32).test(span.traceId))
          fail('traceId must be 32 lowercase hex');
        if (typeof span.spanId !== 'string' || !hex(16).test(span.spanId))
          fail('spanId must be 16 lowercase hex');
        if (
          span.parentSpanId !== undefined &&
          (typeof span.parentSpanId !== 'string' || !hex(16).test(span.parentSpanId))
        )
          fail('parentSpanId must be 16 lowercase hex');
        if (typeof span.name !== 'string' || span.name === '') fail('span name must be a non-empty string');
        if (typeof span.kind !== 'number' || !Number.isInteger(span.kind) || span.kind < 0 || span.kind > 5)
          fail('kind must be a SpanKind integer 0..5');
        const start = nanos(span.startTimeUnixNano, 'startTimeUnixNano');
        const end = nanos(span.endTimeUnixNano, 'endTimeUnixNano');
        if (end < start) fail('endTimeUnixNano is before startTimeUnixNano');
        const status = isObject(span.status) ? span.status : {};
        const code = status.code ?? 0;
        if (typeof code !== 'number' || code < 0 || code > 2) fail('status.code must be 0, 1 or 2');
        const events = Array.isArray(span.events) ? span.events : [];
        spans.push({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId as string | undefined,
          name: span.name,
          kind: span.kind,
          startTimeUnixNano: start,
          endTimeUnixNano: end,
          attributes: decodeKeyValues(span.attributes, `span ${span.name}`),
          events: events.map((event, index) => {
            if (!isObject(event) || typeof event.name !== 'string') fail(`event ${index} needs a name`);
            return {
              name: event.name,
              timeUnixNano: nanos(event.timeUnixNano, 'event.timeUnixNano'),
              attributes: decodeKeyValues(event.attributes, `event ${event.name}`),
            };
          }),
          status: typeof status.message === 'string' ? { code, message: status.message } : { code },
          resource,
          scope,
        });
      }
    }
  }
  return spans;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A minimal OTLP/HTTP JSON trace receiver on node:http: it accepts `POST /v1/traces` with
 * `application/json`, validates and decodes the body like a collector, and answers 400 with the
 * reason when the encoding is wrong. CORS is open so browser tests can post to it.
 */
export async function startOtlpReceiver(
  options: { host?: string; port?: number } = {},
): Promise<OtlpReceiver> {
  const { createServer } = await import('node:http');
  const requests: ReceivedRequest[] = [];
  const rejected: OtlpReceiver['rejected'] = [];
  const scriptedStatuses: number[] = [];
  const server: Server = createServer(async (request, response) => {
    response.setHeader('Access-Control-Allow-Origin', '*');
    response.setHeader('Access-Control-Allow-Headers', '*');
    response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    if (request.method === 'OPTIONS') return void response.writeHead(204).end();
    const reject = (status: number, reason: string) => {
      rejected.push({ status, reason });
      response
        .writeHead(status, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ message: reason }));
    };
    if (request.method !== 'POST' || request.url !== '/v1/traces')
      return reject(404, `no route ${request.url}`);
    const body = await readBody(request);
    const scripted = scriptedStatuses.shift();
    if (scripted !== undefined) return reject(scripted, 'scripted failure');
    if (!String(request.headers['content-type']).startsWith('application/json'))
      return reject(415, 'Content-Type must be application/json');
    try {
      const spans = decodeTraceRequest(JSON.parse(body));
      requests.push({ headers: request.headers, spans });
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    } catch (error) {
      if (error instanceof InvalidOtlp || error instanceof SyntaxError) return reject(400, error.message);
      throw error;
    }
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('OTLP receiver did not start');
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    requests,
    rejected,
    spans: () => requests.flatMap((received) => received.spans),
    failNext: (...statuses) => scriptedStatuses.push(...statuses),
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
