import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors/index.js';
import { createMemoryExporter } from './exporters/memory.js';
import { createPortExporter, receiveSpans } from './exporters/port.js';
import { redactString, toRedactedJson } from './redact.js';
import { createTracer } from './tracer.js';
import type { SpanExporter } from './types.js';

describe('createTracer', () => {
  it('nests spans through explicit parents and exports them with ids, times and status', async () => {
    const memory = createMemoryExporter();
    const tracer = createTracer({ exporters: [memory] });
    const result = await tracer.withSpan('agent run', { kind: 'agent' }, async (run) => {
      const model = tracer.startSpan('chat gpt', { kind: 'model', parent: run });
      model.setAttribute('gen_ai.usage.input_tokens', 12);
      model.end();
      return tracer.withSpan('tool search', { kind: 'tool', parent: run.context() }, async () => 'found');
    });
    expect(result).toBe('found');
    const [root, model, tool] = [...memory.spans()].sort((a, b) => a.startTime - b.startTime);
    expect(root).toMatchObject({ name: 'agent run', kind: 'agent', status: 'ok' });
    expect(root?.parentSpanId).toBeUndefined();
    expect(root?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(model).toMatchObject({ parentSpanId: root?.spanId, traceId: root?.traceId, status: 'unset' });
    expect(model?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(model?.attributes['gen_ai.usage.input_tokens']).toBe(12);
    expect(tool).toMatchObject({ parentSpanId: root?.spanId, kind: 'tool', status: 'ok' });
    for (const span of [root, model, tool]) expect(span!.endTime!).toBeGreaterThanOrEqual(span!.startTime);
    expect(memory.traceIds()).toEqual([root?.traceId]);
  });

  it('records a thrown error on the span and rethrows it', async () => {
    const memory = createMemoryExporter();
    const tracer = createTracer({ exporters: [memory] });
    await expect(
      tracer.withSpan('tool lookup', { kind: 'tool' }, async () => {
        throw new NotFoundError('no index "docs"');
      }),
    ).rejects.toThrow('no index "docs"');
    const [span] = memory.spans();
    expect(span?.status).toBe('error');
    expect(span?.attributes['error.type']).toBe('NotFoundError');
    expect(span?.events?.[0]).toMatchObject({
      name: 'exception',
      attributes: { 'exception.type': 'NotFoundError', 'error.code': 'not_found' },
    });
  });

  it('redacts API keys, authorization headers, bearer tokens and sk- keys wherever they are recorded', async () => {
    const memory = createMemoryExporter();
    const tracer = createTracer({ exporters: [memory] });
    const span = tracer.startSpan('call');
    span.setAttribute('apiKey', 'sk-live-1234567890abcdef');
    span.setAttribute('request', {
      headers: {
        Authorization: 'Bearer abcdefghijklmnop',
        'x-api-key': 'k-123456789',
        'content-type': 'json',
      },
      url: 'https://api.example.com/v1?api_key=secret123&q=1',
    });
    span.recordInput('my key is sk-proj-ABCDEFGHIJKLMNOP please');
    span.recordOutput({ headers: { 'api-key': 'abc12345' }, note: 'Bearer abcdefghijklmnop' });
    span.recordError(new Error('401 for key sk-abcdefghijklmnopqrstu'));
    span.end();
    const text = JSON.stringify(memory.spans());
    expect(text).not.toMatch(/sk-live|abcdefghijklmnop|k-123456789|secret123|ABCDEFGHIJKLMNOP|sk-abcdefghij/);
    const [recorded] = memory.spans();
    expect(recorded?.attributes.apiKey).toBe('[REDACTED]');
    expect(recorded?.attributes.request).toEqual({
      headers: { Authorization: '[REDACTED]', 'x-api-key': '[REDACTED]', 'content-type': 'json' },
      url: 'https://api.example.com/v1?api_key=[REDACTED]&q=1',
    });
    expect(recorded?.attributes.input).toBe('my key is sk-[REDACTED] please');
    expect(recorded?.attributes.output).toBe(
      '{"headers":{"api-key":"[REDACTED]"},"note":"Bearer [REDACTED]"}',
    );
  });

  it('redacts every credential key spelling in recorded JSON payloads', () => {
    const keys = [
      'apiKey',
      'api_key',
      'API-Key',
      'api key',
      'x-api-key',
      'X-Goog-Api-Key',
      'Authorization',
      'Proxy-Authorization',
      'Cookie',
      'set-cookie',
      'password',
      'client_secret',
      'accessToken',
      'refresh_token',
      'id_token',
      'token',
      'bearer',
      'private_key',
      'Ocp-Apim-Subscription-Key',
      // Compared without separators, wherever they are.
      'pass_word',
      'to-ken',
      'se_cret',
      'cook ie',
      'api_k-ey',
      'Author_ization',
      'be arer',
    ];
    for (const key of keys) {
      expect(toRedactedJson({ nested: [{ [key]: 'hunter2' }] }), key).toBe(
        `{"nested":[{"${key}":"[REDACTED]"}]}`,
      );
    }
    expect(toRedactedJson({ text: 'plain' })).toBe('{"text":"plain"}');
  });

  it('masks the shortest secrets its patterns describe (strings under 10 characters skip the scan)', () => {
    expect(redactString('token=abcd')).toBe('token=[REDACTED]');
    expect(redactString('key=abcd')).toBe('key=abcd'); // `key=` alone is not a credential parameter
    expect(redactString('sk-abcdefgh')).toBe('sk-[REDACTED]');
    expect(redactString('Basic abcdefgh')).toBe('Basic [REDACTED]');
    expect(redactString('token=abc')).toBe('token=abc');
  });

  it('skips inputs/outputs when recording is off and applies the user redact function otherwise', async () => {
    const off = createMemoryExporter();
    const quiet = createTracer({ exporters: [off], recordInputs: false, recordOutputs: false });
    quiet.startSpan('a').recordInput('secret prompt').recordOutput('secret answer').end();
    expect(off.spans()[0]?.attributes).toEqual({});

    const masked = createMemoryExporter();
    const seen: string[] = [];
    const tracer = createTracer({
      exporters: [masked],
      redact: (value, context) => {
        seen.push(`${context.field}:${context.spanKind}`);
        return String(value).replace(/\S+@\S+/g, '<email>');
      },
    });
    tracer.startSpan('b', { kind: 'tool' }).recordInput('mail ada@example.com').recordOutput('ok').end();
    expect(masked.spans()[0]?.attributes).toEqual({ input: 'mail <email>', output: 'ok' });
    expect(seen).toEqual(['input:tool', 'output:tool']);
  });

  it('samples whole traces at the root and propagates the decision to children', async () => {
    const memory = createMemoryExporter();
    const draws = [0.9, 0.1];
    const tracer = createTracer({ exporters: [memory], sampleRate: 0.5, random: () => draws.shift() ?? 0 });
    const dropped = tracer.startSpan('dropped root');
    const child = tracer.startSpan('dropped child', { parent: dropped.context() });
    expect(dropped.isRecording).toBe(false);
    expect(child.isRecording).toBe(false);
    expect(child.traceId).toBe(dropped.traceId);
    expect(child.context().sampled).toBe(false);
    child.end();
    dropped.end();
    const kept = tracer.startSpan('kept root');
    tracer.startSpan('kept child', { parent: kept }).end();
    kept.end();
    expect(memory.spans().map((span) => span.name)).toEqual(['kept child', 'kept root']);
  });

  it('reports exporter failures without disturbing traced code, and flush waits for exports', async () => {
    const failures: unknown[] = [];
    let resolved = 0;
    const slow: SpanExporter = {
      export: () => new Promise((resolve) => setTimeout(() => resolve(void resolved++), 20)),
    };
    const broken: SpanExporter = { export: async () => Promise.reject(new Error('disk full')) };
    const tracer = createTracer({
      exporters: [slow, broken],
      onExportError: (error) => failures.push(error),
    });
    await tracer.withSpan('work', {}, async () => 1);
    await tracer.flush();
    expect(resolved).toBe(1);
    expect(failures).toHaveLength(1);
    expect(String(failures[0])).toContain('disk full');
  });

  it('survives an onExportError that throws: traced code runs on and flush still settles', async () => {
    const broken: SpanExporter = { export: async () => Promise.reject(new Error('disk full')) };
    const throwsSync: SpanExporter = {
      export: () => {
        throw new Error('not even a promise');
      },
    };
    const tracer = createTracer({
      exporters: [broken, throwsSync],
      onExportError: () => {
        throw new Error('the handler broke');
      },
    });
    await expect(tracer.withSpan('work', {}, async () => 7)).resolves.toBe(7);
    await expect(tracer.flush()).resolves.toBeUndefined();
  });

  it('carries spans made by another tracer over a MessagePort into the parent trace', async () => {
    const memory = createMemoryExporter();
    const main = createTracer({ exporters: [memory] });
    const channel = new MessageChannel();
    const stop = receiveSpans(main, channel.port1 as unknown as Parameters<typeof receiveSpans>[1]);
    const remote = createTracer({ exporters: [createPortExporter(channel.port2)] });
    const run = main.startSpan('agent run', { kind: 'agent' });
    const parent = structuredClone(run.context());
    await remote.withSpan('tool remote', { kind: 'tool', parent }, async () => 'done');
    run.end();
    await new Promise((resolve) => setTimeout(resolve, 20));
    stop();
    channel.port1.close();
    const tool = memory.spans().find((span) => span.name === 'tool remote');
    expect(tool).toMatchObject({
      traceId: run.traceId,
      parentSpanId: run.spanId,
      kind: 'tool',
      status: 'ok',
    });
  });
});
