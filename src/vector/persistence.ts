import type { VectorMetric } from './types.js';

/** The state of one stored index. Written in the same transaction as the shards it describes. */
export interface IndexManifest {
  name: string;
  dimension: number;
  metric: VectorMetric;
  m: number;
  efConstruction: number;
  /** Bumped by every committed batch. */
  generation: number;
  /** Bumped when node numbers change (compaction); readers then reload everything. */
  epoch: number;
  /** Nodes stored, deleted ones included. */
  nodeCount: number;
  /** Nodes per shard. */
  shardSize: number;
  /** Nodes the stored graph covers (the rest is relinked on load). */
  graphNodeCount: number;
  /** Generation that last wrote each shard, so readers fetch only what changed. */
  shardGenerations: number[];
}

/** Nodes `[shard * shardSize, …)` of an index: vectors packed in one buffer plus ids and metadata. */
export interface VectorShard {
  index: string;
  shard: number;
  /** Generation that last wrote this shard. */
  generation: number;
  vectors: ArrayBuffer;
  ids: string[];
  metadata: Record<string, unknown>[];
  /** One byte per node: 1 when deleted. */
  deleted: Uint8Array;
  /** Checksum of `vectors` (see `HnswIndex.checksum`). */
  checksum: number;
}

export interface StoredGraph {
  index: string;
  nodeCount: number;
  bytes: ArrayBuffer;
  checksum: number;
}

/** What one upsert/delete batch writes, atomically. */
export interface IndexCommit {
  manifest: IndexManifest;
  shards: VectorShard[];
  /** A new graph snapshot, when due. */
  graph?: StoredGraph;
  /** Drop every shard and graph first (compaction). */
  replace?: boolean;
}

/** A consistent read: the manifest and the shards newer than a generation, from one transaction. */
export interface IndexSnapshot {
  manifest: IndexManifest;
  shards: VectorShard[];
  graph?: StoredGraph;
}

/** Receives parts of a snapshot while it is being read (see `VectorPersistence.loadStreaming`). */
export interface SnapshotReceiver {
  manifest(manifest: IndexManifest): void;
  /** Shards arrive in any order. */
  shard(shard: VectorShard): void;
}

/**
 * Where vector indexes persist. Kept small so it can move onto the general storage layer later.
 * Every method is one transaction.
 */
export interface VectorPersistence {
  listManifests(): Promise<IndexManifest[]>;
  /** Manifest, shards with `generation > sinceGeneration` (all for -1) and, if asked, the graph. */
  load(index: string, sinceGeneration: number, withGraph: boolean): Promise<IndexSnapshot | undefined>;
  /**
   * Optional: a full load (`load(index, -1, true)`) that hands over the manifest and then each
   * shard as soon as it is read, so the caller can restore while the rest is still arriving.
   * What was handed over is only valid if it matches the returned snapshot's manifest.
   */
  loadStreaming?(index: string, receiver: SnapshotReceiver): Promise<IndexSnapshot | undefined>;
  commit(commit: IndexCommit): Promise<void>;
  deleteIndex(index: string): Promise<void>;
  close(): Promise<void>;
}
