/** Progress a UI can bind a bar to: model download, model load, batches done. */
export type EmbedProgress =
  | { stage: 'download'; file: string; loaded: number; total: number | undefined }
  | { stage: 'load'; modelId: string }
  | { stage: 'embed'; done: number; total: number };

export interface EmbedManyOptions {
  signal?: AbortSignal;
  onProgress?: (progress: EmbedProgress) => void;
}

/**
 * Turns text into vectors. `LocalEmbedder` runs an ONNX model in workers on the user's device;
 * `RemoteEmbedder` wraps an `EmbeddingModel` from the LLM layer. Vectors are L2-normalised.
 */
export interface Embedder {
  readonly modelId: string;
  /** Output dimension; known once the model is loaded (`await embedder.ready()` or after a call). */
  readonly dimension: number;
  embed(text: string, options?: EmbedManyOptions): Promise<Float32Array>;
  embedMany(texts: string[], options?: EmbedManyOptions): Promise<Float32Array[]>;
}
