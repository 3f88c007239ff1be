import { describe, expect, it } from 'vitest';
import type { Embedder } from '../../embed/types.js';
import { RateLimitError } from '../../errors/index.js';
import type { ChatMessage, ChatModel, ChatResult, ChatStreamEvent } from '../../llm/types.js';
import type { VectorStore } from '../../vector/types.js';
import { createMemoryExporter } from '../exporters/memory.js';
import { createTracer } from '../tracer.js';
import { traceChatModel } from './chat-model.js';
import { traceEmbedder } from './embedder.js';
import { traceVectorStore } from './vector-store.js';

const result: ChatResult = {
  text: 'Paris',
  toolCalls: [],
  finishReason: 'stop',
  usage: { promptTokens: 11, completionTokens: 2, totalTokens: 13 },
  modelId: 'gpt-test-0613',
  responseId: 'chatcmpl-1',
};

function fakeModel(behaviour: { fail?: Error } = {}): ChatModel {
  return {
    provider: 'openai',
    modelId: 'gpt-test',
    capabilities: { tools: true, jsonSchema: true, streamUsage: true, parallelToolCalls: true },
    async generate() {
      if (behaviour.fail) throw behaviour.fail;
      return result;
    },
    async *stream(): AsyncGenerator<ChatStreamEvent> {
      yield { type: 'text-delta', delta: 'Par' };
      yield { type: 'text-delta', delta: 'is' };
      yield { type: 'finish', result };
    },
  };
}

describe('traceChatModel', () => {
  it('records usage, finish reason, latency and messages for generate, never the headers', async () => {
    const memory = createMemoryExporter();
    const tracer = createTracer({ exporters: [memory] });
    const parent = tracer.startSpan('agent run', { kind: 'agent' });
    const model = traceChatModel(fakeModel(), tracer, { parent });
    const messages: ChatMessage[] = [{ role: 'user', content: 'Capital of France?' }];
    const answer = await model.generate({
      messages,
      headers: { Authorization: 'Bearer very-secret-token' },
      temperature: 0.2,
    });
    // The recorded input is a snapshot: the agent appending to its message list later changes nothing.
    messages.push({ role: 'assistant', content: answer.text });
    parent.end();
    expect(answer.text).toBe('Paris');
    const span = memory.spans().find((recorded) => recorded.kind === 'model')!;
    expect(span).toMatchObject({ name: 'chat gpt-test', parentSpanId: parent.spanId, status: 'ok' });
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.model': 'gpt-test-0613',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 2,
      input: '[{"role":"user","content":"Capital of France?"}]',
      output: 'Paris',
    });
    expect(span.attributes['lumos.latency_ms']).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(span)).not.toContain('very-secret-token');
  });

  it('records time to first token on streams and marks streams the consumer abandons', async () => {
    const memory = createMemoryExporter();
    const tracer = createTracer({ exporters: [memory] });
    const model = traceChatModel(fakeModel(), tracer);
    const deltas: string[] = [];
    for await (const event of model.stream({ messages: [{ role: 'user', content: 'hi' }] })) {
      if (event.type === 'text-delta') deltas.push(event.delta);
    }
    expect(deltas.join('')).toBe('Paris');
    for await (const _event of model.stream({ messages: [{ role: 'user', content: 'hi' }] })) break;
    const [complete, abandoned] = memory.spans();
    expect(complete?.attributes).toMatchObject({ 'lumos.stream': true, 'gen_ai.usage.output_tokens': 2 });
    expect(complete?.attributes['lumos.time_to_first_token_ms']).toBeGreaterThanOrEqual(0);
    expect(complete?.status).toBe('ok');
    expect(abandoned?.attributes['lumos.stream.cancelled']).toBe(true);
  });

  it('nests under the request parentSpan (set by the agent) before its own parent; ignores foreign spans', async () => {
    const memory = createMemoryExporter();
    const tracer = createTracer({ exporters: [memory] });
    const fixed = tracer.startSpan('fixed');
    const step = tracer.startSpan('agent.step', { parent: fixed });
    const model = traceChatModel(fakeModel(), tracer, { parent: fixed });
    const messages: ChatMessage[] = [{ role: 'user', content: 'Capital of France?' }];
    await model.generate({ messages, parentSpan: step });
    await model.generate({ messages, parentSpan: step.context() });
    for await (const _event of model.stream({ messages, parentSpan: step })) {
      // drain
    }
    // A span of another tracing library: not understood, so the wrapper's parent applies.
    await model.generate({ messages, parentSpan: { spanContext: () => ({}) } });
    const parents = memory.spans().map((span) => span.parentSpanId);
    expect(parents).toEqual([step.spanId, step.spanId, step.spanId, fixed.spanId]);
    expect(new Set(memory.spans().map((span) => span.traceId))).toEqual(new Set([fixed.traceId]));
  });

  it('marks failed calls as errors with the error code and rethrows', async () => {
    const memory = createMemoryExporter();
    const tracer = createTracer({ exporters: [memory] });
    const model = traceChatModel(fakeModel({ fail: new RateLimitError('slow down') }), tracer);
    await expect(model.generate({ messages: [] })).rejects.toBeInstanceOf(RateLimitError);
    expect(memory.spans()[0]).toMatchObject({
      status: 'error',
      attributes: { 'error.type': 'RateLimitError' },
    });
  });
});

describe('traceEmbedder and traceVectorStore', () => {
  it('records batch size and dimension of embedding calls and hits of vector queries', async () => {
    const memory = createMemoryExporter();
    const tracer = createTracer({ exporters: [memory] });
    const embedder: Embedder = {
      modelId: 'mini',
      dimension: 3,
      embed: async () => new Float32Array([1, 0, 0]),
      embedMany: async (texts) => texts.map(() => new Float32Array([1, 0, 0])),
    };
    const store = {
      query: async () => [
        { id: 'a', score: 0.9, metadata: {} },
        { id: 'b', score: 0.5, metadata: {} },
      ],
      listIndexes: async () => ['docs'],
    } as unknown as VectorStore;
    const traced = traceEmbedder(embedder, tracer);
    const vectors = traceVectorStore(store, tracer);
    const [vector] = await traced.embedMany(['one', 'two']);
    const hits = await vectors.query({
      indexName: 'docs',
      queryVector: vector!,
      topK: 2,
      filter: { lang: 'en' },
    });
    expect(hits).toHaveLength(2);
    expect(await vectors.listIndexes()).toEqual(['docs']);
    const [embedSpan, querySpan, listSpan] = memory.spans();
    expect(embedSpan).toMatchObject({
      kind: 'embedding',
      attributes: { 'lumos.embedding.count': 2, 'lumos.embedding.dimension': 3, input: '["one","two"]' },
    });
    expect(querySpan).toMatchObject({
      name: 'vector query docs',
      kind: 'vector-query',
      attributes: {
        'lumos.vector.hits': 2,
        'lumos.vector.best_score': 0.9,
        'lumos.vector.filter': { lang: 'en' },
      },
    });
    expect(JSON.stringify(querySpan)).not.toContain('queryVector');
    expect(listSpan).toMatchObject({ name: 'vector list_indexes', kind: 'internal' });
  });
});
