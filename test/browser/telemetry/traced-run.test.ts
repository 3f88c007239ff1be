import { describe, expect, inject, it, vi } from 'vitest';
import { openai } from '../../../src/llm/index.js';
import { IndexedDBStorage } from '../../../src/storage/index.js';
import {
  createMemoryExporter,
  createTracer,
  createTraceStoreExporter,
  receiveSpans,
  traceChatModel,
} from '../../../src/telemetry/index.js';
import { connectTestServer } from '../../../src/test/index.js';
import { Comlink, wrapCore } from '../../../src/worker/index.js';
import type { ToolHost } from './tool.worker.js';

describe('a traced agent run in Chromium', () => {
  it('nests model calls and a tool call executed in a real Worker under one agent span, and persists the trace', async () => {
    const session = await connectTestServer(inject('openaiServerUrl')).session();
    await session.enqueue(
      {
        toolCalls: [{ id: 'call_1', name: 'add', arguments: { a: 2, b: 3 } }],
        finishReason: 'tool_calls',
        usage: { prompt_tokens: 20, completion_tokens: 7 },
      },
      { text: 'The sum is 5.', usage: { prompt_tokens: 30, completion_tokens: 5 } },
    );
    const storage = await IndexedDBStorage.open({ name: `lumos-traces-${crypto.randomUUID()}` });
    const memory = createMemoryExporter();
    const tracer = createTracer({
      exporters: [memory, createTraceStoreExporter({ store: storage, keepTraces: 5 })],
    });

    const worker = new Worker(new URL('./tool.worker.ts', import.meta.url), { type: 'module' });
    const host = wrapCore<ToolHost>(worker);
    const channel = new MessageChannel();
    const stopReceiving = receiveSpans(tracer, channel.port1);
    await host.connectTelemetry(Comlink.transfer(channel.port2, [channel.port2]));

    const base = openai({
      apiKey: 'sk-test-secret-key-123456',
      baseURL: session.baseURL,
      model: 'agent-model',
      dangerouslyAllowBrowser: true,
    });
    const answer = await tracer.withSpan('agent calculator', { kind: 'agent' }, async (run) => {
      run.recordInput('What is 2 + 3?');
      const model = traceChatModel(base, tracer, { parent: run });
      const tools = [
        {
          name: 'add',
          parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
        },
      ];
      const messages: Parameters<typeof model.generate>[0]['messages'] = [
        { role: 'user', content: 'What is 2 + 3?' },
      ];
      const first = await model.generate({ messages, tools });
      const call = first.toolCalls[0]!;
      const result = await host.runTool(call.name, JSON.parse(call.arguments), run.context());
      messages.push(
        { role: 'assistant', content: '', toolCalls: first.toolCalls },
        { role: 'tool', toolCallId: call.id, content: String(result) },
      );
      const second = await model.generate({ messages, tools });
      run.recordOutput(second.text);
      return second.text;
    });
    expect(answer).toBe('The sum is 5.');

    await vi.waitUntil(() => memory.spans().length === 5, { timeout: 5000, interval: 10 });
    stopReceiving();
    worker.terminate();
    const spans = memory.spans();
    const root = spans.find((span) => span.kind === 'agent')!;
    const models = spans.filter((span) => span.kind === 'model');
    const tool = spans.find((span) => span.kind === 'tool')!;
    const step = spans.find((span) => span.name === 'add numbers')!;
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([root.traceId]));
    expect(root.parentSpanId).toBeUndefined();
    expect(models.map((span) => span.parentSpanId)).toEqual([root.spanId, root.spanId]);
    expect(models.map((span) => span.attributes['gen_ai.response.finish_reasons'])).toEqual([
      ['tool-calls'],
      ['stop'],
    ]);
    expect(models.map((span) => span.attributes['gen_ai.usage.input_tokens'])).toEqual([20, 30]);
    expect(tool).toMatchObject({
      name: 'tool add',
      parentSpanId: root.spanId,
      status: 'ok',
      attributes: { input: '{"a":2,"b":3}', output: '5' },
    });
    expect(step.parentSpanId).toBe(tool.spanId);
    // The tool span starts after the first model call ends and ends before the second starts.
    expect(tool.startTime).toBeGreaterThanOrEqual(models[0]!.endTime!);
    expect(tool.endTime!).toBeLessThanOrEqual(models[1]!.startTime);
    expect(JSON.stringify(spans)).not.toContain('sk-test-secret-key-123456');

    await tracer.flush();
    const stored = await storage.getTrace(root.traceId);
    expect(stored.map((span) => span.name).sort()).toEqual([
      'add numbers',
      'agent calculator',
      'chat agent-model',
      'chat agent-model',
      'tool add',
    ]);
    const requests = await session.requests();
    expect(requests[0]?.headers.authorization).toBe('Bearer sk-test-secret-key-123456');
    storage.close();
  });
});
