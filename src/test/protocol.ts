/**
 * The wire contract of the OpenAI-compatible test server: what a test scripts, and what the
 * server records. Plain data only, so it crosses the HTTP control API unchanged.
 */

/** One tool call a scripted answer makes. `arguments` may be an object (serialised) or raw text. */
export interface ScriptedToolCall {
  id?: string;
  name: string;
  arguments: string | Record<string, unknown>;
}

/** A normal answer: text and/or tool calls, streamed or not depending on the request. */
export interface ScriptedAnswer {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Wait this long before sending the response headers. @default 0 */
  delayMs?: number;
  /** Wait this long between streamed chunks. @default 0 */
  chunkDelayMs?: number;
  /** Characters per streamed text chunk; by default the text streams word by word. */
  chunkSize?: number;
}

/** An HTTP error answer. `body` defaults to an OpenAI-shaped `{ error: { message, type, code } }`. */
export interface ScriptedError {
  error: { status: number; headers?: Record<string, string>; body?: unknown };
}

/**
 * A broken answer:
 * - `cut-stream`: some of the answer, then the connection is destroyed (no `[DONE]`);
 * - `invalid-sse`: a `data:` line that is not JSON (a non-JSON body when not streaming);
 * - `malformed-json`: a tool call whose `arguments` are not valid JSON (`text` overrides them);
 * - `slow-first-byte`: the normal answer after `delayMs` (default 1,000 ms);
 * - `hang`: headers never arrive; the request stays open until the client gives up.
 */
export interface ScriptedFault {
  fault: 'cut-stream' | 'invalid-sse' | 'malformed-json' | 'slow-first-byte' | 'hang';
  text?: string;
  delayMs?: number;
}

export type ScriptedResponse = ScriptedAnswer | ScriptedError | ScriptedFault;

/** A request as the server received it (bodies parsed as JSON when they are JSON). */
export interface RecordedRequest {
  method: string;
  /** Path below the session prefix, e.g. `/v1/chat/completions`. */
  path: string;
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: unknown;
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
}

export type ScriptHandler = (request: RecordedRequest) => Promise<ScriptedResponse>;

/** One isolated script and request log; test files running in parallel each take their own. */
export interface TestSession {
  id: string;
  /** `${url}/s/${id}/v1`: pass it as `baseURL` (with any `apiKey`, e.g. `'test'`). */
  baseURL: string;
  /** Queue answers; each chat completion request consumes one, in order. */
  enqueue(...responses: ScriptedResponse[]): Promise<void>;
  /** Every API request this session received so far (CORS preflights excluded). */
  requests(): Promise<RecordedRequest[]>;
  /**
   * Node only: answer every chat request that finds the queue empty with this handler
   * (the default answer is an echo of the last user message).
   */
  setHandler?(
    handler: ((request: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>) | undefined,
  ): void;
}

/** The scripted response is an HTTP error. */
export function isScriptedError(response: ScriptedResponse): response is ScriptedError {
  return 'error' in response;
}

/** The scripted response is a fault (cut stream, invalid SSE, …). */
export function isScriptedFault(response: ScriptedResponse): response is ScriptedFault {
  return 'fault' in response;
}
