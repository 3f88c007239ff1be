import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BadRequestError, NetworkError } from '../../errors/index.js';
import type { SpanRecord } from '../../storage/types.js';
import { encodeOtlpTracesJson } from '../otlp-encoding.js';
import { createOtlpSend, type OtlpSendSettings } from './otlp-send.js';

const spans: SpanRecord[] = [
  {
    traceId: 'c'.repeat(32),
    spanId: 'd'.repeat(16),
    name: 'héllo 👋',
    kind: 'internal',
    startTime: 1,
    endTime: 2,
    status: 'ok',
    attributes: { input: '{"q":"naïve"}' },
  },
];

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A local server answering with `answer`; returns its traces endpoint and what it received. */
async function collector(
  answer: (request: { body: string; headers: Record<string, unknown> }) => {
    status: number;
    headers?: Record<string, string>;
    body?: string;
  },
) {
  const received: { body: string; headers: Record<string, unknown> }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const seen = { body: Buffer.concat(chunks).toString('utf8'), headers: request.headers };
      received.push(seen);
      const { status, headers, body } = answer(seen);
      response.writeHead(status, headers).end(body ?? '');
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}/v1/traces`, received, server };
}

const settings = (endpoint: string, overrides: Partial<OtlpSendSettings> = {}): OtlpSendSettings => ({
  endpoint,
  headers: { 'Content-Type': 'application/json', 'x-token': 't' },
  maxRetries: 1,
  retryDelayMs: 1,
  timeoutMs: 2_000,
  ...overrides,
});

describe('createOtlpSend in Node (node:http, no fetch)', () => {
  it('posts the exact OTLP/JSON bytes with a Content-Length, and retries 503 after Retry-After', async () => {
    let calls = 0;
    const { endpoint, received } = await collector(() =>
      ++calls === 1 ? { status: 503, headers: { 'retry-after': '0' } } : { status: 200, body: '{}' },
    );
    const send = createOtlpSend(settings(endpoint, { retryDelayMs: 60_000 }));
    await expect(send(spans)).resolves.toEqual({ exported: 1, rejected: 0 });
    expect(received).toHaveLength(2);
    expect(received[1]!.body).toBe(encodeOtlpTracesJson(spans));
    expect(received[1]!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-token': 't',
      'content-length': String(Buffer.byteLength(encodeOtlpTracesJson(spans))),
    });
  });

  it('does not follow a redirect: a 3xx is a BadRequestError', async () => {
    const { endpoint, received } = await collector(() => ({
      status: 307,
      headers: { location: 'http://127.0.0.1:1/v1/traces' },
    }));
    const failure = await createOtlpSend(settings(endpoint))(spans).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BadRequestError);
    expect(received).toHaveLength(1);
  });

  it('an unreachable collector and a collector that never answers are NetworkErrors, after the retries', async () => {
    const { endpoint, server } = await collector(() => ({ status: 200 }));
    server.close();
    await once(server, 'close');
    const refused = await createOtlpSend(settings(endpoint))(spans).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(NetworkError);
    expect((refused as NetworkError).data.cause).toMatch(/ECONNREFUSED/);

    const silent = createServer(() => {});
    servers.push(silent);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    const started = Date.now();
    const timedOut = await createOtlpSend(settings(`http://127.0.0.1:${port}/v1/traces`, { timeoutMs: 50 }))(
      spans,
    ).catch((error: unknown) => error);
    expect(timedOut).toBeInstanceOf(NetworkError);
    expect(Date.now() - started).toBeLessThan(1_500);

    // Headers and half an answer, then nothing: the timeout still ends the request.
    const stalling = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write('{"partialSucc');
    });
    servers.push(stalling);
    stalling.listen(0, '127.0.0.1');
    await once(stalling, 'listening');
    const stallingPort = (stalling.address() as AddressInfo).port;
    const stalled = await createOtlpSend(
      settings(`http://127.0.0.1:${stallingPort}/v1/traces`, { timeoutMs: 50, maxRetries: 0 }),
    )(spans).catch((error: unknown) => error);
    expect(stalled).toBeInstanceOf(NetworkError);
  });
});
