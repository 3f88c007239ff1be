import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../../test/support/otlp-receiver.js';
import type { SpanRecord } from '../storage/types.js';
import { createOtlpHttpExporter } from './exporters/otlp-http.js';
import {
  anyValueJson,
  encodeOtlpTraces,
  encodeOtlpTracesJson,
  encodeOtlpTracesUtf8,
  millisToUnixNanos,
  toAnyValue,
} from './otlp-encoding.js';
import { createTracer } from './tracer.js';

describe('OTLP/JSON encoding', () => {
  it('writes unix nanoseconds as exact decimal strings', () => {
    expect(millisToUnixNanos(1_700_000_000_123)).toBe('1700000000123000000');
    expect(millisToUnixNanos(1_700_000_000_123.5)).toBe('1700000000123500000');
    expect(millisToUnixNanos(1000.0000004)).toBe('1000000000');
    expect(millisToUnixNanos(5.9999999999)).toBe('6000000');
  });

  it('maps JavaScript values to AnyValue', () => {
    expect(toAnyValue('a')).toEqual({ stringValue: 'a' });
    expect(toAnyValue(3)).toEqual({ intValue: '3' });
    expect(toAnyValue(0.25)).toEqual({ doubleValue: 0.25 });
    expect(toAnyValue(true)).toEqual({ boolValue: true });
    expect(toAnyValue(['x', 1])).toEqual({
      arrayValue: { values: [{ stringValue: 'x' }, { intValue: '1' }] },
    });
    // Objects and arrays of objects (chat messages) travel as JSON strings, per the GenAI conventions.
    expect(toAnyValue({ a: null, b: 'y' })).toEqual({ stringValue: '{"a":null,"b":"y"}' });
    expect(toAnyValue([{ role: 'user' }])).toEqual({ stringValue: '[{"role":"user"}]' });
    expect(toAnyValue(new Float32Array([0.5]))).toEqual({ arrayValue: { values: [{ doubleValue: 0.5 }] } });
    expect(toAnyValue(undefined)).toBeUndefined();
    expect(toAnyValue(Number.NaN)).toEqual({ stringValue: 'NaN' });
  });

  it('nests spans under one resource and scope', () => {
    const body = encodeOtlpTraces(
      [
        {
          traceId: 'a'.repeat(32),
          spanId: 'b'.repeat(16),
          name: 'chat m',
          kind: 'model',
          startTime: 1000,
          endTime: 1001.5,
          status: 'error',
          attributes: { 'status.message': 'boom' },
        },
      ],
      { serviceName: 'demo' },
    );
    const span = body.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    expect(body.resourceSpans[0]?.resource.attributes[0]).toEqual({
      key: 'service.name',
      value: { stringValue: 'demo' },
    });
    expect(span).toMatchObject({
      kind: 3,
      startTimeUnixNano: '1000000000',
      endTimeUnixNano: '1001500000',
      status: { code: 2, message: 'boom' },
    });
  });
});

