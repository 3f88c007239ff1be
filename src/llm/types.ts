/**
 * The small model interfaces the rest of Lumos depends on. Only `src/llm/` knows about the
 * `openai` SDK; agents, memory, RAG and evals see these types, so tests and users can pass any
 * implementation.
 */

export interface TextPart {
  type: 'text';
  text: string;
}

export interface ImagePart {
  type: 'image';
  /** An `https:` or `data:` URL. */
  url: string;
}

export type ContentPart = TextPart | ImagePart;

export interface ToolCall {
  id: string;
  name: string;
  /** The raw JSON text the model produced; it may be malformed, callers validate it. */
  arguments: string;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ContentPart[] }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string; name?: string };

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  strict?: boolean;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      name: string;
      schema: Record<string, unknown>;
      strict?: boolean;
      description?: string;
    };

export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  signal?: AbortSignal;
  /** Per-call timeout in milliseconds (covers retries). */
  timeoutMs?: number;
  /** Extra request headers (never recorded by telemetry). */
  headers?: Record<string, string>;
  /** Provider-specific body fields, passed through as is. */
  providerOptions?: Record<string, unknown>;
  /**
   * The span this call runs inside; the agent sets it to its step's span so that a model wrapped
   * with `traceChatModel` nests its span there without the user passing parents. A span or span
   * context of `lumosai/telemetry` (typed loosely: `llm/` does not depend on telemetry). Never
   * sent to the provider.
   */
  parentSpan?: unknown;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

export interface ChatResult {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage | undefined;
  modelId: string;
  responseId?: string;
}

export type ChatStreamEvent =
  | { type: 'text-delta'; delta: string }
  /** A fragment of a tool call as it streams; `index` identifies the call within the response. */
  | { type: 'tool-call-delta'; index: number; id?: string; name?: string; argumentsDelta: string }
  /** A tool call whose arguments are complete. */
  | { type: 'tool-call'; toolCall: ToolCall }
  | { type: 'finish'; result: ChatResult };

export interface ModelCapabilities {
  tools: boolean;
  /** Supports `response_format: { type: 'json_schema' }`. */
  jsonSchema: boolean;
  /** Reports usage on streamed responses (`stream_options.include_usage`). */
  streamUsage: boolean;
  parallelToolCalls: boolean;
  /**
   * Supports `response_format: { type: 'json_object' }`; used by the JSON-schema fallback.
   * @default true
   */
  jsonObject?: boolean;
}

export interface ChatModel {
  readonly provider: string;
  readonly modelId: string;
  readonly capabilities: ModelCapabilities;
  generate(request: ChatRequest): Promise<ChatResult>;
  /** Errors are thrown from the iteration. The last event is always `finish`. */
  stream(request: ChatRequest): AsyncIterable<ChatStreamEvent>;
}

export interface EmbedRequest {
  values: string[];
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface EmbedResult {
  embeddings: Float32Array[];
  usage?: { tokens: number };
}

export interface EmbeddingModel {
  readonly provider: string;
  readonly modelId: string;
  /** Known output dimension, when the provider states it. */
  readonly dimension: number | undefined;
  readonly maxBatchSize: number;
  embed(request: EmbedRequest): Promise<EmbedResult>;
}
