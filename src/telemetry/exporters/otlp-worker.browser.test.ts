import { describe, expect, inject, it } from 'vitest';
import { BadRequestError } from '../../errors/index.js';
import { connectTestServer } from '../../test/index.js';
import { createTracer } from '../tracer.js';
import { createOtlpHttpExporter } from './otlp-http.js';

describe('the OTLP exporter in Chromium', () => {
  it('by default encodes and sends from the export worker; the collector sees the OTLP request, a 404 comes back as BadRequestError', async () => {
    // The test server records every request (with its body) before answering 404 to an unknown
    // route: enough to see what the worker sent and that the typed error crosses back.
    const session = await connectTestServer(inject('openaiServerUrl')).session();
    const errors: unknown[] = [];
    const exporter = createOtlpHttpExporter({
      url: session.baseURL.replace(/\/v1$/, ''),
      headers: { 'x-collector-token': 'token-1' },
      serviceName: 'lumos-browser-test',
      maxRetries: 0,
      scheduledDelayMs: 60_000,
      onError: (error) => errors.push(error),
    });
    const tracer = createTracer({ exporters: [exporter], onExportError: (error) => errors.push(error) });
    await tracer.withSpan('agent run', { kind: 'agent' }, async (run) => {
      run.recordInput([{ role: 'user', content: 'Hi 👋 "there"' }]);
      tracer
        .startSpan('chat model', { kind: 'model', parent: run })
        .setAttribute('gen_ai.usage.input_tokens', 7)
        .end();
    });
    const failure = await exporter.flush().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BadRequestError);
    expect(failure).toMatchObject({ code: 'bad_request', data: { status: 404 } });
    expect(exporter.stats()).toMatchObject({ queued: 0, exported: 0, failed: 2 });
    // No fallback to the page's thread happened: the worker loaded and answered.
    expect(errors).toEqual([]);

    const [request] = (await session.requests()).filter((recorded) => recorded.path === '/v1/traces');
    expect(request?.method).toBe('POST');
    expect(request?.headers['x-collector-token']).toBe('token-1');
    const body = request?.body as {
      resourceSpans: {
        resource: { attributes: { key: string; value: { stringValue?: string } }[] };
        scopeSpans: {
          spans: { name: string; kind: number; attributes: { key: string; value: unknown }[] }[];
        }[];
      }[];
    };
    const [resourceSpans] = body.resourceSpans;
    expect(resourceSpans?.resource.attributes[0]).toEqual({
      key: 'service.name',
      value: { stringValue: 'lumos-browser-test' },
    });
    const spans = resourceSpans?.scopeSpans[0]?.spans ?? [];
    expect(spans.map((span) => [span.name, span.kind])).toEqual([
      ['chat model', 3],
      ['agent run', 1],
    ]);
    expect(spans[1]?.attributes).toContainEqual({
      key: 'input',
      value: { stringValue: '[{"role":"user","content":"Hi 👋 \\"there\\""}]' },
    });
    await exporter.shutdown();
  });
});
