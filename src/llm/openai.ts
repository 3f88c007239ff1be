import { InvalidArgumentError } from '../errors/index.js';
import { OpenAIChatModel } from './chat-model.js';
import { type ConnectionOptions, createClient } from './client.js';
import { type EmbeddingModelOptions, OpenAIEmbeddingModel } from './embedding-model.js';
import type { ModelRetryOptions } from './retry.js';
import type { ModelCapabilities } from './types.js';

/** Options shared by every chat model factory. */
export interface ChatModelOptions extends Omit<ConnectionOptions, 'baseURL'> {
  /** The model id sent in every request. */
  model: string;
  /** Override what the endpoint supports (tools, JSON schema output, streamed usage, parallel tool calls). */
  capabilities?: Partial<ModelCapabilities>;
  /** Retries after a failed attempt (429, 408, 409, 5xx, network). @default 2 */
  maxRetries?: number;
  /** Backoff tuning; `maxRetries` above wins over `retry.maxRetries`. */
  retry?: ModelRetryOptions;
  /** Per-call timeout in milliseconds, covering retries; a request's `timeoutMs` overrides it. @default 120000 */
  timeoutMs?: number;
}

export interface OpenAIOptions extends ChatModelOptions {
  /** @default 'https://api.openai.com/v1' */
  baseURL?: string;
}

export interface OpenAICompatibleOptions extends ChatModelOptions {
  /** Provider name used in errors and telemetry, e.g. `'my-vllm'`. */
  name: string;
  baseURL: string;
}

/** What an unknown compatible endpoint is assumed to support until told otherwise. */
export const conservativeCapabilities: ModelCapabilities = {
  tools: true,
  jsonSchema: false,
  streamUsage: false,
  parallelToolCalls: false,
  jsonObject: true,
};

/** What OpenAI's own API supports. */
export const openaiCapabilities: ModelCapabilities = {
  tools: true,
  jsonSchema: true,
  streamUsage: true,
  parallelToolCalls: true,
  jsonObject: true,
};

/** Internal: a chat model for a named provider with resolved defaults. */
export function buildChatModel(
  provider: string,
  options: ChatModelOptions & { baseURL: string },
  defaults: ModelCapabilities,
  maxTokensField: 'max_tokens' | 'max_completion_tokens' = 'max_tokens',
): OpenAIChatModel {
  if (!options.model) {
    throw new InvalidArgumentError(`No model id given for ${provider}.`, {
      hint: 'Pass `model`, e.g. the name the server lists at GET /v1/models.',
    });
  }
  if (!/^https?:\/\//.test(options.baseURL) && !options.baseURL.startsWith('/')) {
    throw new InvalidArgumentError(`"${options.baseURL}" is not a usable baseURL for ${provider}.`, {
      hint: 'Use an absolute http(s) URL, usually ending in /v1.',
    });
  }
  const retry: ModelRetryOptions = { ...options.retry };
  if (options.maxRetries !== undefined) retry.maxRetries = options.maxRetries;
  return new OpenAIChatModel({
    provider,
    modelId: options.model,
    capabilities: { ...defaults, ...options.capabilities },
    client: createClient(absoluteBaseURL(options)),
    retry,
    timeoutMs: options.timeoutMs ?? 120_000,
    maxTokensField,
  });
}

/** A same-origin path like `/api/llm/v1` (a proxy on the app's own backend) resolved against the page. */
function absoluteBaseURL<T extends { baseURL: string }>(options: T): T {
  if (!options.baseURL.startsWith('/')) return options;
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
  if (!origin) {
    throw new InvalidArgumentError(
      `A relative baseURL ("${options.baseURL}") needs a page to resolve against.`,
      {
        hint: 'Outside a browser, pass an absolute URL.',
      },
    );
  }
  return { ...options, baseURL: new URL(options.baseURL, origin).href.replace(/\/$/, '') };
}

/**
 * A chat model on OpenAI's API (or any endpoint that is OpenAI itself behind a proxy).
 *
 * In a browser, pass no `apiKey` and point `baseURL` at your own backend that adds the key, or
 * opt in with `dangerouslyAllowBrowser: true` (the key is then visible to anyone using the page).
 */
export function openai(options: OpenAIOptions): OpenAIChatModel {
  return buildChatModel(
    'openai',
    { ...options, baseURL: options.baseURL ?? 'https://api.openai.com/v1' },
    openaiCapabilities,
    'max_completion_tokens',
  );
}

/**
 * A chat model on any OpenAI-compatible endpoint. Capabilities default to the conservative set
 * (tools yes; JSON schema output, streamed usage and parallel tool calls no) until you say more.
 */
export function openaiCompatible(options: OpenAICompatibleOptions): OpenAIChatModel {
  return buildChatModel(options.name, options, conservativeCapabilities);
}

export interface OpenAIEmbeddingOptions extends Omit<ConnectionOptions, 'baseURL'>, EmbeddingModelOptions {
  model: string;
  /** @default 'https://api.openai.com/v1' */
  baseURL?: string;
  /** @default 'openai' */
  name?: string;
}

/** An embedding model on an OpenAI-compatible `/embeddings` endpoint. */
export function openaiEmbedding(options: OpenAIEmbeddingOptions): OpenAIEmbeddingModel {
  const connection = absoluteBaseURL({ ...options, baseURL: options.baseURL ?? 'https://api.openai.com/v1' });
  return new OpenAIEmbeddingModel({
    ...options,
    provider: options.name ?? 'openai',
    modelId: options.model,
    client: createClient(connection),
  });
}
