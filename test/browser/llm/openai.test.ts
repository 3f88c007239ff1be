import { beforeEach, describe, expect, inject, it } from 'vitest';
import {
  AbortedError,
  BadRequestError,
  InvalidArgumentError,
  InvalidResponseError,
  NetworkError,
} from '../../../src/errors/index.js';
import {
  type ChatStreamEvent,
  openai,
  openaiCompatible,
  parseToolArguments,
  providers,
} from '../../../src/llm/index.js';
import { connectTestServer, type TestSession } from '../../../src/test/index.js';

let session: TestSession;
beforeEach(async () => {
  session = await connectTestServer(inject('openaiServerUrl')).session();
});

const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });
// Proxy mode: no key in the page, which is how an app should call its own backend.
const model = () => openai({ baseURL: session.baseURL, model: 'test-model', retry: { initialDelayMs: 10 } });

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

async function drain(
  events: AsyncIterable<ChatStreamEvent>,
  onEvent: (event: ChatStreamEvent) => void = () => {},
) {
  for await (const event of events) onEvent(event);
}

describe('LLM layer in Chromium (real openai SDK, real HTTP)', () => {
  it('runs in a cross-origin isolated page', () => {
    expect(globalThis.crossOriginIsolated).toBe(true);
  });

  it('proxy mode: no key, no Authorization header, no browser opt-in needed', async () => {
    await session.enqueue({ text: 'via proxy' });
    expect((await model().generate(ask('hi'))).text).toBe('via proxy');
    const [request] = await session.requests();
    expect(request!.headers.authorization).toBeUndefined();
  });

  it('refuses a key in page code unless the app opts in', async () => {
    expect(() => openai({ apiKey: 'sk-secret', baseURL: session.baseURL, model: 'm' })).toThrow(
      InvalidArgumentError,
    );
    await session.enqueue({ text: 'opted in' });
    const chat = providers.deepseek({
      apiKey: 'sk-secret',
      baseURL: session.baseURL,
      dangerouslyAllowBrowser: true,
    });
    expect((await chat.generate(ask('hi'))).text).toBe('opted in');
    expect((await session.requests())[0]!.headers.authorization).toBe('Bearer sk-secret');
  });

  it('streams the answer token by token', async () => {
    await session.enqueue({ text: 'one two three four', chunkDelayMs: 40 });
    const arrivals: { delta: string; at: number }[] = [];
    let final: ChatStreamEvent | undefined;
    await drain(model().stream(ask('count')), (event) => {
      if (event.type === 'text-delta') arrivals.push({ delta: event.delta, at: performance.now() });
      final = event;
    });
    expect(arrivals.map((arrival) => arrival.delta)).toEqual(['one', ' two', ' three', ' four']);
    expect(arrivals[3]!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(100);
    expect(final).toMatchObject({
      type: 'finish',
      result: { text: 'one two three four', usage: { totalTokens: expect.any(Number) } },
    });
  });

  it('round-trips a streamed tool call', async () => {
    await session.enqueue(
      { toolCalls: [{ id: 'call_1', name: 'add', arguments: { a: 2, b: 3 } }] },
      { text: 'The sum is 5.' },
    );
    const chat = model();
    const tools = [
      {
        name: 'add',
        parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
      },
    ];
    const calls: { id: string; name: string; arguments: string }[] = [];
    await drain(chat.stream({ ...ask('2+3?'), tools }), (event) => {
      if (event.type === 'tool-call') calls.push(event.toolCall);
    });
    expect(calls).toEqual([{ id: 'call_1', name: 'add', arguments: '{"a":2,"b":3}' }]);
    const { a, b } = parseToolArguments(calls[0]!) as { a: number; b: number };
    const answer = await chat.generate({
      messages: [
        ...ask('2+3?').messages,
        { role: 'assistant', content: '', toolCalls: calls },
        { role: 'tool', toolCallId: 'call_1', content: String(a + b) },
      ],
      tools,
    });
    expect(answer.text).toBe('The sum is 5.');
    const second = (await session.requests())[1]!.body as {
      messages: { role: string; tool_call_id?: string }[];
    };
    expect(second.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_1', content: '5' });
  });

  it('retries a 429 with Retry-After: 1 and succeeds', async () => {
    await session.enqueue(
      { error: { status: 429, headers: { 'retry-after': '1' } } },
      { text: 'after waiting' },
    );
    const started = performance.now();
    expect((await model().generate(ask('x'))).text).toBe('after waiting');
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect((await session.requests()).length).toBe(2);
  });

  it('retries a 500 then succeeds; does not retry a 400', async () => {
    await session.enqueue({ error: { status: 500 } }, { text: 'ok' }, { error: { status: 400 } });
    expect((await model().generate(ask('x'))).text).toBe('ok');
    expect(await failure(model().generate(ask('x')))).toBeInstanceOf(BadRequestError);
    expect((await session.requests()).length).toBe(3);
  });

  it('gives typed errors for a cut stream, an invalid SSE line and malformed tool arguments', async () => {
    await session.enqueue(
      { fault: 'cut-stream', text: 'a b c d e f g h' },
      { fault: 'invalid-sse' },
      { fault: 'malformed-json' },
    );
    expect(await failure(drain(model().stream(ask('x'))))).toBeInstanceOf(InvalidResponseError);
    expect(await failure(drain(model().stream(ask('x'))))).toBeInstanceOf(InvalidResponseError);
    const result = await model().generate({ ...ask('x'), tools: [{ name: 'lookup', parameters: {} }] });
    const error = (() => {
      try {
        parseToolArguments(result.toolCalls[0]!);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(InvalidResponseError);
  });

  it('stops within 100 ms when aborted before the first byte and mid-stream', async () => {
    await session.enqueue({ fault: 'hang' }, { text: 'a b c d e f', chunkDelayMs: 300 });
    const before = new AbortController();
    const pending = model().generate({ ...ask('x'), signal: before.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    let abortedAt = performance.now();
    before.abort();
    expect(await failure(pending)).toBeInstanceOf(AbortedError);
    expect(performance.now() - abortedAt).toBeLessThan(100);

    const midway = new AbortController();
    const error = await failure(
      drain(model().stream({ ...ask('x'), signal: midway.signal }), (event) => {
        if (event.type === 'text-delta') {
          setTimeout(() => {
            abortedAt = performance.now();
            midway.abort();
          }, 20);
        }
      }),
    );
    expect(error).toBeInstanceOf(AbortedError);
    expect(performance.now() - abortedAt).toBeLessThan(100);
  });

  it('structured output with json_schema, and the fallback without it', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const responseFormat = { type: 'json_schema' as const, name: 'place', schema };
    await session.enqueue({ text: '{"city":"Lyon"}' }, { text: 'Here: ```json\n{"city": "Nice"}\n```' });
    expect(JSON.parse((await model().generate({ ...ask('x'), responseFormat })).text)).toEqual({
      city: 'Lyon',
    });
    const plain = openaiCompatible({ name: 'plain', baseURL: session.baseURL, model: 'm' });
    expect(JSON.parse((await plain.generate({ ...ask('x'), responseFormat })).text)).toEqual({
      city: 'Nice',
    });
    const [native, fallback] = await session.requests();
    expect((native!.body as { response_format: { type: string } }).response_format.type).toBe('json_schema');
    expect((fallback!.body as { response_format: { type: string } }).response_format.type).toBe(
      'json_object',
    );
  });

  it('embeds through the same endpoint', async () => {
    const { embeddings } = await model()
      .embedding('test-embedding')
      .embed({ values: ['a', 'b'] });
    expect(embeddings.map((vector) => vector.length)).toEqual([384, 384]);
  });

  it('reports an unreachable endpoint as a NetworkError', async () => {
    const chat = openai({ baseURL: 'http://127.0.0.1:1/v1', model: 'm', maxRetries: 0 });
    expect(await failure(chat.generate(ask('x')))).toBeInstanceOf(NetworkError);
  });
});

describe('lumosai/test in a browser', () => {
  it('says clearly that the server itself needs Node', async () => {
    const { startOpenAITestServer } = await import('../../../src/test/index.js');
    await expect(startOpenAITestServer()).rejects.toThrow(/needs Node/);
  });
});

describe('proxy baseURL on the page origin', () => {
  it('resolves a same-origin path such as /api/llm/v1 against the page', async () => {
    const seen: string[] = [];
    const chat = openai({
      baseURL: '/api/llm/v1',
      model: 'm',
      fetch: async (input, init) => {
        seen.push(String(input));
        expect(new Headers(init?.headers).has('authorization')).toBe(false);
        return new Response(
          JSON.stringify({
            id: 'x',
            model: 'm',
            choices: [
              { index: 0, message: { role: 'assistant', content: 'proxied' }, finish_reason: 'stop' },
            ],
          }),
          { headers: { 'content-type': 'application/json' } },
        );
      },
    });
    expect((await chat.generate({ messages: [{ role: 'user', content: 'x' }] })).text).toBe('proxied');
    expect(seen).toEqual([`${location.origin}/api/llm/v1/chat/completions`]);
  });
});
