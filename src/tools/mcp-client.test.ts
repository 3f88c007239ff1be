import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpTestServer, startMcpTestServer } from '../../test/support/mcp-server.js';
import { Agent } from '../agent/agent.js';
import { ScriptedModel } from '../agent/testing/scripted-model.js';
import { NetworkError } from '../errors/index.js';
import { MCPClient } from './mcp-client.js';
import { toJsonSchema } from './schema.js';

let server: McpTestServer;
beforeAll(async () => {
  server = await startMcpTestServer();
});
afterAll(() => server.close());

const context = {
  abortSignal: new AbortController().signal,
  runId: 'r',
  toolCallId: 'c',
  threadId: undefined,
  resourceId: undefined,
  writer: { write: () => {} },
};

describe('MCPClient', () => {
  for (const transport of ['streamable-http', 'sse'] as const) {
    it(`lists and calls tools over ${transport}`, async () => {
      const url = transport === 'sse' ? server.sseUrl : server.streamableHttpUrl;
      const mcp = new MCPClient({ servers: { calc: { url, transport } } });
      try {
        const tools = await mcp.listTools();
        expect(Object.keys(tools)).toEqual(['calc_add', 'calc_echo', 'calc_fail']);
        expect(toJsonSchema(tools.calc_add!.inputSchema)).toMatchObject({ required: ['a', 'b'] });
        expect(await tools.calc_add!.execute({ a: 2, b: 3 }, context)).toEqual({ sum: 5 });
        expect(await tools.calc_echo!.execute({ text: 'hi' }, context)).toBe('hi');
        await expect(tools.calc_fail!.execute({}, context)).rejects.toThrow(/The fail tool always fails/);
      } finally {
        await mcp.disconnect();
      }
    });
  }

  it('falls back from Streamable HTTP to SSE in auto mode', async () => {
    const mcp = new MCPClient({ servers: { old: { url: server.sseUrl } } });
    expect(Object.keys(await mcp.listTools())).toContain('old_echo');
    await mcp.disconnect();
  });

  it('fails with a NetworkError when no server answers', async () => {
    const mcp = new MCPClient({
      servers: { gone: { url: 'http://127.0.0.1:9/mcp', transport: 'streamable-http' } },
    });
    await expect(mcp.listTools()).rejects.toSatisfy(NetworkError.isInstance);
  });

  it('runs an MCP tool inside the agent loop, validating arguments first', async () => {
    const mcp = new MCPClient({ servers: { calc: { url: server.streamableHttpUrl } } });
    const model = new ScriptedModel([
      { toolCalls: [{ name: 'calc_add', arguments: { a: 'two', b: 3 } }] },
      { toolCalls: [{ name: 'calc_add', arguments: { a: 2, b: 3 } }] },
      { text: 'The sum is 5.' },
    ]);
    const agent = new Agent({ name: 'calc', instructions: '', model, tools: await mcp.listTools() });
    const result = await agent.generate('2 + 3?');
    expect(result.toolResults.map((entry) => entry.result)).toEqual([
      { error: expect.objectContaining({ code: 'validation' }) },
      { sum: 5 },
    ]);
    expect(result.text).toBe('The sum is 5.');
    await mcp.disconnect();
  });
});
