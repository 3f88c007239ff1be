export { EmbeddingCache, type EmbeddingCacheOptions, type EmbeddingCacheStore } from './cache.js';
export {
  type CoreLoadRequest,
  type CoreLoadResult,
  type CoreLoadTimings,
  createEmbedCore,
  type EmbedBackend,
  type EmbedCore,
  type EmbedCoreOptions,
  type OrtRuntime,
} from './core.js';
export { LocalEmbedder, type LocalEmbedderOptions } from './local-embedder.js';
export { defaultBaseUrl, loadModelFiles, type ModelFiles, type ModelSourceOptions } from './model-files.js';
export type { PoolingConfig, PoolingMode } from './pooling.js';
export { RemoteEmbedder } from './remote-embedder.js';
export type { Embedder, EmbedManyOptions, EmbedProgress } from './types.js';
export {
  type EmbedWorkerFactory,
  type EmbedWorkerHandle,
  inProcessWorkerFactory,
  moduleWorkerFactory,
  workerHandle,
} from './worker-handle.js';
