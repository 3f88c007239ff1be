import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { UnsupportedError } from '../errors/index.js';
import { type ChatBody, completionObject, planAnswer, streamChunks } from './completion.js';
import { hashEmbedding, toBase64 } from './embeddings.js';
import {
  isScriptedError,
  isScriptedFault,
  type RecordedRequest,
  type ScriptedAnswer,
  type ScriptedFault,
  type ScriptedResponse,
  type TestSession,
} from './protocol.js';

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

const corsHeaders = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  'access-control-expose-headers': '*',
  'access-control-max-age': '600',
  // Lets a cross-origin-isolated page (COEP require-corp) read responses from this origin.
  'cross-origin-resource-policy': 'cross-origin',
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...corsHeaders,
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function defaultErrorBody(status: number): unknown {
  const type =
    status === 429
      ? 'rate_limit_exceeded'
      : status === 401
        ? 'invalid_api_key'
        : status >= 500
          ? 'server_error'
          : 'invalid_request_error';
  return { error: { message: `Scripted error ${status}`, type, code: type, param: null } };
}

async function answerChat(
  body: ChatBody,
  scripted: ScriptedResponse,
  response: ServerResponse,
): Promise<void> {
  if (isScriptedError(scripted)) {
    const { status, headers, body: errorBody } = scripted.error;
    sendJson(response, status, errorBody ?? defaultErrorBody(status), headers);
    return;
  }
  if (isScriptedFault(scripted)) {
    await answerFault(body, scripted, response);
    return;
  }
  await answerNormally(body, scripted, response);
}

async function answerNormally(
  body: ChatBody,
  answer: ScriptedAnswer,
  response: ServerResponse,
): Promise<void> {
  const plan = planAnswer(body, answer);
  if (answer.delayMs) await sleep(answer.delayMs);
  if (!body.stream) {
    sendJson(response, 200, completionObject(plan));
    return;
  }
  const chunks = streamChunks(plan, body.stream_options?.include_usage === true, answer.chunkSize);
  startEventStream(response);
  for (const chunk of chunks) {
    if (response.destroyed) return;
    response.write(`data: ${JSON.stringify(chunk)}\n\n`);
    if (answer.chunkDelayMs) await sleep(answer.chunkDelayMs);
  }
  response.end('data: [DONE]\n\n');
}

function startEventStream(response: ServerResponse): void {
  response.writeHead(200, {
    ...corsHeaders,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  response.flushHeaders();
}

async function answerFault(body: ChatBody, scripted: ScriptedFault, response: ServerResponse): Promise<void> {
  switch (scripted.fault) {
    case 'hang':
      // Never answer; the client's abort or timeout (or server.close()) ends the request.
      await new Promise<void>((resolve) => response.once('close', resolve));
      return;
    case 'slow-first-byte':
      await answerNormally(body, { ...textOf(scripted), delayMs: scripted.delayMs ?? 1000 }, response);
      return;
    case 'malformed-json':
      await answerNormally(
        body,
        { toolCalls: [{ name: 'lookup', arguments: scripted.text ?? '{"query": "unterminated' }] },
        response,
      );
      return;
    case 'cut-stream': {
      const plan = planAnswer(body, {
        text: scripted.text ?? 'This answer is cut off in the middle of a sentence',
      });
      if (body.stream) {
        const chunks = streamChunks(plan, false);
        startEventStream(response);
        for (const chunk of chunks.slice(0, Math.max(2, Math.floor(chunks.length / 2)))) {
          response.write(`data: ${JSON.stringify(chunk)}\n\n`);
        }
        await sleep(scripted.delayMs ?? 20);
      } else {
        const text = JSON.stringify(completionObject(plan));
        response.writeHead(200, {
          ...corsHeaders,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        response.write(text.slice(0, text.length >> 1));
        await sleep(scripted.delayMs ?? 20);
      }
      response.destroy();
      return;
    }
    case 'invalid-sse': {
      const plan = planAnswer(body, textOf(scripted));
      if (!body.stream) {
        response.writeHead(200, { ...corsHeaders, 'content-type': 'application/json' });
        response.end('{"id": "chatcmpl-broken", "choices": [ this is not json');
        return;
      }
      const chunks = streamChunks(plan, false);
      startEventStream(response);
      response.write(`data: ${JSON.stringify(chunks[0])}\n\n`);
      response.write(`data: ${JSON.stringify(chunks[1] ?? chunks[0])}\n\n`);
      response.write('data: {"choices": [{"delta": {"content": "broken\n\n');
      for (const chunk of chunks.slice(2)) response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      response.end('data: [DONE]\n\n');
      return;
    }
  }
}

function textOf(scripted: ScriptedFault): ScriptedAnswer {
  return scripted.text === undefined ? {} : { text: scripted.text };
}

interface EmbeddingBody {
  model?: string;
  input?: string | string[];
  dimensions?: number;
  encoding_format?: 'float' | 'base64';
}

/** Default dimension of test embeddings (that of all-MiniLM-L6-v2). */
export const testEmbeddingDimension = 384;

function answerEmbeddings(body: EmbeddingBody, response: ServerResponse): void {
  const inputs = typeof body.input === 'string' ? [body.input] : body.input;
  if (!Array.isArray(inputs) || inputs.some((value) => typeof value !== 'string')) {
    sendJson(response, 400, {
      error: { message: '`input` must be a string or an array of strings', type: 'invalid_request_error' },
    });
    return;
  }
  const dimension = body.dimensions ?? testEmbeddingDimension;
  let tokens = 0;
  const data = inputs.map((text, index) => {
    tokens += Math.max(1, Math.ceil(text.length / 4));
    const vector = hashEmbedding(text, dimension);
    return {
      object: 'embedding',
      index,
      embedding: body.encoding_format === 'base64' ? toBase64(vector) : Array.from(vector),
    };
  });
  sendJson(response, 200, {
    object: 'list',
    data,
    model: body.model ?? 'test-embedding',
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}
