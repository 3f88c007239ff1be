import { describe, expect, inject, it, vi } from 'vitest';
import { z } from 'zod';
import { Agent } from '../../../src/agent/index.js';
import { openai } from '../../../src/llm/index.js';
import type { SpanRecord } from '../../../src/storage/types.js';
import {
  createMemoryExporter,
  createTracer,
  receiveSpans,
  traceChatModel,
} from '../../../src/telemetry/index.js';
import { connectTestServer } from '../../../src/test/index.js';
import { createTool } from '../../../src/tools/index.js';
import { Comlink, wrapCore } from '../../../src/worker/index.js';
import type { ToolHost } from './tool.worker.js';

/** `name (kind)` of each span, indented under its parent, children in start order. */
function tree(spans: SpanRecord[]): string[] {
  const lines: string[] = [];
  const visit = (parentId: string | undefined, depth: number) => {
    const children = spans
      .filter((span) => span.parentSpanId === parentId)
      .sort((left, right) => left.startTime - right.startTime);
    for (const child of children) {
      lines.push(`${'  '.repeat(depth)}${child.name} (${child.kind})`);
      visit(child.spanId, depth + 1);
    }
  };
  visit(undefined, 0);
  return lines;
}

describe('a traced Agent in Chromium nests spans without parents passed by hand', () => {
  for (const mode of ['generate', 'stream'] as const) {
    it(`${mode}: agent -> step -> model and tool, the tool's worker spans under the tool call`, async () => {
      const session = await connectTestServer(inject('openaiServerUrl')).session();
      await session.enqueue(
        {
          toolCalls: [{ id: 'call_1', name: 'add', arguments: { a: 2, b: 3 } }],
          finishReason: 'tool_calls',
          usage: { prompt_tokens: 20, completion_tokens: 7 },
        },
        { text: 'The sum is 5.', usage: { prompt_tokens: 30, completion_tokens: 5 } },
      );
      const memory = createMemoryExporter();
      const tracer = createTracer({ exporters: [memory] });
      const worker = new Worker(new URL('./tool.worker.ts', import.meta.url), { type: 'module' });
      const host = wrapCore<ToolHost>(worker);
      const channel = new MessageChannel();
      const stopReceiving = receiveSpans(tracer, channel.port1);
      await host.connectTelemetry(Comlink.transfer(channel.port2, [channel.port2]));

      const add = createTool({
        id: 'add',
        description: 'Adds two numbers',
        inputSchema: z.object({ a: z.number(), b: z.number() }),
        // The tool runs in a worker; the call's trace context travels with the arguments.
        execute: async (input, context) => host.runTool('add', input, context.traceContext!),
      });
      const agent = new Agent({
        name: 'calculator',
        instructions: 'You add numbers with the add tool.',
        // Wrapped once, with no parent: each call nests under the step that makes it.
        model: traceChatModel(
          openai({
            apiKey: 'sk-test-secret-key-123456',
            baseURL: session.baseURL,
            model: 'agent-model',
            dangerouslyAllowBrowser: true,
          }),
          tracer,
        ),
        tools: { add },
        maxSteps: 4,
      });
      const text =
        mode === 'generate'
          ? (await agent.generate('What is 2 + 3?', { tracer })).text
          : await agent.stream('What is 2 + 3?', { tracer }).text;
      expect(text).toBe('The sum is 5.');

      await vi.waitUntil(() => memory.spans().length === 8, { timeout: 5000, interval: 10 });
      stopReceiving();
      worker.terminate();
      const spans = memory.spans();
      expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);
      expect(tree(spans)).toEqual([
        'agent.run (agent)',
        '  agent.step (internal)',
        '    chat agent-model (model)',
        '    tool.call (tool)',
        '      tool add (tool)',
        '        add numbers (internal)',
        '  agent.step (internal)',
        '    chat agent-model (model)',
      ]);
      const models = spans.filter((span) => span.kind === 'model');
      expect(models.map((span) => span.attributes['lumos.stream'])).toEqual([
        mode === 'stream',
        mode === 'stream',
      ]);
      expect(models.map((span) => span.attributes['gen_ai.usage.input_tokens'])).toEqual([20, 30]);
      expect(spans.every((span) => span.status === 'ok')).toBe(true);
      expect(JSON.stringify(spans)).not.toContain('sk-test-secret-key-123456');
    });
  }
});
