import type OpenAI from 'openai';
import { InvalidArgumentError, InvalidResponseError } from '../errors/index.js';
import { CallScope } from './call-scope.js';
import type { CallContext } from './errors.js';
import { type ModelRetryOptions, withRetry } from './retry.js';
import type { EmbeddingModel, EmbedRequest, EmbedResult } from './types.js';

/** Options of an embedding model over an OpenAI-compatible `/embeddings` endpoint. */
export interface EmbeddingModelOptions {
  /** Ask for this output dimension (models that support shortening, e.g. text-embedding-3-*). */
  dimensions?: number;
  /** Inputs per request; larger inputs are split into sequential batches. @default 512 */
  maxBatchSize?: number;
  /**
   * `base64` halves the bytes on the wire and decodes straight into `Float32Array`; servers that
   * ignore it and send numbers work too. @default 'base64'
   */
  encodingFormat?: 'base64' | 'float';
  /** Per-call timeout covering retries. @default 60000 */
  timeoutMs?: number;
  retry?: ModelRetryOptions;
}

export interface OpenAIEmbeddingModelSettings extends EmbeddingModelOptions {
  provider: string;
  modelId: string;
  client: OpenAI;
}

/** An `EmbeddingModel` over an OpenAI-compatible `/embeddings` endpoint. */
export class OpenAIEmbeddingModel implements EmbeddingModel {
  readonly provider: string;
  readonly modelId: string;
  readonly dimension: number | undefined;
  readonly maxBatchSize: number;
  readonly #settings: OpenAIEmbeddingModelSettings;
  readonly #context: CallContext;

  constructor(settings: OpenAIEmbeddingModelSettings) {
    this.provider = settings.provider;
    this.modelId = settings.modelId;
    this.dimension = settings.dimensions;
    this.maxBatchSize = settings.maxBatchSize ?? 512;
    if (!(this.maxBatchSize >= 1)) {
      throw new InvalidArgumentError(`maxBatchSize must be at least 1, got ${settings.maxBatchSize}.`);
    }
    this.#settings = settings;
    this.#context = {
      provider: settings.provider,
      modelId: settings.modelId,
      secrets: settings.client.apiKey ? [settings.client.apiKey] : [],
    };
  }

  async embed(request: EmbedRequest): Promise<EmbedResult> {
    const scope = new CallScope(request.signal, request.timeoutMs ?? this.#settings.timeoutMs ?? 60_000);
    const embeddings: Float32Array[] = [];
    let tokens = 0;
    try {
      for (let start = 0; start < request.values.length; start += this.maxBatchSize) {
        const batch = request.values.slice(start, start + this.maxBatchSize);
        const response = await withRetry(
          () =>
            this.#settings.client.embeddings.create(
              {
                model: this.modelId,
                input: batch,
                encoding_format: this.#settings.encodingFormat ?? 'base64',
                ...(this.#settings.dimensions ? { dimensions: this.#settings.dimensions } : {}),
              },
              scope.requestOptions(undefined),
            ),
          this.#settings.retry ?? {},
          scope,
          this.#context,
        );
        if (!Array.isArray(response?.data) || response.data.length !== batch.length) {
          throw new InvalidResponseError(
            `${this.provider} returned ${response?.data?.length ?? 'no'} embeddings for ${batch.length} inputs.`,
            { hint: 'Check that the model is an embedding model.', data: { modelId: this.modelId } },
          );
        }
        const ordered = [...response.data].sort((a, b) => a.index - b.index);
        for (const entry of ordered) embeddings.push(toFloat32(entry.embedding as number[] | string));
        tokens += response.usage?.prompt_tokens ?? 0;
      }
    } finally {
      scope.dispose();
    }
    return { embeddings, usage: { tokens } };
  }
}

/** Decodes an embedding sent as numbers or as base64 little-endian float32. */
export function toFloat32(embedding: number[] | string): Float32Array {
  if (typeof embedding !== 'string') return Float32Array.from(embedding);
  const binary = atob(embedding);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return new Float32Array(bytes.buffer, 0, bytes.length >> 2);
}
