import type { TestProject } from 'vitest/node';
import { startMcpTestServer } from './mcp-server.js';

/**
 * Starts one MCP test server per test run and hands its base URL to every test (Node and
 * browser) as `inject('mcpServerUrl')` (`/mcp` Streamable HTTP, `/sse` HTTP+SSE below it).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startMcpTestServer();
  project.provide('mcpServerUrl', server.url);
  return () => server.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    mcpServerUrl: string;
  }
}
