/** Where cached vectors may also be persisted (e.g. IndexedDB); keys are content hashes. */
export interface EmbeddingCacheStore {
  get(keys: string[]): Promise<(Float32Array | undefined)[]>;
  set(entries: [key: string, vector: Float32Array][]): Promise<void>;
}

/** Options of `EmbeddingCache`. */
export interface EmbeddingCacheOptions {
  /**
   * Vectors kept in memory (least recently used are dropped first).
   * @default 10000
   */
  maxEntries?: number;
  /** Optional persistent store consulted on a memory miss and written on every put. */
  store?: EmbeddingCacheStore;
}

/**
 * A content-addressed vector cache: the key is SHA-256 (WebCrypto) of model id and text, so a
 * repeated text is never embedded twice and vectors of different models never mix.
 */
export class EmbeddingCache {
  readonly #memory = new Map<string, Float32Array>();
  readonly #maxEntries: number;
  readonly #store: EmbeddingCacheStore | undefined;

  constructor(options: EmbeddingCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#store = options.store;
  }

  /** Hex SHA-256 keys of `texts` for `modelId`, in order. */
  async keys(modelId: string, texts: string[]): Promise<string[]> {
    const encoder = new TextEncoder();
    return Promise.all(
      texts.map(async (text) => {
        const digest = await crypto.subtle.digest('SHA-256', encoder.encode(`${modelId}\u0000${text}`));
        return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
      }),
    );
  }

  /** Cached vectors for `keys` (memory first, then the store), `undefined` where missing. */
  async get(keys: string[]): Promise<(Float32Array | undefined)[]> {
    const found = keys.map((key) => this.#touch(key));
    const missing = keys.filter((_, index) => !found[index]);
    if (!this.#store || missing.length === 0) return found;
    const stored = await this.#store.get(missing);
    let next = 0;
    return found.map((vector, index) => {
      if (vector) return vector;
      const restored = stored[next++];
      if (restored) this.#remember(keys[index]!, restored);
      return restored;
    });
  }

  async set(entries: [key: string, vector: Float32Array][]): Promise<void> {
    for (const [key, vector] of entries) this.#remember(key, vector);
    await this.#store?.set(entries);
  }

  get size(): number {
    return this.#memory.size;
  }

  #touch(key: string): Float32Array | undefined {
    const vector = this.#memory.get(key);
    if (vector) {
      this.#memory.delete(key);
      this.#memory.set(key, vector);
    }
    return vector;
  }

  #remember(key: string, vector: Float32Array): void {
    this.#memory.delete(key);
    this.#memory.set(key, vector);
    while (this.#memory.size > this.#maxEntries) this.#memory.delete(this.#memory.keys().next().value!);
  }
}
