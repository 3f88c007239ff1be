import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { UnsupportedError } from '../errors/index.js';
import { answerChat, answerEmbeddings, corsHeaders, type EmbeddingBody, sendJson } from './answers.js';
import type { ChatBody } from './completion.js';
import type { RecordedRequest, ScriptedResponse, TestSession } from './protocol.js';

export interface OpenAITestServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** `0` picks a free port. @default 0 */
  port?: number;
}

export interface OpenAITestServer {
  /** `http://host:port`, no trailing slash. */
  url: string;
  /** A new isolated session (its own queue, handler and request log). */
  session(): Promise<TestSession>;
  close(): Promise<void>;
}

type Handler = (request: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>;

interface SessionState {
  queue: ScriptedResponse[];
  requests: RecordedRequest[];
  handler: Handler | undefined;
}

/** Models listed by `/v1/models`; any other model name is accepted too. */
export const testModels = ['test-model', 'test-embedding'];

/**
 * Starts a real HTTP server on 127.0.0.1 that speaks the OpenAI API (`/v1/chat/completions` as
 * JSON or SSE, `/v1/embeddings`, `/v1/models`) with scripted answers and fault injection.
 * Node only; `node:http` is imported lazily so this module still loads in a browser.
 *
 * Control API (used by {@link connectTestServer}): `POST /sessions` → `{ id }`,
 * `POST /s/:id/queue` with a JSON array of scripted responses, `GET /s/:id/requests`.
 * API routes live under `/s/:id/…` (any path ending in `/chat/completions`, `/embeddings`,
 * `/models`); plain `/v1/…` uses a shared `default` session.
 */
export async function startOpenAITestServer(
  options: OpenAITestServerOptions = {},
): Promise<OpenAITestServer> {
  const httpModule = 'node:http';
  let http: typeof import('node:http');
  try {
    http = (await import(/* @vite-ignore */ httpModule)) as typeof import('node:http');
  } catch (error) {
    throw new UnsupportedError('startOpenAITestServer() needs Node (it listens with node:http).', {
      cause: error,
      hint: 'Start it in a vitest globalSetup and use connectTestServer(url) from browser tests.',
    });
  }
  const sessions = new Map<string, SessionState>([['default', newState()]]);
  let counter = 0;

  const server: Server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        sendJson(response, 500, { error: { message: String(error), type: 'server_error' } });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://test');
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        ...corsHeaders,
        'access-control-allow-headers': request.headers['access-control-request-headers'] ?? '*',
      });
      response.end();
      return;
    }
    if (request.method === 'POST' && url.pathname === '/sessions') {
      sendJson(response, 200, { id: createSession() });
      return;
    }
    const match = /^\/s\/([^/]+)(\/.*)$/.exec(url.pathname);
    const sessionId = match ? match[1]! : 'default';
    const path = match ? match[2]! : url.pathname;
    const state = sessions.get(sessionId);
    if (!state) {
      sendJson(response, 404, { error: { message: `No test session "${sessionId}".`, type: 'not_found' } });
      return;
    }
    const rawBody = await readBody(request);
    if (path === '/queue' && request.method === 'POST') {
      const scripted = JSON.parse(rawBody) as ScriptedResponse[];
      if (!Array.isArray(scripted)) throw new Error('POST /queue expects a JSON array');
      state.queue.push(...scripted);
      sendJson(response, 200, { queued: state.queue.length });
      return;
    }
    if (path === '/requests' && request.method === 'GET') {
      sendJson(response, 200, state.requests);
      return;
    }
    if (path === '' && request.method === 'DELETE') {
      sessions.delete(sessionId);
      sendJson(response, 200, { deleted: sessionId });
      return;
    }
    const recorded = record(request, url, path, rawBody);
    state.requests.push(recorded);
    if (path.endsWith('/chat/completions') && request.method === 'POST') {
      const scripted = state.queue.shift() ?? (state.handler ? await state.handler(recorded) : {});
      await answerChat(recorded.body as ChatBody, scripted, response);
    } else if (path.endsWith('/embeddings') && request.method === 'POST') {
      answerEmbeddings(recorded.body as EmbeddingBody, response);
    } else if (path.endsWith('/models') && request.method === 'GET') {
      sendJson(response, 200, {
        object: 'list',
        data: testModels.map((id) => ({ id, object: 'model', created: 0, owned_by: 'lumos-test' })),
      });
    } else {
      sendJson(response, 404, {
        error: { message: `Unknown route ${request.method} ${path}`, type: 'not_found' },
      });
    }
  }

  function createSession(): string {
    const id = `t${++counter}${Math.random().toString(36).slice(2, 8)}`;
    sessions.set(id, newState());
    return id;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('test server has no TCP address');
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url,
    async session() {
      const id = createSession();
      const state = sessions.get(id)!;
      return {
        id,
        baseURL: `${url}/s/${id}/v1`,
        async enqueue(...responses) {
          state.queue.push(...structuredClone(responses));
        },
        async requests() {
          return structuredClone(state.requests);
        },
        setHandler(handler) {
          state.handler = handler;
        },
      };
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function newState(): SessionState {
  return { queue: [], requests: [], handler: undefined };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function record(request: IncomingMessage, url: URL, path: string, rawBody: string): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  let body: unknown = rawBody === '' ? undefined : rawBody;
  try {
    if (rawBody) body = JSON.parse(rawBody);
  } catch {
    // Not JSON: keep the text.
  }
  return {
    method: request.method ?? 'GET',
    path,
    query: Object.fromEntries(url.searchParams),
    headers,
    body,
    receivedAt: Date.now(),
  };
}

export { testEmbeddingDimension } from './answers.js';
