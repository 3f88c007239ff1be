import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../../../test/support/otlp-receiver.js';
import type { SpanRecord } from '../../storage/types.js';
import { createTracer } from '../tracer.js';
import { createOtlpHttpExporter } from './otlp-http.js';

const span = (index: number, attributes: Record<string, unknown> = {}): SpanRecord => ({
  traceId: 'a'.repeat(32),
  spanId: index.toString(16).padStart(16, '0'),
  name: `s${index}`,
  kind: 'internal',
  startTime: 1,
  endTime: 2,
  status: 'ok',
  attributes,
});

/** A fetch that records the span names of each request and answers with `statuses` (then 200). */
function fakeCollector(statuses: number[] = [], headers: Record<string, string> = {}) {
  const requests: string[][] = [];
  let release: (() => void) | undefined;
  const fetch = (async (_input: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as {
      resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
    };
    requests.push(body.resourceSpans[0]!.scopeSpans[0]!.spans.map((sent) => sent.name));
    if (release === undefined && collector.hold)
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    return new Response('{}', { status: statuses.shift() ?? 200, headers });
  }) as typeof globalThis.fetch;
  const collector = {
    fetch,
    requests,
    hold: false,
    release: () => release?.(),
  };
  return collector;
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createOtlpHttpExporter batching (BatchSpanProcessor semantics)', () => {
  it('export() only queues: encoding and the request happen on a later timer task', async () => {
    const collector = fakeCollector();
    let serialized = 0;
    const counted = { toJSON: () => ++serialized };
    const exporter = createOtlpHttpExporter({
      url: 'http://collector.test',
      fetch: collector.fetch,
      maxBatchSize: 2,
      scheduledDelayMs: 60_000,
    });
    await exporter.export([span(1, { payload: counted }), span(2)]);
    // Even with the batch full, nothing was encoded or sent inside the traced code's call.
    expect(serialized).toBe(0);
    expect(collector.requests).toEqual([]);
    expect(exporter.stats().queued).toBe(2);
    await nextTask();
    expect(serialized).toBe(1);
    expect(collector.requests).toEqual([['s1', 's2']]);
    await exporter.flush();
    expect(exporter.stats()).toMatchObject({ queued: 0, exported: 2, dropped: 0, failed: 0 });
  });

  it('sends a partial batch when scheduledDelayMs elapses, without flush()', async () => {
    const collector = fakeCollector();
    const exporter = createOtlpHttpExporter({
      url: 'http://collector.test',
      fetch: collector.fetch,
      maxBatchSize: 10,
      scheduledDelayMs: 20,
    });
    await exporter.export([span(1)]);
    await exporter.export([span(2)]);
    await nextTask();
    expect(collector.requests).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(collector.requests).toEqual([['s1', 's2']]);
  });

  it('sends one request at a time and flush() waits for the request under way', async () => {
    const collector = fakeCollector();
    collector.hold = true;
    const exporter = createOtlpHttpExporter({
      url: 'http://collector.test',
      fetch: collector.fetch,
      maxBatchSize: 2,
      scheduledDelayMs: 60_000,
    });
    await exporter.export([span(1), span(2), span(3), span(4), span(5)]);
    await nextTask();
    await nextTask();
    expect(collector.requests).toEqual([['s1', 's2']]);
    // While a request is under way the rest waits in the bounded queue, not in pending requests.
    expect(exporter.stats().queued).toBe(3);
    let flushed = false;
    const flushing = exporter.flush().then(() => {
      flushed = true;
    });
    await nextTask();
    expect(flushed).toBe(false);
    expect(collector.requests).toHaveLength(1);
    collector.release();
    await flushing;
    expect(collector.requests).toEqual([['s1', 's2'], ['s3', 's4'], ['s5']]);
    expect(exporter.stats().exported).toBe(5);
  });

  it('with a slow collector, sends the next batch when the request under way settles', async () => {
    const collector = fakeCollector();
    collector.hold = true;
    const exporter = createOtlpHttpExporter({
      url: 'http://collector.test',
      fetch: collector.fetch,
      maxBatchSize: 2,
      maxQueueSize: 4,
      scheduledDelayMs: 60_000,
      onError: () => {},
    });
    await exporter.export([span(1), span(2)]);
    await nextTask();
    await exporter.export([span(3), span(4), span(5), span(6), span(7)]);
    await nextTask();
    expect(collector.requests).toEqual([['s1', 's2']]);
    expect(exporter.stats()).toMatchObject({ queued: 4, dropped: 1 });
    collector.release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(collector.requests).toEqual([
      ['s1', 's2'],
      ['s3', 's4'],
      ['s5', 's6'],
    ]);
    expect(exporter.stats()).toMatchObject({ queued: 0, exported: 6, dropped: 1 });
  });

  it('drops and counts spans beyond maxQueueSize, and reports the drop once', async () => {
    const collector = fakeCollector();
    const errors: unknown[] = [];
    const exporter = createOtlpHttpExporter({
      url: 'http://collector.test',
      fetch: collector.fetch,
      maxBatchSize: 2,
      maxQueueSize: 4,
      scheduledDelayMs: 60_000,
      onError: (error) => errors.push(error),
    });
    await exporter.export(Array.from({ length: 10 }, (_, index) => span(index)));
    expect(exporter.stats()).toMatchObject({ queued: 4, dropped: 6 });
    await exporter.flush();
    // The oldest spans are kept (what is queued is already part of traces under way).
    expect(collector.requests).toEqual([
      ['s0', 's1'],
      ['s2', 's3'],
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('dropped 6') });
  });

  it('retries 429 after the Retry-After delay, then succeeds', async () => {
    const collector = fakeCollector([429], { 'retry-after': '0' });
    const exporter = createOtlpHttpExporter({
      url: 'http://collector.test',
      fetch: collector.fetch,
      retryDelayMs: 60_000,
    });
    await exporter.export([span(1)]);
    await exporter.flush();
    expect(collector.requests).toEqual([['s1'], ['s1']]);
    expect(exporter.stats()).toMatchObject({ exported: 1, failed: 0 });
  });

  it('a throwing onError does not escape a background send', async () => {
    const collector = fakeCollector([400]);
    const exporter = createOtlpHttpExporter({
      url: 'http://collector.test',
      fetch: collector.fetch,
      maxBatchSize: 1,
      onError: () => {
        throw new Error('the reporter broke');
      },
    });
    await exporter.export([span(1)]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await exporter.export([span(2)]);
    await exporter.flush();
    expect(collector.requests).toEqual([['s1'], ['s2']]);
    expect(exporter.stats()).toMatchObject({ exported: 1, failed: 1 });
  });

  it('after shutdown() later spans are dropped and counted, nothing is sent', async () => {
    const collector = fakeCollector();
    const exporter = createOtlpHttpExporter({ url: 'http://collector.test', fetch: collector.fetch });
    await exporter.export([span(1)]);
    await exporter.shutdown();
    await exporter.export([span(2)]);
    await exporter.flush();
    expect(collector.requests).toEqual([['s1']]);
    expect(exporter.stats()).toMatchObject({ exported: 1, dropped: 1 });
  });
});

