export {
  BrowserVector,
  type BrowserVectorOptions,
  inProcessVectorWorker,
  moduleVectorWorker,
  type VectorWorkerFactory,
  type VectorWorkerHandle,
  vectorWorkerHandle,
} from './browser-vector.js';
export { compileFilter, type MetadataPredicate } from './filter.js';
export type { FieldOperators, VectorFilter } from './filter-types.js';
export { type HnswHits, HnswIndex, type HnswParams } from './hnsw-index.js';
export { IdbVectorPersistence, type IdbVectorPersistenceOptions } from './idb-persistence.js';
export type { LoadReport } from './loaded-index.js';
export { defaultLocks, type LockProvider, localLocks } from './locks.js';
export { MemoryVectorPersistence } from './memory-persistence.js';
export type {
  IndexCommit,
  IndexManifest,
  IndexSnapshot,
  SnapshotReceiver,
  StoredGraph,
  VectorPersistence,
  VectorShard,
} from './persistence.js';
export type {
  CreateIndexParams,
  IndexStats,
  QueryParams,
  QueryResult,
  UpsertParams,
  VectorMetric,
  VectorStore,
} from './types.js';
export {
  type PackedUpsert,
  type QueryOptions,
  type QueryStats,
  VectorCore,
  type VectorCoreOptions,
  type VectorSettings,
} from './vector-core.js';
export { compileHnswModule, defaultHnswWasmUrl, type HnswWasmSource } from './wasm-module.js';
