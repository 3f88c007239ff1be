import { afterAll, beforeAll } from 'vitest';
import { type McpTestServer, startMcpTestServer } from '../../test/support/mcp-server.js';
import { MapKeyValueStore } from './pending-runs.js';
import { defineAgentScenarios } from './testing/openai-scenarios.js';

let mcpServer: McpTestServer;
beforeAll(async () => {
  mcpServer = await startMcpTestServer();
});
afterAll(() => mcpServer.close());

// In Node a "reload" is a new Agent over the same store instance.
const storage = new MapKeyValueStore();

defineAgentScenarios({
  mcpServerUrl: () => mcpServer.url,
  openStorage: async () => storage,
});
