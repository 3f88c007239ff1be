/**
 * Agent scenarios that go through the real `openai` SDK (via `openai(...)`) against the local
 * OpenAI-compatible test server. Shared by the Node test and the Chromium test.
 */
import { describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { AbortedError } from '../../errors/index.js';
import { openai, openaiCompatible } from '../../llm/index.js';
import type { KeyValueStore } from '../../storage/types.js';
import { connectTestServer, type TestSession } from '../../test/index.js';
import { createTool, MCPClient } from '../../tools/index.js';
import { Agent } from '../agent.js';
import type { AgentStreamEvent } from '../types.js';

export interface ScenarioEnvironment {
  /** Base URL of the MCP test server (`/mcp` and `/sse` below it). */
  mcpServerUrl(): string;
  /** A store for pending runs; calling it again must open the same data (a "reload"). */
  openStorage(): Promise<KeyValueStore>;
}

interface ChatBody {
  messages: { role: string; content: string; tool_call_id?: string }[];
  response_format?: { type: string };
  tools?: { function: { name: string } }[];
}

async function chatBodies(session: TestSession): Promise<ChatBody[]> {
  const requests = await session.requests();
  return requests
    .filter((request) => request.path.endsWith('/chat/completions'))
    .map((request) => request.body as ChatBody);
}

const weather = createTool({
  id: 'weather',
  description: 'Current temperature of a city in °C',
  inputSchema: z.object({ city: z.string() }),
  outputSchema: z.object({ city: z.string(), celsius: z.number() }),
  execute: async ({ city }) => ({ city, celsius: city.length }),
});

export function defineAgentScenarios(environment: ScenarioEnvironment): void {
  const session = () => connectTestServer(inject('openaiServerUrl')).session();
  const model = (baseURL: string) => openai({ baseURL, model: 'test-model' });

  describe('agent through the openai SDK and the test server', () => {
    it('runs a multi-step tool loop', async () => {
      const server = await session();
      await server.enqueue(
        { toolCalls: [{ id: 'c1', name: 'weather', arguments: { city: 'Paris' } }] },
        { toolCalls: [{ id: 'c2', name: 'weather', arguments: { city: 'Rome' } }] },
        { text: 'Paris 5 °C, Rome 4 °C.' },
      );
      const agent = new Agent({
        name: 'loop',
        instructions: 'Use tools.',
        model: model(server.baseURL),
        tools: { weather },
      });
      const result = await agent.generate('Weather in Paris and Rome?');
      expect(result.text).toBe('Paris 5 °C, Rome 4 °C.');
      expect(result.steps).toHaveLength(3);
      expect(result.toolResults.map((entry) => entry.result)).toEqual([
        { city: 'Paris', celsius: 5 },
        { city: 'Rome', celsius: 4 },
      ]);
      const bodies = await chatBodies(server);
      expect(bodies).toHaveLength(3);
      expect(bodies[0]!.tools!.map((tool) => tool.function.name)).toEqual(['weather']);
      expect(bodies[2]!.messages.at(-1)).toMatchObject({
        role: 'tool',
        tool_call_id: 'c2',
        content: '{"city":"Rome","celsius":4}',
      });
    });

    it('executes parallel tool calls concurrently', async () => {
      const server = await session();
      await server.enqueue(
        {
          toolCalls: [
            { id: 'a', name: 'wait', arguments: { label: 'a' } },
            { id: 'b', name: 'wait', arguments: { label: 'b' } },
          ],
        },
        { text: 'both done' },
      );
      let running = 0;
      let maxRunning = 0;
      const wait = createTool({
        id: 'wait',
        description: 'Waits a bit',
        inputSchema: z.object({ label: z.string() }),
        execute: async ({ label }) => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          await new Promise((resolve) => setTimeout(resolve, 30));
          running--;
          return label;
        },
      });
      const agent = new Agent({
        name: 'parallel',
        instructions: '',
        model: model(server.baseURL),
        tools: { wait },
      });
      const result = await agent.generate('Run both');
      expect(maxRunning).toBe(2);
      expect(result.toolResults.map((entry) => entry.result)).toEqual(['a', 'b']);
      expect(
        (await chatBodies(server))[1]!.messages.filter((message) => message.role === 'tool'),
      ).toHaveLength(2);
    });

    it('lets the model fix invalid tool arguments sent twice', async () => {
      const server = await session();
      await server.enqueue(
        { toolCalls: [{ name: 'weather', arguments: { town: 'Paris' } }] },
        { toolCalls: [{ name: 'weather', arguments: '{"city": "Par' }] },
        { toolCalls: [{ name: 'weather', arguments: { city: 'Paris' } }] },
        { text: 'It is 5 °C in Paris.' },
      );
      const agent = new Agent({
        name: 'fix',
        instructions: '',
        model: model(server.baseURL),
        tools: { weather },
      });
      const result = await agent.generate('Weather in Paris?');
      expect(result.text).toBe('It is 5 °C in Paris.');
      expect(result.toolResults.map((entry) => entry.isError)).toEqual([true, true, false]);
      const bodies = await chatBodies(server);
      const firstFeedback = JSON.parse(bodies[1]!.messages.at(-1)!.content);
      expect(firstFeedback.error).toMatchObject({ code: 'validation', issues: [{ path: ['city'] }] });
      expect(JSON.parse(bodies[2]!.messages.at(-1)!.content).error.message).toContain('not valid JSON');
    });

    it('returns structured output with and without JSON-schema support', async () => {
      const schema = z.object({ city: z.string(), celsius: z.number() });
      const server = await session();
      await server.enqueue(
        { text: '{"city":"Paris","celsius":5}' },
        { text: 'Here you go:\n```json\n{"city": "Rome", "celsius": 4}\n```' },
      );
      const native = new Agent({ name: 'native', instructions: '', model: model(server.baseURL) });
      const fromSchemaMode = await native.generate('Paris?', { structuredOutput: { schema } });
      expect(fromSchemaMode.object).toEqual({ city: 'Paris', celsius: 5 });
      const plain = openaiCompatible({ name: 'plain', baseURL: server.baseURL, model: 'test-model' });
      expect(plain.capabilities.jsonSchema).toBe(false);
      const fallback = new Agent({ name: 'fallback', instructions: '', model: plain });
      const fromInstructions = await fallback.generate('Rome?', { structuredOutput: { schema } });
      expect(fromInstructions.object).toEqual({ city: 'Rome', celsius: 4 });
      const bodies = await chatBodies(server);
      expect(bodies[0]!.response_format?.type).toBe('json_schema');
      expect(bodies[1]!.response_format?.type).not.toBe('json_schema');
      expect(bodies[1]!.messages[0]!.content).toContain('JSON Schema');
    });

    it('suspends for approval and resumes after a reload', async () => {
      const server = await session();
      await server.enqueue(
        { toolCalls: [{ id: 'pay', name: 'transfer', arguments: { amount: 25 } }] },
        { text: 'Sent 25.' },
      );
      const transfer = createTool({
        id: 'transfer',
        description: 'Moves money',
        inputSchema: z.object({ amount: z.number() }),
        requireApproval: true,
        execute: async ({ amount }) => ({ moved: amount }),
      });
      const config = {
        id: `bank-${server.id}`,
        name: 'bank',
        instructions: '',
        model: model(server.baseURL),
        tools: { transfer },
      };
      const before = new Agent({ ...config, storage: await environment.openStorage() });
      const suspended = await before.generate('Send 25');
      expect(suspended.finishReason).toBe('suspended');
      expect(suspended.pendingToolCalls).toEqual([
        { toolCallId: 'pay', toolName: 'transfer', args: { amount: 25 } },
      ]);

      const after = new Agent({ ...config, storage: await environment.openStorage() });
      expect((await after.listPendingRuns()).map((run) => run.runId)).toEqual([suspended.runId]);
      const resumed = await after.approveToolCall({ runId: suspended.runId, toolCallId: 'pay' });
      expect(resumed.text).toBe('Sent 25.');
      expect(resumed.toolResults).toMatchObject([
        { toolCallId: 'pay', result: { moved: 25 }, isError: false },
      ]);
      expect(await after.listPendingRuns()).toEqual([]);
      expect((await chatBodies(server))[1]!.messages.at(-1)).toMatchObject({
        role: 'tool',
        content: '{"moved":25}',
      });
    });

    it('aborts mid-stream', async () => {
      const server = await session();
      const words = Array.from({ length: 40 }, (_, index) => `word${index}`).join(' ');
      await server.enqueue({ text: words, chunkDelayMs: 20 });
      const controller = new AbortController();
      const agent = new Agent({ name: 'abort', instructions: '', model: model(server.baseURL) });
      const stream = agent.stream('Talk', { abortSignal: controller.signal });
      const events: AgentStreamEvent[] = [];
      for await (const event of stream.fullStream) {
        events.push(event);
        if (event.type === 'text-delta' && events.filter((seen) => seen.type === 'text-delta').length === 3) {
          controller.abort();
        }
      }
      const deltas = events.filter((event) => event.type === 'text-delta');
      expect(deltas.length).toBeGreaterThanOrEqual(3);
      expect(deltas.length).toBeLessThan(10);
      const last = events.at(-1)!;
      expect(last.type === 'error' && AbortedError.isInstance(last.error)).toBe(true);
      await expect(stream.text).rejects.toSatisfy(AbortedError.isInstance);
    });

    it('survives a 429 in the middle of the loop (retried by the LLM layer)', async () => {
      const server = await session();
      await server.enqueue(
        { toolCalls: [{ id: 'w', name: 'weather', arguments: { city: 'Oslo' } }] },
        { error: { status: 429, headers: { 'retry-after': '0' } } },
        { text: 'Oslo is 4 °C.' },
      );
      const agent = new Agent({
        name: 'retry',
        instructions: '',
        model: model(server.baseURL),
        tools: { weather },
      });
      const result = await agent.generate('Oslo?');
      expect(result.text).toBe('Oslo is 4 °C.');
      expect(result.steps).toHaveLength(2);
      const bodies = await chatBodies(server);
      expect(bodies).toHaveLength(3);
      expect(bodies[2]).toEqual(bodies[1]);
    });

    it('calls an MCP tool end to end', async () => {
      const server = await session();
      await server.enqueue(
        { toolCalls: [{ id: 'm', name: 'calc_add', arguments: { a: 2, b: 40 } }] },
        { text: 'The answer is 42.' },
      );
      const mcp = new MCPClient({ servers: { calc: { url: `${environment.mcpServerUrl()}/mcp` } } });
      try {
        const agent = new Agent({
          name: 'mcp',
          instructions: '',
          model: model(server.baseURL),
          tools: await mcp.listTools(),
        });
        const stream = agent.stream('What is 2 + 40?');
        const results: unknown[] = [];
        for await (const event of stream.fullStream)
          if (event.type === 'tool-result') results.push(event.toolResult.result);
        expect(results).toEqual([{ sum: 42 }]);
        expect(await stream.text).toBe('The answer is 42.');
        const bodies = await chatBodies(server);
        expect(bodies[0]!.tools!.map((tool) => tool.function.name)).toEqual([
          'calc_add',
          'calc_echo',
          'calc_fail',
        ]);
        expect(bodies[1]!.messages.at(-1)).toMatchObject({ role: 'tool', content: '{"sum":42}' });
      } finally {
        await mcp.disconnect();
      }
    });

    it('lists and calls MCP tools over the HTTP+SSE transport', async () => {
      const mcp = new MCPClient({
        servers: { legacy: { url: `${environment.mcpServerUrl()}/sse`, transport: 'sse' } },
      });
      try {
        const tools = await mcp.listTools();
        expect(Object.keys(tools)).toEqual(['legacy_add', 'legacy_echo', 'legacy_fail']);
        const output = await tools.legacy_echo!.execute(
          { text: 'over sse' },
          {
            abortSignal: new AbortController().signal,
            runId: 'r',
            toolCallId: 'c',
            threadId: undefined,
            resourceId: undefined,
            writer: { write: () => {} },
          },
        );
        expect(output).toBe('over sse');
      } finally {
        await mcp.disconnect();
      }
    });
  });
}
