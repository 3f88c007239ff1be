import type { Embedder } from '../../embed/types.js';
import { hashEmbedding } from '../../test/embeddings.js';

/**
 * A deterministic `Embedder` for tests: feature-hashed words, L2-normalised. Texts sharing
 * words are similar. Counts calls so tests can see background work happen.
 */
export class HashEmbedder implements Embedder {
  readonly modelId = 'hash';
  readonly dimension: number;
  calls = 0;
  embedded = 0;
  /** When set, the next calls wait for it (to observe that saving does not block on embedding). */
  gate: Promise<void> | undefined;

  constructor(dimension = 256) {
    this.dimension = dimension;
  }

  /** One vector. */
  async embed(text: string): Promise<Float32Array> {
    const [vector] = await this.embedMany([text]);
    return vector as Float32Array;
  }

  /** Vectors of every text, in order. */
  async embedMany(texts: string[]): Promise<Float32Array[]> {
    this.calls += 1;
    await this.gate;
    this.embedded += texts.length;
    return texts.map((text) => hashEmbedding(text, this.dimension));
  }
}
