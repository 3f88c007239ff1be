import { beforeEach, describe, expect, inject, it } from 'vitest';
import {
  AbortedError,
  AuthError,
  BadRequestError,
  ContextLengthError,
  InvalidResponseError,
  NetworkError,
  RateLimitError,
  ServerError,
  TimeoutError,
  UnsupportedError,
} from '../errors/index.js';
import { connectTestServer, type TestSession } from '../test/index.js';
import { type ChatStreamEvent, openai, openaiCompatible, parseToolArguments } from './index.js';

let session: TestSession;
beforeEach(async () => {
  session = await connectTestServer(inject('openaiServerUrl')).session();
});

const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });
const model = (options: Partial<Parameters<typeof openai>[0]> = {}) =>
  openai({
    apiKey: 'test',
    baseURL: session.baseURL,
    model: 'test-model',
    retry: { initialDelayMs: 10 },
    ...options,
  });

async function collect(events: AsyncIterable<ChatStreamEvent>) {
  const out: (ChatStreamEvent & { at: number })[] = [];
  for await (const event of events) out.push({ ...event, at: performance.now() });
  return out;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('OpenAIChatModel.generate', () => {
  it('returns text, usage and finish reason and sends an OpenAI request', async () => {
    await session.enqueue({ text: 'Hello!', usage: { prompt_tokens: 7, completion_tokens: 2 } });
    const result = await model().generate({ ...ask('hi'), temperature: 0.2, maxTokens: 50 });
    expect(result).toMatchObject({
      text: 'Hello!',
      toolCalls: [],
      finishReason: 'stop',
      usage: { promptTokens: 7, completionTokens: 2, totalTokens: 9 },
      modelId: 'test-model',
    });
    const [request] = await session.requests();
    expect(request!.path).toBe('/v1/chat/completions');
    expect(request!.headers.authorization).toBe('Bearer test');
    expect(request!.headers['x-stainless-retry-count']).toBe('0');
    expect(request!.body).toMatchObject({
      model: 'test-model',
      messages: [{ role: 'user', content: 'hi' }],
      stream: false,
      temperature: 0.2,
      max_completion_tokens: 50,
    });
  });

  it('round-trips a tool call: parallel calls out, tool results back', async () => {
    await session.enqueue(
      {
        toolCalls: [
          { id: 'call_a', name: 'weather', arguments: { city: 'Paris' } },
          { id: 'call_b', name: 'weather', arguments: { city: 'Oslo' } },
        ],
      },
      { text: 'Paris 20°C, Oslo 5°C' },
    );
    const chat = model();
    const tools = [
      { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    ];
    const first = await chat.generate({ ...ask('weather?'), tools, parallelToolCalls: true });
    expect(first.finishReason).toBe('tool-calls');
    expect(first.toolCalls).toEqual([
      { id: 'call_a', name: 'weather', arguments: '{"city":"Paris"}' },
      { id: 'call_b', name: 'weather', arguments: '{"city":"Oslo"}' },
    ]);
    const second = await chat.generate({
      messages: [
        ...ask('weather?').messages,
        { role: 'assistant', content: '', toolCalls: first.toolCalls },
        { role: 'tool', toolCallId: 'call_a', content: '20°C' },
        { role: 'tool', toolCallId: 'call_b', content: '5°C' },
      ],
      tools,
    });
    expect(second.text).toBe('Paris 20°C, Oslo 5°C');
    const [firstRequest, secondRequest] = await session.requests();
    expect(firstRequest!.body).toMatchObject({
      parallel_tool_calls: true,
      tools: [{ type: 'function', function: { name: 'weather' } }],
    });
    expect((secondRequest!.body as { messages: unknown[] }).messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: '20°C' },
      { role: 'tool', tool_call_id: 'call_b', content: '5°C' },
    ]);
  });

  it('translates tool choice, image parts, stop, seed, per-call headers and provider options', async () => {
    await session.enqueue({ text: 'ok' });
    await openaiCompatible({ name: 'compat', baseURL: session.baseURL, model: 'm' }).generate({
      messages: [
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image', url: 'data:image/png;base64,AAAA' },
          ],
        },
      ],
      tools: [{ name: 'describe', description: 'Describe', parameters: { type: 'object' }, strict: true }],
      toolChoice: { name: 'describe' },
      parallelToolCalls: false,
      stop: ['END'],
      seed: 7,
      maxTokens: 20,
      headers: { 'x-trace-id': 'abc' },
      providerOptions: { top_k: 5 },
    });
    const [request] = await session.requests();
    expect(request!.headers['x-trace-id']).toBe('abc');
    expect(request!.body).toEqual({
      model: 'm',
      stream: false,
      messages: [
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          ],
        },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'describe',
            description: 'Describe',
            parameters: { type: 'object' },
            strict: true,
          },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'describe' } },
      stop: ['END'],
      seed: 7,
      max_tokens: 20,
      top_k: 5,
    });
  });

  it('keeps malformed tool arguments raw; parseToolArguments turns them into a typed error', async () => {
    await session.enqueue({ fault: 'malformed-json', text: '{"query": "unterminated' });
    const result = await model().generate({
      ...ask('look it up'),
      tools: [{ name: 'lookup', parameters: {} }],
    });
    expect(result.toolCalls[0]).toMatchObject({ name: 'lookup', arguments: '{"query": "unterminated' });
    const error = (() => {
      try {
        parseToolArguments(result.toolCalls[0]!);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as InvalidResponseError).data.arguments).toBe('{"query": "unterminated');
    expect(parseToolArguments({ id: 'x', name: 'n', arguments: '{"a":1}' })).toEqual({ a: 1 });
  });

  it('retries a 429 after the Retry-After it was given, then succeeds', async () => {
    await session.enqueue({ error: { status: 429, headers: { 'retry-after': '1' } } }, { text: 'finally' });
    const delays: number[] = [];
    const started = performance.now();
    const result = await model({ retry: { onRetry: ({ delayMs }) => delays.push(delayMs) } }).generate(
      ask('x'),
    );
    expect(result.text).toBe('finally');
    expect(delays).toEqual([1000]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    const requests = await session.requests();
    expect(requests.length).toBe(2);
    expect(requests[1]!.receivedAt - requests[0]!.receivedAt).toBeGreaterThanOrEqual(990);
  });

  it('does not wait for a Retry-After beyond maxRetryAfterMs: the RateLimitError says how long', async () => {
    await session.enqueue({ error: { status: 429, headers: { 'retry-after': '120' } } });
    const started = performance.now();
    const error = await failure(model().generate(ask('x')));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(120_000);
    expect(performance.now() - started).toBeLessThan(1000);
    expect((await session.requests()).length).toBe(1);
  });

  it('retries a 500 with jittered backoff and succeeds', async () => {
    await session.enqueue({ error: { status: 500 } }, { text: 'recovered' });
    const delays: number[] = [];
    const chat = model({
      retry: { initialDelayMs: 40, random: () => 0.5, onRetry: ({ delayMs }) => delays.push(delayMs) },
    });
    expect((await chat.generate(ask('x'))).text).toBe('recovered');
    expect(delays).toEqual([20]);
  });

  it('gives up after maxRetries with a ServerError', async () => {
    await session.enqueue({ error: { status: 503 } }, { error: { status: 502 } }, { error: { status: 500 } });
    const error = await failure(model({ maxRetries: 2 }).generate(ask('x')));
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).data.status).toBe(500);
    expect((await session.requests()).length).toBe(3);
  });

  it('does not retry a 400, and maps 401 and context-length errors', async () => {
    await session.enqueue(
      { error: { status: 400 } },
      { error: { status: 401 } },
      {
        error: {
          status: 400,
          body: {
            error: {
              message: "This model's maximum context length is 8192 tokens",
              code: 'context_length_exceeded',
            },
          },
        },
      },
    );
    const chat = model();
    const bad = await failure(chat.generate(ask('x')));
    expect(bad).toBeInstanceOf(BadRequestError);
    expect((bad as BadRequestError).retryable).toBe(false);
    expect((await session.requests()).length).toBe(1);
    expect(await failure(chat.generate(ask('x')))).toBeInstanceOf(AuthError);
    const long = await failure(chat.generate(ask('x')));
    expect(long).toBeInstanceOf(ContextLengthError);
    expect((long as Error).message).toMatch(/fewer or shorter messages/);
    expect((await session.requests()).length).toBe(3);
  });

  it('does not retry a 429 for an exhausted quota', async () => {
    await session.enqueue({
      error: {
        status: 429,
        body: { error: { message: 'You exceeded your quota', code: 'insufficient_quota' } },
      },
    });
    const error = await failure(model().generate(ask('x')));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryable).toBe(false);
    expect((await session.requests()).length).toBe(1);
  });

  it('retries a body cut before it was complete (nothing was delivered yet)', async () => {
    await session.enqueue({ fault: 'cut-stream' }, { text: 'whole' });
    expect((await model().generate(ask('x'))).text).toBe('whole');
  });

  it('reports an unreachable endpoint as a NetworkError after bounded retries', async () => {
    const chat = openai({
      apiKey: 'k',
      baseURL: 'http://127.0.0.1:9/v1',
      model: 'm',
      maxRetries: 1,
      retry: { initialDelayMs: 5 },
    });
    const error = await failure(chat.generate(ask('x')));
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/Could not reach openai/);
  });

  it('stops within 100 ms when aborted before the first byte', async () => {
    await session.enqueue({ fault: 'hang' });
    const controller = new AbortController();
    const call = model().generate({ ...ask('x'), signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const abortedAt = performance.now();
    controller.abort();
    const error = await failure(call);
    expect(performance.now() - abortedAt).toBeLessThan(100);
    expect(error).toBeInstanceOf(AbortedError);
  });

  it('fails fast with an already aborted signal, without a request', async () => {
    const error = await failure(model().generate({ ...ask('x'), signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(AbortedError);
    expect(await session.requests()).toEqual([]);
  });

  it('times out per call with a TimeoutError', async () => {
    await session.enqueue({ fault: 'slow-first-byte', delayMs: 2000 });
    const started = performance.now();
    const error = await failure(model().generate({ ...ask('x'), timeoutMs: 150 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('times out a body that stalls after the headers arrived, and cancels it', async () => {
    let cancelled = false;
    const stalled = (async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"id":"c","choices":['));
          },
          cancel() {
            cancelled = true;
          },
        }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      )) as typeof fetch;
    const started = performance.now();
    const error = await failure(
      openai({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1', model: 'm', fetch: stalled }).generate({
        ...ask('x'),
        timeoutMs: 150,
      }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(cancelled).toBe(true);
  });

  it('sends json_schema natively when the endpoint supports it', async () => {
    await session.enqueue({ text: '{"name":"Ada"}' });
    const schema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
    const result = await model().generate({
      ...ask('who?'),
      responseFormat: { type: 'json_schema', name: 'person', schema, strict: true },
    });
    expect(JSON.parse(result.text)).toEqual({ name: 'Ada' });
    const [request] = await session.requests();
    expect((request!.body as { response_format: unknown }).response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'person', schema, strict: true },
    });
  });

  it('falls back to an instruction plus json_object and extracts the JSON when json_schema is missing', async () => {
    await session.enqueue({
      text: 'Sure, here it is:\n```json\n{"name": "Ada", "age": 36}\n```\nAnything else?',
    });
    const chat = openaiCompatible({ name: 'plain', baseURL: session.baseURL, model: 'm' });
    const schema = { type: 'object', properties: { name: { type: 'string' }, age: { type: 'number' } } };
    const result = await chat.generate({
      ...ask('who?'),
      responseFormat: { type: 'json_schema', name: 'person', schema },
    });
    expect(JSON.parse(result.text)).toEqual({ name: 'Ada', age: 36 });
    const body = (await session.requests())[0]!.body as {
      response_format: unknown;
      messages: { content: string }[];
    };
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.messages[0]!.content).toContain(JSON.stringify(schema));
  });

  it('switches to the fallback once when an endpoint refuses json_schema it was thought to support', async () => {
    const refusal = {
      error: {
        status: 400,
        body: {
          error: { message: "Invalid parameter: 'response_format' of type 'json_schema' is not supported" },
        },
      },
    };
    await session.enqueue(refusal, { text: '{"ok": true}' }, refusal, { text: 'Here: {"ok": false}' });
    const responseFormat = { type: 'json_schema' as const, name: 'r', schema: { type: 'object' } };
    expect((await model().generate({ ...ask('x'), responseFormat })).text).toBe('{"ok": true}');
    const events = await collect(model().stream({ ...ask('x'), responseFormat }));
    expect(events.at(-1)).toMatchObject({ type: 'finish', result: { text: '{"ok": false}' } });
    const formats = (await session.requests()).map(
      (request) => (request.body as { response_format: { type: string } }).response_format.type,
    );
    expect(formats).toEqual(['json_schema', 'json_object', 'json_schema', 'json_object']);
  });

  it('falls back to plain text when the endpoint has neither json_schema nor json_object', async () => {
    await session.enqueue({ text: 'The answer: {"ok": true} — done' });
    const chat = openaiCompatible({
      name: 'bare',
      baseURL: session.baseURL,
      model: 'm',
      capabilities: { jsonObject: false },
    });
    const result = await chat.generate({
      ...ask('ok?'),
      responseFormat: { type: 'json_schema', name: 'r', schema: { type: 'object' } },
    });
    expect(result.text).toBe('{"ok": true}');
    expect((await session.requests())[0]!.body).not.toHaveProperty('response_format');
  });
});

describe('OpenAIChatModel.stream', () => {
  it('delivers the answer token by token as it is produced, then usage', async () => {
    await session.enqueue({
      text: 'one two three four',
      chunkDelayMs: 40,
      usage: { prompt_tokens: 3, completion_tokens: 4 },
    });
    const events = await collect(model().stream(ask('count')));
    const deltas = events.filter((event) => event.type === 'text-delta');
    expect(deltas.map((event) => event.delta)).toEqual(['one', ' two', ' three', ' four']);
    expect(deltas[3]!.at - deltas[0]!.at).toBeGreaterThanOrEqual(100);
    const finish = events.at(-1)!;
    expect(finish.type).toBe('finish');
    expect(finish.type === 'finish' && finish.result).toMatchObject({
      text: 'one two three four',
      finishReason: 'stop',
      usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 },
    });
    const [request] = await session.requests();
    expect(request!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('does not ask for stream usage where the endpoint cannot give it', async () => {
    await session.enqueue({ text: 'hi' });
    const chat = openaiCompatible({ name: 'plain', baseURL: session.baseURL, model: 'm' });
    const events = await collect(chat.stream(ask('x')));
    expect(events.at(-1)).toMatchObject({ type: 'finish', result: { usage: undefined } });
    expect((await session.requests())[0]!.body).not.toHaveProperty('stream_options');
  });

  it('streams parallel tool-call deltas and assembles each call', async () => {
    await session.enqueue({
      text: 'Checking.',
      toolCalls: [
        { id: 'call_1', name: 'weather', arguments: { city: 'Paris' } },
        { id: 'call_2', name: 'time', arguments: { zone: 'Europe/Oslo' } },
      ],
    });
    const events = await collect(
      model().stream({ ...ask('x'), tools: [{ name: 'weather', parameters: {} }] }),
    );
    const deltas = events.filter((event) => event.type === 'tool-call-delta');
    expect(deltas[0]).toMatchObject({ index: 0, id: 'call_1', name: 'weather', argumentsDelta: '' });
    expect(deltas.length).toBeGreaterThan(4);
    const rebuilt = deltas
      .filter((event) => event.index === 1)
      .map((event) => event.argumentsDelta)
      .join('');
    expect(rebuilt).toBe('{"zone":"Europe/Oslo"}');
    const calls = events.filter((event) => event.type === 'tool-call').map((event) => event.toolCall);
    expect(calls).toEqual([
      { id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
      { id: 'call_2', name: 'time', arguments: '{"zone":"Europe/Oslo"}' },
    ]);
    // call_1 is complete as soon as call_2 starts, before the stream ends.
    const firstCall = events.findIndex((event) => event.type === 'tool-call');
    expect(events[firstCall + 1]).toMatchObject({ type: 'tool-call-delta', index: 1 });
    expect(events.at(-1)).toMatchObject({
      type: 'finish',
      result: { finishReason: 'tool-calls', text: 'Checking.' },
    });
  });

  it('throws InvalidResponseError when the stream is cut mid-way, after the partial text', async () => {
    await session.enqueue({ fault: 'cut-stream', text: 'a b c d e f g h' });
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const event of model().stream(ask('x')))
          if (event.type === 'text-delta') seen.push(event.delta);
      })(),
    );
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toMatch(/cut off|ended before/);
    expect(seen.length).toBeGreaterThan(0);
    expect((await session.requests()).length).toBe(1);
  });

  it('throws InvalidResponseError on an invalid SSE line', async () => {
    await session.enqueue({ fault: 'invalid-sse', text: 'fine so far' });
    const error = await failure(collect(model().stream(ask('x'))));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toMatch(/not valid JSON/);
  });

  it('stops within 100 ms when aborted mid-stream', async () => {
    await session.enqueue({ text: 'a b c d e f g h i j', chunkDelayMs: 300 });
    const controller = new AbortController();
    let abortedAt = 0;
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const event of model().stream({ ...ask('x'), signal: controller.signal })) {
          if (event.type === 'text-delta') {
            seen.push(event.delta);
            if (seen.length === 1) {
              setTimeout(() => {
                abortedAt = performance.now();
                controller.abort();
              }, 20);
            }
          }
        }
      })(),
    );
    expect(performance.now() - abortedAt).toBeLessThan(100);
    expect(error).toBeInstanceOf(AbortedError);
    expect(seen).toEqual(['a']);
  });

  it('times out a stream that stalls after it started', async () => {
    await session.enqueue({ text: 'a b c', chunkDelayMs: 1000 });
    const error = await failure(collect(model().stream({ ...ask('x'), timeoutMs: 200 })));
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it('maps an error event inside the stream to a typed, non-retried error', async () => {
    const body =
      'data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n' +
      'data: {"error":{"message":"upstream overloaded","type":"server_error"}}\n\n';
    const chat = openai({
      apiKey: 'k',
      baseURL: 'http://provider.invalid/v1',
      model: 'm',
      fetch: async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    });
    const error = await failure(collect(chat.stream(ask('x'))));
    expect(error).toBeInstanceOf(ServerError);
    expect((error as Error).message).toMatch(/upstream overloaded/);
    expect((error as ServerError).retryable).toBe(false);
  });

  it('retries a 429 before the stream starts', async () => {
    await session.enqueue(
      { error: { status: 429, headers: { 'retry-after-ms': '30' } } },
      { text: 'streamed' },
    );
    const events = await collect(model().stream(ask('x')));
    expect(events.at(-1)).toMatchObject({ type: 'finish', result: { text: 'streamed' } });
    expect((await session.requests()).length).toBe(2);
  });

  it('sends nothing until iterated, and throws option errors from the iteration', async () => {
    const chat = openaiCompatible({
      name: 'no-tools',
      baseURL: session.baseURL,
      model: 'm',
      capabilities: { tools: false },
    });
    const events = chat.stream({ ...ask('x'), tools: [{ name: 't', parameters: {} }] });
    expect(await session.requests()).toEqual([]);
    expect(await failure(collect(events))).toBeInstanceOf(UnsupportedError);
    expect(await session.requests()).toEqual([]);
  });

  it('closes the connection when the consumer stops early', async () => {
    await session.enqueue({ text: 'a b c d e f', chunkDelayMs: 50 });
    for await (const event of model().stream(ask('x'))) if (event.type === 'text-delta') break;
    await session.enqueue({ text: 'next' });
    expect((await model().generate(ask('y'))).text).toBe('next');
  });
});
