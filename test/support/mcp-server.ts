import type { IncomingMessage, ServerResponse } from 'node:http';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

/** A running MCP test server: Streamable HTTP at `${url}/mcp`, SSE at `${url}/sse`. */
export interface McpTestServer {
  url: string;
  streamableHttpUrl: string;
  sseUrl: string;
  close(): Promise<void>;
}

const tools = [
  {
    name: 'add',
    description: 'Adds two numbers.',
    inputSchema: {
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
      additionalProperties: false,
    },
    outputSchema: { type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] },
  },
  {
    name: 'echo',
    description: 'Returns the text it gets.',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  },
  {
    name: 'fail',
    description: 'Always reports an error.',
    inputSchema: { type: 'object', properties: {} },
  },
];

/** A real MCP server (the SDK's low-level `Server`) with three tools: add, echo, fail. */
function createMcpServer(): Server {
  const server = new Server({ name: 'lumos-test-mcp', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    switch (request.params.name) {
      case 'add': {
        const sum = Number(args.a) + Number(args.b);
        return { content: [{ type: 'text', text: String(sum) }], structuredContent: { sum } };
      }
      case 'echo':
        return { content: [{ type: 'text', text: String(args.text) }] };
      case 'fail':
        return { content: [{ type: 'text', text: 'The fail tool always fails.' }], isError: true };
      default:
        return { content: [{ type: 'text', text: `Unknown tool ${request.params.name}` }], isError: true };
    }
  });
  return server;
}

function allowCors(response: ServerResponse): void {
  response.setHeader('Access-Control-Allow-Origin', '*');
  response.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
  response.setHeader('Access-Control-Allow-Headers', '*');
  response.setHeader('Access-Control-Expose-Headers', 'mcp-session-id, mcp-protocol-version');
  // Browser tests run cross-origin isolated (COEP require-corp).
  response.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
}

/**
 * Starts an MCP server on 127.0.0.1 with CORS open, serving stateless Streamable HTTP on
 * `/mcp` and the older HTTP+SSE transport on `/sse` + `/messages`. Node only.
 */
export async function startMcpTestServer(
  options: { host?: string; port?: number } = {},
): Promise<McpTestServer> {
  const { createServer } = await import('node:http');
  const sseSessions = new Map<string, SSEServerTransport>();
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    allowCors(response);
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method === 'OPTIONS') {
      response.writeHead(204).end();
    } else if (path === '/mcp' && request.method === 'POST') {
      const transport = new StreamableHTTPServerTransport({});
      const server = createMcpServer();
      response.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(request, response);
    } else if (path === '/mcp') {
      response.writeHead(405, { Allow: 'POST' }).end();
    } else if (path === '/sse' && request.method === 'GET') {
      const transport = new SSEServerTransport('/messages', response);
      sseSessions.set(transport.sessionId, transport);
      response.on('close', () => sseSessions.delete(transport.sessionId));
      await createMcpServer().connect(transport);
    } else if (path === '/messages' && request.method === 'POST') {
      const sessionId = new URL(request.url ?? '/', 'http://localhost').searchParams.get('sessionId') ?? '';
      const transport = sseSessions.get(sessionId);
      if (transport === undefined) response.writeHead(404).end('Unknown session');
      else await transport.handlePostMessage(request, response);
    } else {
      response.writeHead(404).end();
    }
  };
  const httpServer = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => httpServer.listen(options.port ?? 0, host, resolve));
  const address = httpServer.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const url = `http://${host}:${port}`;
  return {
    url,
    streamableHttpUrl: `${url}/mcp`,
    sseUrl: `${url}/sse`,
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}
