import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { NetworkError, ToolExecutionError } from '../errors/index.js';
import type { Tool } from './create-tool.js';
import { validateJsonSchema } from './json-schema-validator.js';
import { formatIssues } from './schema.js';

/** How to reach one MCP server. */
export interface MCPServerConfig {
  url: string | URL;
  /**
   * `auto` tries Streamable HTTP and falls back to the older HTTP+SSE transport.
   * @default 'auto'
   */
  transport?: 'auto' | 'streamable-http' | 'sse';
  /** Sent with every request (e.g. `Authorization`). */
  headers?: Record<string, string>;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Per tool call. @default 60_000 */
  timeoutMs?: number;
}

export interface MCPClientOptions {
  servers: Record<string, MCPServerConfig>;
  /** Reported to servers as the client name. @default 'lumosai' */
  name?: string;
}

interface Connection {
  client: Client;
  config: MCPServerConfig;
}

/**
 * Validates tool output schemas with Lumos' interpreting validator. The SDK's default (ajv)
 * compiles schemas with `new Function`, which Manifest V3 extension pages refuse.
 */
const cspSafeValidator: jsonSchemaValidator = {
  getValidator: (schema) => (input) => {
    const issues = validateJsonSchema(schema as Record<string, unknown>, input);
    return issues.length === 0
      ? { valid: true, data: input as never, errorMessage: undefined }
      : { valid: false, data: undefined, errorMessage: formatIssues(issues) };
  },
};

/** The tool name the model sees: `server_tool`, restricted to what OpenAI endpoints accept. */
function toolName(server: string, tool: string): string {
  return `${server}_${tool}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
}

/** What a tool call answers: structured content, else the joined text, else the content parts. */
function toolOutput(result: Record<string, unknown>): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const content = (result.content ?? []) as { type: string; text?: string }[];
  if (content.every((part) => part.type === 'text')) return content.map((part) => part.text ?? '').join('\n');
  return content;
}

/**
 * Connects to MCP servers (browser and Node) and turns their tools into agent tools.
 *
 * ```ts
 * const mcp = new MCPClient({ servers: { files: { url: 'https://example.com/mcp' } } });
 * const agent = new Agent({ name: 'a', instructions: '', model, tools: await mcp.listTools() });
 * ```
 */
export class MCPClient {
  private readonly options: MCPClientOptions;
  private readonly connections = new Map<string, Promise<Connection>>();

  constructor(options: MCPClientOptions) {
    this.options = options;
  }

  /** Every server's tools, named `server_tool`. Connects on first use. */
  async listTools(): Promise<Record<string, Tool>> {
    const toolsets = await this.listToolsets();
    const tools: Record<string, Tool> = {};
    for (const [server, toolset] of Object.entries(toolsets)) {
      for (const [name, tool] of Object.entries(toolset)) tools[toolName(server, name)] = tool;
    }
    return tools;
  }

  /** Tools grouped by server, with the servers' own tool names. */
  async listToolsets(): Promise<Record<string, Record<string, Tool>>> {
    const entries = await Promise.all(
      Object.keys(this.options.servers).map(
        async (server) => [server, await this.serverTools(server)] as const,
      ),
    );
    return Object.fromEntries(entries);
  }

  /** Closes every connection. The client reconnects if used again. */
  async disconnect(): Promise<void> {
    const connections = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(
      connections.map(async (pending) => {
        const connection = await pending.catch(() => undefined);
        await connection?.client.close();
      }),
    );
  }

  private async serverTools(server: string): Promise<Record<string, Tool>> {
    const { client, config } = await this.connection(server);
    const tools: Record<string, Tool> = {};
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor });
      for (const definition of page.tools) {
        tools[definition.name] = {
          id: toolName(server, definition.name),
          description: definition.description ?? definition.title ?? definition.name,
          inputSchema: definition.inputSchema as Record<string, unknown>,
          outputSchema: undefined,
          requireApproval: false,
          timeoutMs: undefined,
          execute: async (input, context) => {
            const result = await client.callTool(
              { name: definition.name, arguments: input as Record<string, unknown> },
              undefined,
              {
                signal: context.abortSignal,
                timeout: config.timeoutMs ?? 60_000,
              },
            );
            const output = toolOutput(result);
            if (result.isError) {
              throw new ToolExecutionError(
                `MCP tool "${definition.name}" on "${server}" reported an error: ${String(output)}`,
              );
            }
            return output;
          },
        };
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return tools;
  }

  private connection(server: string): Promise<Connection> {
    let pending = this.connections.get(server);
    if (pending === undefined) {
      pending = this.connect(server);
      pending.catch(() => this.connections.delete(server));
      this.connections.set(server, pending);
    }
    return pending;
  }

  private async connect(server: string): Promise<Connection> {
    const config = this.options.servers[server]!;
    const url = new URL(config.url);
    const transportOptions = {
      ...(config.headers ? { requestInit: { headers: config.headers } } : {}),
      ...(config.fetch ? { fetch: config.fetch } : {}),
    };
    const newClient = () =>
      new Client(
        { name: this.options.name ?? 'lumosai', version: '1' },
        { jsonSchemaValidator: cspSafeValidator },
      );
    const mode = config.transport ?? 'auto';
    let firstError: unknown;
    if (mode !== 'sse') {
      const client = newClient();
      try {
        await client.connect(new StreamableHTTPClientTransport(url, transportOptions));
        return { client, config };
      } catch (error) {
        firstError = error;
        await client.close().catch(() => {});
        if (mode === 'streamable-http') throw this.connectError(server, url, error);
      }
    }
    const client = newClient();
    try {
      await client.connect(new SSEClientTransport(url, transportOptions));
      return { client, config };
    } catch (error) {
      throw this.connectError(server, url, firstError ?? error);
    }
  }

  private connectError(server: string, url: URL, cause: unknown): NetworkError {
    return new NetworkError(`Cannot connect to MCP server "${server}" at ${url.href}: ${String(cause)}`, {
      hint: 'Check the URL and that the server allows this origin (CORS) when connecting from a browser.',
      cause,
    });
  }
}
