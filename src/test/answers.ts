// The test server's answers: scripted completions (JSON or SSE), errors, faults, embeddings.
import type { ServerResponse } from 'node:http';
import { type ChatBody, completionObject, planAnswer, streamChunks } from './completion.js';
import { hashEmbedding, toBase64 } from './embeddings.js';
import {
  isScriptedError,
  isScriptedFault,
  type ScriptedAnswer,
  type ScriptedFault,
  type ScriptedResponse,
} from './protocol.js';

export const corsHeaders = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  'access-control-expose-headers': '*',
  'access-control-max-age': '600',
  // Lets a cross-origin-isolated page (COEP require-corp) read responses from this origin.
  'cross-origin-resource-policy': 'cross-origin',
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function sendJson(
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

export async function answerChat(
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

export interface EmbeddingBody {
  model?: string;
  input?: string | string[];
  dimensions?: number;
  encoding_format?: 'float' | 'base64';
}

/** Default dimension of test embeddings (that of all-MiniLM-L6-v2). */
export const testEmbeddingDimension = 384;

export function answerEmbeddings(body: EmbeddingBody, response: ServerResponse): void {
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
