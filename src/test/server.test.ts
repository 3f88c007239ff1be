import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestServer, type OpenAITestServer, startOpenAITestServer } from './index.js';

let server: OpenAITestServer;
beforeAll(async () => {
  server = await startOpenAITestServer();
});
afterAll(() => server.close());

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('OpenAI test server', () => {
  it('answers CORS preflights for any requested header, without recording them', async () => {
    const session = await server.session();
    const response = await fetch(`${session.baseURL}/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-headers': 'authorization,x-stainless-os',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization,x-stainless-os');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(await session.requests()).toEqual([]);
  });

  it('keeps sessions apart and echoes the last user message when the queue is empty', async () => {
    const first = await server.session();
    const second = await connectTestServer(server.url).session();
    await second.enqueue({ text: 'scripted' });
    const echo = await post(`${first.baseURL}/chat/completions`, {
      model: 'm',
      messages: [
        { role: 'user', content: 'old' },
        { role: 'assistant', content: 'x' },
        { role: 'user', content: [{ type: 'text', text: 'echo me' }] },
      ],
    });
    const echoed = (await echo.json()) as { choices: { message: { content: string } }[] };
    expect(echoed.choices[0]!.message.content).toBe('echo me');
    const scripted = await post(`${second.baseURL}/chat/completions`, { model: 'm', messages: [] });
    expect(((await scripted.json()) as typeof echoed).choices[0]!.message.content).toBe('scripted');
    expect((await first.requests()).map((request) => request.path)).toEqual(['/v1/chat/completions']);
    expect((await second.requests()).length).toBe(1);
  });

  it('answers a json_schema request with an instance of the schema when nothing is scripted', async () => {
    const session = await server.session();
    const response = await post(`${session.baseURL}/chat/completions`, {
      messages: [{ role: 'user', content: 'q' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'r',
          schema: {
            type: 'object',
            properties: { name: { type: 'string' }, tags: { type: 'array', items: { enum: ['a', 'b'] } } },
          },
        },
      },
    });
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(JSON.parse(body.choices[0]!.message.content)).toEqual({ name: 'example', tags: ['a'] });
  });

  it('uses a handler when the queue is empty', async () => {
    const session = await server.session();
    session.setHandler?.((request) => ({ text: `saw ${(request.body as { model: string }).model}` }));
    const response = await post(`${session.baseURL}/chat/completions`, { model: 'abc', messages: [] });
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]!.message.content).toBe('saw abc');
  });

  it('returns deterministic, normalised embeddings that reflect shared words', async () => {
    const session = await server.session();
    const embed = async (input: string[]) =>
      (
        (await (
          await post(`${session.baseURL}/embeddings`, { model: 'e', input, dimensions: 64 })
        ).json()) as {
          data: { embedding: number[] }[];
        }
      ).data.map((entry) => entry.embedding);
    const [cat, cat2, car] = await embed(['the cat sat', 'the cat sat', 'quantum flux capacitor']);
    expect(cat).toEqual(cat2);
    expect(cat!.length).toBe(64);
    const dot = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
    expect(dot(cat!, cat!)).toBeCloseTo(1, 5);
    const [similar] = await embed(['the cat sat down']);
    expect(dot(cat!, similar!)).toBeGreaterThan(dot(cat!, car!));
  });

  it('lists models and rejects unknown sessions', async () => {
    const models = (await (await fetch(`${server.url}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toContain('test-model');
    expect((await fetch(`${server.url}/s/nope/v1/models`)).status).toBe(404);
  });

  it('sends scripted errors with their headers', async () => {
    const session = await server.session();
    await session.enqueue({ error: { status: 429, headers: { 'retry-after': '1' } } });
    const response = await post(`${session.baseURL}/chat/completions`, { messages: [] });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('rate_limit_exceeded');
  });
});
