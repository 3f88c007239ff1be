import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { BadRequestError, ServerError, WorkerCrashedError } from '../../errors/index.js';
import type { SpanRecord } from '../../storage/types.js';
import { createTracer } from '../tracer.js';
import { createOtlpHttpExporter } from './otlp-http.js';
import { inProcessOtlpExportWorker, type OtlpExportWorkerFactory } from './otlp-worker.js';

const span = (index: number, attributes: Record<string, unknown> = {}): SpanRecord => ({
  traceId: 'b'.repeat(32),
  spanId: index.toString(16).padStart(16, '0'),
  name: `w${index}`,
  kind: 'internal',
  startTime: 1,
  endTime: 2,
  status: 'ok',
  attributes,
});

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A factory that counts the workers it starts and whether they were terminated. */
function counted(factory: OtlpExportWorkerFactory) {
  const workers = { started: 0, terminated: 0 };
  const wrapped: OtlpExportWorkerFactory = () => {
    workers.started++;
    const handle = factory();
    return {
      ...handle,
      terminate: () => {
        workers.terminated++;
        handle.terminate();
      },
    };
  };
  return { factory: wrapped, workers };
}

/** A worker that never answers: a bare channel with nothing on its other end. */
function silentWorker(
  onCrash: (listener: (reason: string) => void) => void = () => {},
): OtlpExportWorkerFactory {
  return () => {
    const channel = new MessageChannel();
    return {
      endpoint: channel.port2,
      terminate: () => {
        channel.port1.close();
        channel.port2.close();
      },
      onCrash,
    };
  };
}