describe('createOtlpHttpExporter with a failing collector', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(() => receiver.close());

  it('never throws into traced code: a collector answering 500 is reported, spans are counted as failed', async () => {
    const before = receiver.requests.length;
    const exporterErrors: unknown[] = [];
    const exporter = createOtlpHttpExporter({
      url: receiver.url,
      maxRetries: 2,
      retryDelayMs: 1,
      maxBatchSize: 2,
      scheduledDelayMs: 60_000,
      onError: (error) => exporterErrors.push(error),
    });
    const tracerErrors: unknown[] = [];
    const tracer = createTracer({
      exporters: [exporter],
      onExportError: (error) => tracerErrors.push(error),
    });
    // 502 and 503 are retried; the third answer (500) is final.
    receiver.failNext(502, 503, 500);
    const answer = await tracer.withSpan('agent run', { kind: 'agent' }, async (run) => {
      tracer.startSpan('tool add', { kind: 'tool', parent: run }).end();
      return 42;
    });
    expect(answer).toBe(42);
    // The full batch goes out on the next timer task, in the background.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await expect(tracer.flush()).resolves.toBeUndefined();
    // The background send (a full batch of 2) failed: reported to onError, counted as failed.
    expect(exporterErrors).toHaveLength(1);
    expect(exporterErrors[0]).toMatchObject({ code: 'server' });
    expect(tracerErrors).toEqual([]);
    expect(exporter.stats()).toMatchObject({ exported: 0, failed: 2, queued: 0 });
    expect(receiver.requests.length).toBe(before);

    // The collector recovers: the next spans go through.
    tracer.startSpan('later').end();
    await tracer.flush();
    expect(receiver.requests.length).toBe(before + 1);
    expect(exporter.stats()).toMatchObject({ exported: 1, failed: 2 });
  });
});
