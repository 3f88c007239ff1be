import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../../test/support/otlp-receiver.js';
import { createOtlpHttpExporter } from './exporters/otlp-http.js';
import { encodeOtlpTraces, millisToUnixNanos, toAnyValue } from './otlp-encoding.js';
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