describe('OTLP/JSON written directly (encodeOtlpTracesJson / encodeOtlpTracesUtf8)', () => {
  const tricky: unknown[] = [
    '',
    'plain',
    'quotes " and \\ backslash',
    'control \u0000 \u0001 \b \f \n \r \t \u001f end',
    'unicode é ° 中文 🙂 \u2028 \u2029',
    'lone surrogates \ud800 x \udfff',
    '[{"role":"user","content":"nested \\"json\\""}]',
    0,
    -0,
    42,
    -7,
    2 ** 53,
    0.1,
    -2.5e-7,
    1e21,
    Number.MAX_VALUE,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    12345678901234567890n,
    -1n,
    true,
    false,
    null,
    undefined,
    () => 1,
    Symbol('s'),
    [],
    ['a', 1, 2.5, true, null, undefined, 3n, 'é'],
    [Number.NaN, Number.POSITIVE_INFINITY],
    [{ role: 'user', content: 'hi "there"' }],
    [['nested']],
    { a: null, b: 'y', c: { d: [1, { e: '\u0000' }] } },
    new Uint8Array([0, 1, 254, 255]),
    new Float32Array([0.5, -1]),
    new Int16Array([1, -2]),
    new Date(0),
    new Error('boom "quoted"'),
  ];

  it('writes every AnyValue exactly as JSON.stringify(toAnyValue(value))', () => {
    for (const value of tricky) {
      const expected = toAnyValue(value);
      expect(anyValueJson(value)).toBe(expected === undefined ? undefined : JSON.stringify(expected));
    }
  });

  it('writes the same request text as the object encoder, and UTF-8 bytes of it', () => {
    const attributes: Record<string, unknown> = {};
    tricky.forEach((value, index) => {
      attributes[`k${index} "é"`] = value;
    });
    const spans: SpanRecord[] = [
      {
        traceId: 'a'.repeat(32),
        spanId: 'b'.repeat(16),
        parentSpanId: 'c'.repeat(16),
        name: 'chat "m" ° \ud800',
        kind: 'model',
        startTime: 1_700_000_000_123.456,
        endTime: 1_700_000_000_125.5,
        status: 'error',
        attributes: { ...attributes, 'status.message': 'failed: "quoted" \n é', 'error.type': 'TypeError' },
        events: [
          {
            name: 'exception',
            time: 1_700_000_000_124,
            attributes: { 'exception.type': 'TypeError', 'exception.message': 'bad \u0000 "x"' },
          },
          { name: 'no attributes', time: 1_700_000_000_124.25 },
        ],
      },
      {
        traceId: 'd'.repeat(32),
        spanId: 'e'.repeat(16),
        name: 'root',
        kind: 'agent',
        startTime: 5,
        status: 'ok',
        attributes: {},
        events: [],
      },
      {
        traceId: 'd'.repeat(32),
        spanId: 'f'.repeat(16),
        parentSpanId: 'e'.repeat(16),
        name: 'embed',
        kind: 'embedding',
        startTime: 6,
        endTime: 7,
        status: 'unset',
        attributes: { 'status.message': 'ignored unless the status is error', input: ['a', 'b'] },
      },
      {
        // Imported from another tracer with a status this one does not know: no status code.
        traceId: 'd'.repeat(32),
        spanId: '1'.repeat(16),
        name: 'imported',
        kind: 'internal',
        startTime: 8,
        endTime: 9,
        status: 'bogus' as SpanRecord['status'],
        attributes: {},
      },
    ];
    const options = {
      serviceName: 'svc "q"',
      resourceAttributes: { 'deployment.environment': 'test', 'host.cpus': 2, 'x.list': ['a', 1] },
      scopeName: 'scope é',
      scopeVersion: '9.9.9',
    };
    for (const batch of [spans, spans.slice(1), []]) {
      const expected = JSON.stringify(encodeOtlpTraces(batch, options));
      const text = encodeOtlpTracesJson(batch, options);
      expect(text).toBe(expected);
      expect(JSON.parse(text)).toEqual(JSON.parse(expected));
      expect(new TextDecoder().decode(encodeOtlpTracesUtf8(batch, options))).toBe(expected);
    }
    expect(encodeOtlpTracesJson(spans)).toBe(JSON.stringify(encodeOtlpTraces(spans)));
  });

  it('grows its byte buffer for spans far larger than the initial estimate', () => {
    const big: SpanRecord = {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      name: 'big',
      kind: 'tool',
      startTime: 1,
      endTime: 2,
      status: 'ok',
      attributes: { output: '中'.repeat(200_000), input: 'x'.repeat(50_000) },
    };
    const bytes = encodeOtlpTracesUtf8([big, big]);
    expect(new TextDecoder().decode(bytes)).toBe(JSON.stringify(encodeOtlpTraces([big, big])));
  });

  it('throws like JSON.stringify for values JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => anyValueJson(cyclic)).toThrow(TypeError);
    expect(() => anyValueJson({ n: 1n })).toThrow(TypeError);
  });
});