describe('createOtlpHttpExporter with an export worker (same protocol, in-process core)', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(() => receiver.close());

  it('hands batches to the worker on the timer task; the worker encodes and sends them', async () => {
    const before = receiver.requests.length;
    const { factory, workers } = counted(inProcessOtlpExportWorker());
    const exporter = createOtlpHttpExporter({
      url: receiver.url,
      serviceName: 'lumos-worker-test',
      headers: { 'x-token': 'collector-token' },
      worker: factory,
      maxBatchSize: 2,
      scheduledDelayMs: 60_000,
    });
    await exporter.export([span(1, { input: '{"a":1}', tokens: 7 }), span(2), span(3)]);
    // export() only queues: no worker started, nothing cloned or sent inside the traced call.
    expect(workers.started).toBe(0);
    expect(exporter.stats()).toMatchObject({ queued: 3 });
    await nextTask();
    expect(workers.started).toBe(1);
    expect(exporter.stats()).toMatchObject({ queued: 1 });
    await exporter.flush();
    expect(exporter.stats()).toEqual({ queued: 0, exported: 3, dropped: 0, failed: 0 });
    const requests = receiver.requests.slice(before);
    expect(requests.map((request) => request.spans.map((sent) => sent.name))).toEqual([['w1', 'w2'], ['w3']]);
    expect(requests[0]!.headers['x-token']).toBe('collector-token');
    expect(requests[0]!.spans[0]).toMatchObject({
      resource: { 'service.name': 'lumos-worker-test' },
      attributes: { input: '{"a":1}', tokens: 7 },
    });
    await exporter.shutdown();
    expect(workers.terminated).toBe(1);
    await exporter.export([span(4)]);
    expect(exporter.stats()).toMatchObject({ exported: 3, dropped: 1 });
    expect(workers.started).toBe(1);
  });

  it('retries in the worker; failures reach flush() and onError as their own error classes', async () => {
    const errors: unknown[] = [];
    const exporter = createOtlpHttpExporter({
      url: receiver.url,
      worker: inProcessOtlpExportWorker(),
      maxBatchSize: 1,
      retryDelayMs: 1,
      maxRetries: 1,
      scheduledDelayMs: 60_000,
      onError: (error) => errors.push(error),
    });
    // 503 then 200: retried inside the worker, the caller sees a success.
    receiver.failNext(503);
    await exporter.export([span(1)]);
    await exporter.flush();
    expect(exporter.stats()).toMatchObject({ exported: 1, failed: 0 });

    // A background send answered 500 twice (the retry too): reported as a ServerError.
    receiver.failNext(500);
    await exporter.export([span(2)]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await exporter.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ServerError);
    expect(errors[0]).toMatchObject({ code: 'server', data: { status: 500 } });

    // flush() rejects with the first failure of its own sends, as a BadRequestError.
    receiver.failNext(400);
    await exporter.export([span(3)]);
    const failure = await exporter.flush().catch((error: unknown) => error);
    expect(BadRequestError.isInstance(failure)).toBe(true);
    expect(failure).toBeInstanceOf(BadRequestError);
    expect(exporter.stats()).toMatchObject({ exported: 1, failed: 2, queued: 0 });
    await exporter.shutdown();
  });

  it('counts and reports queue-full drops and partial successes the same way', async () => {
    const errors: unknown[] = [];
    const fetch = (async () =>
      new Response(JSON.stringify({ partialSuccess: { rejectedSpans: 1 } }), {
        status: 200,
      })) as typeof globalThis.fetch;
    const exporter = createOtlpHttpExporter({
      url: 'http://collector.test',
      worker: inProcessOtlpExportWorker({ fetch }),
      maxBatchSize: 2,
      maxQueueSize: 4,
      scheduledDelayMs: 60_000,
      onError: (error) => errors.push(error),
    });
    await exporter.export(Array.from({ length: 7 }, (_, index) => span(index)));
    expect(exporter.stats()).toMatchObject({ queued: 4, dropped: 3 });
    await exporter.flush();
    expect(exporter.stats()).toEqual({ queued: 0, exported: 2, dropped: 3, failed: 2 });
    expect(errors.map((error) => (error as { code: string }).code)).toEqual([
      'rate_limited',
      'bad_request',
      'bad_request',
    ]);
    await exporter.shutdown();
  });

  it('a worker that dies is reported once; the batch under way and later ones go out from this thread', async () => {
    const before = receiver.requests.length;
    const errors: unknown[] = [];
    let crash: ((reason: string) => void) | undefined;
    // A worker that never answers, then dies.
    const dying = silentWorker((listener) => {
      crash = listener;
    });
    const exporter = createOtlpHttpExporter({
      url: receiver.url,
      worker: dying,
      maxBatchSize: 2,
      scheduledDelayMs: 60_000,
      onError: (error) => errors.push(error),
    });
    await exporter.export([span(1), span(2)]);
    await nextTask();
    expect(receiver.requests.length).toBe(before);
    crash?.('out of memory');
    await exporter.export([span(3)]);
    await exporter.flush();
    expect(receiver.requests.slice(before).map((request) => request.spans.length)).toEqual([2, 1]);
    expect(exporter.stats()).toEqual({ queued: 0, exported: 3, dropped: 0, failed: 0 });
    expect(errors).toHaveLength(1);
    expect(WorkerCrashedError.isInstance(errors[0])).toBe(true);
    expect((errors[0] as Error).message).toContain('out of memory');
  });

  it('a worker that never answers counts as crashed once the longest possible send has passed', async () => {
    const before = receiver.requests.length;
    const errors: unknown[] = [];
    const silent = silentWorker();
    const exporter = createOtlpHttpExporter({
      url: receiver.url,
      worker: silent,
      maxRetries: 0,
      timeoutMs: 30,
      onError: (error) => errors.push(error),
    });
    await exporter.export([span(1)]);
    const started = Date.now();
    await exporter.flush();
    // One attempt of 30 ms plus 30 ms of grace, then the batch goes out from this thread.
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(receiver.requests.length).toBe(before + 1);
    expect(exporter.stats()).toMatchObject({ exported: 1, failed: 0 });
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toMatch(/did not answer within 60 ms/);
  });

  it('falls back to this thread when the worker cannot be created', async () => {
    const before = receiver.requests.length;
    const errors: unknown[] = [];
    const tracer = createTracer({
      exporters: [
        createOtlpHttpExporter({
          url: receiver.url,
          worker: () => {
            throw new DOMException('worker-src blocks it', 'SecurityError');
          },
          onError: (error) => errors.push(error),
        }),
      ],
    });
    tracer.startSpan('after a blocked worker').end();
    await tracer.flush();
    expect(receiver.requests.length).toBe(before + 1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'worker_crashed',
      message: expect.stringContaining('worker-src'),
    });
  });

  it('sends a batch the structured clone cannot copy (a function attribute) from this thread, as JSON would', async () => {
    const before = receiver.requests.length;
    const errors: unknown[] = [];
    const { factory, workers } = counted(inProcessOtlpExportWorker());
    const exporter = createOtlpHttpExporter({
      url: receiver.url,
      worker: factory,
      scheduledDelayMs: 60_000,
      onError: (error) => errors.push(error),
    });
    await exporter.export([span(1, { callback: () => 1, kept: 'yes' })]);
    await exporter.flush();
    await exporter.export([span(2)]);
    await exporter.flush();
    const requests = receiver.requests.slice(before);
    expect(requests.map((request) => request.spans[0]!.attributes)).toEqual([
      { 'lumos.span.kind': 'internal', kept: 'yes' },
      { 'lumos.span.kind': 'internal' },
    ]);
    expect(exporter.stats()).toMatchObject({ exported: 2, failed: 0 });
    expect(errors).toEqual([]);
    expect(workers.started).toBe(1);
    await exporter.shutdown();
  });

  it('refuses a custom fetch together with a worker (a function cannot reach the worker)', () => {
    expect(() =>
      createOtlpHttpExporter({
        url: 'http://collector.test',
        fetch: globalThis.fetch,
        worker: inProcessOtlpExportWorker(),
      }),
    ).toThrow(/either fetch or worker/);
  });
});
