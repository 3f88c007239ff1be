import { AbortedError, InvalidArgumentError, InvalidResponseError } from '../errors/index.js';
import type { EmbeddingModel } from '../llm/types.js';
import type { Embedder, EmbedManyOptions } from './types.js';

/**
 * An `Embedder` over a remote `EmbeddingModel` from the LLM layer (e.g. an OpenAI-compatible
 * `/embeddings` endpoint): splits inputs into the provider's batch size, reports progress and
 * L2-normalises vectors so they are interchangeable with `LocalEmbedder`'s.
 */
export class RemoteEmbedder implements Embedder {
  readonly modelId: string;
  #dimension: number;

  constructor(readonly model: EmbeddingModel) {
    this.modelId = model.modelId;
    this.#dimension = model.dimension ?? 0;
  }

  /** Known once the provider states it or after the first call. */
  get dimension(): number {
    return this.#dimension;
  }

  async embed(text: string, options: EmbedManyOptions = {}): Promise<Float32Array> {
    const [vector] = await this.embedMany([text], options);
    return vector!;
  }

  async embedMany(texts: string[], options: EmbedManyOptions = {}): Promise<Float32Array[]> {
    if (!Array.isArray(texts) || texts.some((text) => typeof text !== 'string')) {
      throw new InvalidArgumentError('embedMany expects an array of strings.');
    }
    const batchSize = Math.max(1, this.model.maxBatchSize);
    const out: Float32Array[] = [];
    options.onProgress?.({ stage: 'embed', done: 0, total: texts.length });
    for (let start = 0; start < texts.length; start += batchSize) {
      if (options.signal?.aborted)
        throw new AbortedError('Embedding was aborted.', { cause: options.signal.reason });
      const values = texts.slice(start, start + batchSize);
      const result = await this.model.embed({
        values,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (result.embeddings.length !== values.length) {
        throw new InvalidResponseError(
          `${this.modelId} returned ${result.embeddings.length} embeddings for ${values.length} inputs.`,
        );
      }
      for (const vector of result.embeddings) out.push(this.#check(normalize(vector)));
      options.onProgress?.({ stage: 'embed', done: out.length, total: texts.length });
    }
    return out;
  }

  #check(vector: Float32Array): Float32Array {
    if (this.#dimension === 0) this.#dimension = vector.length;
    if (vector.length !== this.#dimension) {
      throw new InvalidResponseError(
        `${this.modelId} returned a ${vector.length}-d vector; expected ${this.#dimension}.`,
      );
    }
    return vector;
  }
}

function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
  return vector.map((value) => value * scale);
}