describe('createOtlpHttpExporter against a local receiver', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(() => receiver.close());

  it('sends a traced run that the receiver parses with parent links, kinds and attributes', async () => {
    const before = receiver.requests.length;
    const exporter = createOtlpHttpExporter({
      url: receiver.url,
      serviceName: 'lumos-test',
      headers: { Authorization: 'Bearer collector-token-123' },
      scheduledDelayMs: 60_000,
    });
    const tracer = createTracer({ exporters: [exporter] });
    await tracer.withSpan('agent run', { kind: 'agent' }, async (run) => {
      const model = tracer.startSpan('chat gpt-test', { kind: 'model', parent: run });
      model.setAttributes({
        'gen_ai.usage.input_tokens': 7,
        'gen_ai.response.finish_reasons': ['stop'],
        apiKey: 'sk-abcdefghijkl',
      });
      model.end();
      await tracer.withSpan('tool add', { kind: 'tool', parent: run }, async (tool) => {
        tool.recordInput({ a: 1, b: 2.5 });
      });
    });
    await tracer.flush();
    expect(receiver.requests.length).toBe(before + 1);
    expect(receiver.rejected).toEqual([]);
    const request = receiver.requests.at(-1)!;
    expect(request.headers.authorization).toBe('Bearer collector-token-123');
    const byName = new Map(request.spans.map((span) => [span.name, span]));
    const root = byName.get('agent run')!;
    expect(root.resource['service.name']).toBe('lumos-test');
    expect(root.scope.name).toBe('lumosai');
    expect(root.parentSpanId).toBeUndefined();
    expect(root.status.code).toBe(1);
    expect(root.endTimeUnixNano - root.startTimeUnixNano).toBeGreaterThanOrEqual(0n);
    expect(byName.get('chat gpt-test')).toMatchObject({
      parentSpanId: root.spanId,
      traceId: root.traceId,
      kind: 3,
      attributes: {
        'lumos.span.kind': 'model',
        'gen_ai.usage.input_tokens': 7,
        'gen_ai.response.finish_reasons': ['stop'],
        apiKey: '[REDACTED]',
      },
    });
    expect(byName.get('tool add')).toMatchObject({
      parentSpanId: root.spanId,
      kind: 1,
      attributes: { 'lumos.span.kind': 'tool', input: '{"a":1,"b":2.5}' },
    });
  });

  it('batches by size: a full batch goes out without waiting for the timer', async () => {
    const before = receiver.requests.length;
    const exporter = createOtlpHttpExporter({
      url: `${receiver.url}/v1/traces`,
      maxBatchSize: 3,
      scheduledDelayMs: 60_000,
    });
    const tracer = createTracer({ exporters: [exporter] });
    for (let index = 0; index < 7; index++) tracer.startSpan(`s${index}`).end();
    await tracer.flush();
    const sizes = receiver.requests.slice(before).map((request) => request.spans.length);
    expect(sizes).toEqual([3, 3, 1]);
    // Each batch is written into the previous batch's buffer: every request still carries its own spans.
    const names = receiver.requests
      .slice(before)
      .flatMap((request) => request.spans.map((span) => span.name));
    expect(names).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
  });

  it('retries 503 and gives up with a typed error on 400', async () => {
    const before = receiver.requests.length;
    const exporter = createOtlpHttpExporter({ url: receiver.url, retryDelayMs: 1, scheduledDelayMs: 60_000 });
    receiver.failNext(503);
    await exporter.export([
      {
        traceId: '1'.repeat(32),
        spanId: '2'.repeat(16),
        name: 'x',
        kind: 'internal',
        startTime: 1,
        endTime: 2,
        status: 'ok',
        attributes: {},
      },
    ]);
    await exporter.flush?.();
    expect(receiver.requests.length).toBe(before + 1);

    receiver.failNext(400);
    await exporter.export([
      {
        traceId: '1'.repeat(32),
        spanId: '3'.repeat(16),
        name: 'y',
        kind: 'internal',
        startTime: 1,
        endTime: 2,
        status: 'ok',
        attributes: {},
      },
    ]);
    await expect(exporter.flush?.()).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('reports an unreachable collector as a network error through fetch injection', async () => {
    const calls: string[] = [];
    const exporter = createOtlpHttpExporter({
      url: 'http://collector.invalid:4318',
      maxRetries: 1,
      retryDelayMs: 1,
      fetch: async (input) => {
        calls.push(String(input));
        throw new TypeError('fetch failed');
      },
    });
    await exporter.export([
      {
        traceId: '1'.repeat(32),
        spanId: '4'.repeat(16),
        name: 'z',
        kind: 'internal',
        startTime: 1,
        status: 'unset',
        attributes: {},
      },
    ]);
    await expect(exporter.flush?.()).rejects.toMatchObject({ code: 'network' });
    expect(calls).toEqual([
      'http://collector.invalid:4318/v1/traces',
      'http://collector.invalid:4318/v1/traces',
    ]);
  });
});
