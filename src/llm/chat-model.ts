import type OpenAI from 'openai';
import { CallScope } from './call-scope.js';
import { ChatEventStream } from './chat-stream.js';
import { type EmbeddingModelOptions, OpenAIEmbeddingModel } from './embedding-model.js';
import type { CallContext } from './errors.js';
import { type BodySettings, type PreparedBody, prepareBody, refusedJsonSchema } from './request.js';
import { StreamAssembler, toChatResult } from './response.js';
import { type ModelRetryOptions, withRetry } from './retry.js';
import type { ChatModel, ChatRequest, ChatResult, ChatStreamEvent, ModelCapabilities } from './types.js';

/** Everything an {@link OpenAIChatModel} needs; built by `openai()`, `openaiCompatible()` and presets. */
export interface OpenAIChatModelSettings {
  provider: string;
  modelId: string;
  capabilities: ModelCapabilities;
  client: OpenAI;
  retry: ModelRetryOptions;
  /** Per-call timeout covering retries, unless the request sets its own. */
  timeoutMs: number;
  maxTokensField: BodySettings['maxTokensField'];
}

/** A `ChatModel` over any OpenAI-compatible chat completions endpoint, via the `openai` SDK. */
export class OpenAIChatModel implements ChatModel {
  readonly provider: string;
  readonly modelId: string;
  readonly capabilities: ModelCapabilities;
  /** The underlying SDK client, for calls Lumos does not wrap. */
  readonly client: OpenAI;
  readonly #settings: OpenAIChatModelSettings;
  readonly #context: CallContext;
  readonly #streamingContext: CallContext;

  constructor(settings: OpenAIChatModelSettings) {
    this.provider = settings.provider;
    this.modelId = settings.modelId;
    this.capabilities = settings.capabilities;
    this.client = settings.client;
    this.#settings = settings;
    this.#context = {
      provider: settings.provider,
      modelId: settings.modelId,
      secrets: settings.client.apiKey ? [settings.client.apiKey] : [],
    };
    this.#streamingContext = { ...this.#context, streaming: true };
  }

  /** An embedding model on the same endpoint, sharing its client, key and retry settings. */
  embedding(modelId: string, options: EmbeddingModelOptions = {}): OpenAIEmbeddingModel {
    return new OpenAIEmbeddingModel({
      retry: this.#settings.retry,
      ...options,
      provider: this.provider,
      modelId,
      client: this.client,
    });
  }

  /** One complete answer; retried on 429/408/409/5xx/network failures as configured. */
  async generate(request: ChatRequest): Promise<ChatResult> {
    const scope = CallScope.deadline(request.signal, request.timeoutMs ?? this.#settings.timeoutMs);
    const send = ({ body, extractJson }: PreparedBody) =>
      withRetry(
        async () => {
          // The body is read here rather than by the SDK, so the deadline bounds it too.
          const response = await this.client.chat.completions
            .create(
              body as OpenAI.ChatCompletionCreateParamsNonStreaming,
              scope.requestOptions(request.headers),
            )
            .asResponse();
          const completion = (await readJson(response, scope)) as OpenAI.ChatCompletion;
          return toChatResult(completion, this.modelId, extractJson, this.provider);
        },
        this.#settings.retry,
        scope,
        this.#context,
      );
    try {
      return await this.#withSchemaFallback(request, false, send);
    } finally {
      scope.dispose();
    }
  }

  /**
   * Streams the answer. Failures before the first chunk are retried like `generate`; once output
   * has arrived a failure (cut connection, invalid SSE line) throws `InvalidResponseError`.
   */
  stream(request: ChatRequest): AsyncIterable<ChatStreamEvent> {
    return new ChatEventStream(() => {
      const scope = new CallScope(request.signal, request.timeoutMs ?? this.#settings.timeoutMs);
      const requestOptions = scope.requestOptions(request.headers);
      const send = async ({ body, extractJson }: PreparedBody) => ({
        response: await withRetry(
          () =>
            this.client.chat.completions
              .create(body as OpenAI.ChatCompletionCreateParamsStreaming, requestOptions)
              .asResponse(),
          this.#settings.retry,
          scope,
          this.#context,
        ),
        assembler: new StreamAssembler(this.modelId, extractJson),
      });
      return { scope, open: () => this.#withSchemaFallback(request, true, send) };
    }, this.#streamingContext);
  }

  /** Sends the request; if the endpoint refuses `json_schema` output, once more with the fallback. */
  async #withSchemaFallback<T>(
    request: ChatRequest,
    stream: boolean,
    send: (prepared: PreparedBody) => Promise<T>,
  ): Promise<T> {
    const prepared = prepareBody(request, this.#settings, stream);
    try {
      return await send(prepared);
    } catch (error) {
      if (!refusedJsonSchema(error, prepared)) throw error;
      return send(prepareBody(request, this.#settings, stream, true));
    }
  }
}

/** The JSON body of `response`, read within the scope's deadline (a stalled body is cancelled). */
async function readJson(response: Response, scope: CallScope): Promise<unknown> {
  const reader = response.body?.getReader();
  if (reader === undefined) return response.json();
  const read = async () => {
    const decoder = new TextDecoder();
    let text = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      text += decoder.decode(chunk.value, { stream: true });
    }
    return JSON.parse(text + decoder.decode());
  };
  return scope.guard(read(), () => {
    reader.cancel().catch(() => {});
  });
}
