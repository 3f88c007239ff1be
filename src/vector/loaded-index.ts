import { CorruptDataError } from '../errors/index.js';
import { HnswIndex } from './hnsw-index.js';
import type {
  IndexManifest,
  IndexSnapshot,
  SnapshotReceiver,
  StoredGraph,
  VectorShard,
} from './persistence.js';
import type { VectorMetric } from './types.js';

/** Why a load did not use the stored graph as is. */
export interface LoadReport {
  /** Nodes whose links came from the stored graph. */
  graphNodes: number;
  /** Nodes linked at load time (newer than the graph, or all of them when it was unusable). */
  relinkedNodes: number;
  /** Set when the stored graph failed its checksum or validation and was rebuilt. */
  graphRebuilt?: string;
}

/**
 * Nodes per stored shard of a new index. An upsert rewrites the shards its nodes fall in, so a
 * message appended to chat memory rewrites up to this many vectors: 512 × 384 floats is 0.8 MB
 * (2048 was 3 MB and ≈ 22 ms per single-vector upsert; cold loads of 100k took the same time).
 */
export const defaultShardSize = 512;

/**
 * One index in memory: the WASM graph plus, per node, the user id, metadata and a tombstone.
 * Node numbers are dense and never reused until compaction.
 */
export class LoadedIndex {
  readonly name: string;
  readonly dimension: number;
  readonly metric: VectorMetric;
  /** Nodes per stored shard: the stored index's own (its manifest), whatever the options say now. */
  readonly shardSize: number;
  hnsw: HnswIndex;
  ids: string[] = [];
  metadata: Record<string, unknown>[] = [];
  deleted = new Uint8Array(1024);
  /** Live node of each user id. */
  readonly byId = new Map<string, number>();
  generation = 0;
  epoch = 0;
  storedGraphNodes = 0;
  shardGenerations: number[] = [];
  /** Another tab committed a newer generation. */
  stale = false;

  constructor(name: string, hnsw: HnswIndex, shardSize = defaultShardSize) {
    this.name = name;
    this.dimension = hnsw.dimension;
    this.metric = hnsw.metric;
    this.shardSize = shardSize;
    this.hnsw = hnsw;
  }

  /** The stored shard node `node` belongs to. */
  shardOf(node: number): number {
    return Math.floor(node / this.shardSize);
  }

  get nodeCount(): number {
    return this.ids.length;
  }

  get liveCount(): number {
    return this.byId.size;
  }

  get deletedCount(): number {
    return this.nodeCount - this.liveCount;
  }

  isDeleted(node: number): boolean {
    return this.deleted[node] === 1;
  }

  /** Makes room for `size` nodes' tombstones. */
  reserve(size: number): void {
    this.growDeleted(size);
  }

  private growDeleted(size: number): void {
    if (size <= this.deleted.length) return;
    let capacity = this.deleted.length;
    while (capacity < size) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.deleted);
    this.deleted = grown;
  }

  /** Stores and links new nodes; replaced ids lose their old node. Returns the first new node. */
  append(vectors: Float32Array, ids: string[], metadata: Record<string, unknown>[], raw = false): number {
    const first = this.hnsw.add(vectors, { raw });
    this.growDeleted(first + ids.length);
    ids.forEach((id, offset) => {
      const previous = this.byId.get(id);
      if (previous !== undefined) this.setDeleted(previous, true);
      this.ids.push(id);
      this.metadata.push(metadata[offset]!);
      this.byId.set(id, first + offset);
    });
    return first;
  }

  setDeleted(node: number, deleted: boolean): void {
    this.deleted[node] = deleted ? 1 : 0;
    this.hnsw.setDeleted(node, deleted);
    const id = this.ids[node]!;
    if (deleted && this.byId.get(id) === node) this.byId.delete(id);
    if (!deleted) this.byId.set(id, node);
  }

  manifest(m: number, efConstruction: number): IndexManifest {
    return {
      name: this.name,
      dimension: this.dimension,
      metric: this.metric,
      m,
      efConstruction,
      generation: this.generation,
      epoch: this.epoch,
      nodeCount: this.nodeCount,
      shardSize: this.shardSize,
      graphNodeCount: this.storedGraphNodes,
      shardGenerations: [...this.shardGenerations],
    };
  }

  /** The stored form of shard `shard`, stamped with the current generation. */
  shard(shard: number): VectorShard {
    const from = shard * this.shardSize;
    const to = Math.min(this.nodeCount, from + this.shardSize);
    const vectors = this.hnsw.vectors(from, to);
    this.shardGenerations[shard] = this.generation;
    return {
      index: this.name,
      shard,
      generation: this.generation,
      vectors: vectors.buffer as ArrayBuffer,
      ids: this.ids.slice(from, to),
      metadata: this.metadata.slice(from, to),
      deleted: this.deleted.slice(from, to),
      checksum: this.hnsw.checksum(new Uint8Array(vectors.buffer)),
    };
  }

  graph(): StoredGraph {
    const bytes = this.hnsw.saveGraph();
    this.storedGraphNodes = this.nodeCount;
    return {
      index: this.name,
      nodeCount: this.nodeCount,
      bytes: bytes.buffer as ArrayBuffer,
      checksum: this.hnsw.checksum(bytes),
    };
  }

  /**
   * Applies shards committed by another tab on top of this state. Nodes never change their
   * vector (an update is a tombstone plus a new node), so only tombstones, metadata and new
   * nodes need applying, and the in-memory graph stays valid.
   */
  applyShards(manifest: IndexManifest, shards: VectorShard[]): void {
    const sorted = [...shards].sort((a, b) => a.shard - b.shard);
    for (const shard of sorted) {
      const vectors = checkedVectors(this, shard);
      const base = shard.shard * manifest.shardSize;
      const existing = Math.max(0, Math.min(shard.ids.length, this.nodeCount - base));
      for (let offset = 0; offset < existing; offset++) {
        this.metadata[base + offset] = shard.metadata[offset]!;
        if (this.isDeleted(base + offset) !== (shard.deleted[offset] === 1)) {
          this.setDeleted(base + offset, shard.deleted[offset] === 1);
        }
      }
      if (existing < shard.ids.length) {
        if (base + existing !== this.nodeCount) {
          throw new CorruptDataError(
            `Shard ${shard.shard} of index "${this.name}" leaves a gap in node numbers.`,
            {
              hint: 'Delete and rebuild the index.',
            },
          );
        }
        const fresh = vectors.subarray(existing * this.dimension);
        const first = this.hnsw.add(fresh, { raw: true });
        this.growDeleted(first + shard.ids.length - existing);
        for (let offset = existing; offset < shard.ids.length; offset++) {
          this.ids.push(shard.ids[offset]!);
          this.metadata.push(shard.metadata[offset]!);
          this.deleted[base + offset] = 0;
          this.setDeleted(base + offset, shard.deleted[offset] === 1);
        }
      }
      this.shardGenerations[shard.shard] = shard.generation;
    }
    this.generation = manifest.generation;
    this.storedGraphNodes = manifest.graphNodeCount;
    this.shardGenerations = [...manifest.shardGenerations];
  }

  /**
   * Rebuilds an index from a full snapshot: vectors from the shards (checksummed), links from
   * the stored graph when it is intact, otherwise relinked from the vectors.
   */
  static async restore(
    module: WebAssembly.Module,
    snapshot: IndexSnapshot,
    streamed?: StreamingRestore,
  ): Promise<{ index: LoadedIndex; report: LoadReport }> {
    const { manifest } = snapshot;
    const params = hnswParams(manifest);
    const expectedShards = Math.ceil(manifest.nodeCount / manifest.shardSize);
    const shards = [...snapshot.shards].sort((a, b) => a.shard - b.shard);
    if (shards.length !== expectedShards || shards.some((shard, position) => shard.shard !== position)) {
      throw new CorruptDataError(
        `Index "${manifest.name}" lists ${expectedShards} shards but ${shards.length} are stored.`,
        {
          hint: 'The stored vectors are incomplete; delete the index and upsert again.',
          data: { index: manifest.name },
        },
      );
    }
    const vectorsFromShards = async (): Promise<LoadedIndex> => {
      const loaded = new LoadedIndex(
        manifest.name,
        await HnswIndex.create(module, params),
        manifest.shardSize,
      );
      loaded.growDeleted(manifest.nodeCount);
      loaded.hnsw.reserve(manifest.nodeCount, graphBytesEstimate(manifest));
      for (const shard of shards) if (!appendShard(loaded, shard)) throw corruptShard(loaded, shard);
      return loaded;
    };
    const streamedIndex = await streamed?.take(snapshot);
    const build = async (useGraph: boolean): Promise<{ index: LoadedIndex; report: LoadReport }> => {
      const loaded = useGraph && streamedIndex ? streamedIndex : await vectorsFromShards();
      if (loaded.nodeCount !== manifest.nodeCount) {
        throw new CorruptDataError(
          `Index "${manifest.name}" stores ${loaded.nodeCount} ids, expected ${manifest.nodeCount}.`,
          {
            hint: 'Delete the index and upsert again.',
          },
        );
      }
      let graphNodes = 0;
      let graphRebuilt: string | undefined;
      const graph = snapshot.graph;
      if (useGraph && graph) {
        const restored =
          graph.nodeCount > manifest.nodeCount
            ? 'too many'
            : loaded.hnsw.loadGraph(new Uint8Array(graph.bytes), graph.checksum);
        if (restored === 'checksum') graphRebuilt = 'graph checksum mismatch';
        else if (restored === 'too many') graphRebuilt = 'graph covers more nodes than stored';
        else if (restored !== graph.nodeCount) graphRebuilt = 'graph failed validation';
        else graphNodes = graph.nodeCount;
        if (graphRebuilt) {
          const rebuilt = await build(false);
          rebuilt.report.graphRebuilt = graphRebuilt;
          return rebuilt;
        }
      }
      loaded.hnsw.linkRange(graphNodes, loaded.nodeCount);
      shards.forEach((shard, position) => {
        shard.deleted.forEach((flag, offset) => {
          const node = position * manifest.shardSize + offset;
          loaded.deleted[node] = flag;
          if (flag) loaded.hnsw.setDeleted(node, true);
          else loaded.byId.set(loaded.ids[node]!, node);
        });
      });
      loaded.generation = manifest.generation;
      loaded.epoch = manifest.epoch;
      loaded.storedGraphNodes = graphNodes;
      loaded.shardGenerations = [...manifest.shardGenerations];
      const report: LoadReport = { graphNodes, relinkedNodes: loaded.nodeCount - graphNodes };
      if (graphRebuilt) report.graphRebuilt = graphRebuilt;
      return { index: loaded, report };
    };
    return build(true);
  }
}

/** Room for the stored graph's copy and its upper layers (about 1 node in M has them). */
function graphBytesEstimate(manifest: IndexManifest): number {
  return Math.ceil(manifest.nodeCount * (2 * manifest.m + 2) * 4 * 1.2);
}

function hnswParams(manifest: IndexManifest) {
  return {
    dimension: manifest.dimension,
    metric: manifest.metric,
    m: manifest.m,
    efConstruction: manifest.efConstruction,
  };
}

/**
 * Verifies a shard and appends its vectors (one copy into the module: the checksum is verified
 * on the bytes that are appended), ids and metadata. False, with nothing appended, if corrupt.
 */
function appendShard(loaded: LoadedIndex, shard: VectorShard): boolean {
  if (!shapeOk(loaded, shard) || loaded.hnsw.appendVerified(shard.vectors, shard.checksum) === undefined)
    return false;
  loaded.ids.push(...shard.ids);
  loaded.metadata.push(...shard.metadata);
  return true;
}

/**
 * Restores vectors while a snapshot is still being read: handed to
 * `VectorPersistence.loadStreaming`, it verifies and appends shards in node order as they
 * arrive, so `LoadedIndex.restore` is left with the graph. What arrived is used only if it
 * matches the final snapshot; otherwise (a concurrent commit, a corrupt shard) `restore` starts
 * over from the snapshot and reports as usual.
 */
export class StreamingRestore implements SnapshotReceiver {
  private readonly module: Promise<WebAssembly.Module>;
  private loaded: LoadedIndex | undefined;
  private creating: Promise<void> | undefined;
  private seen: IndexManifest | undefined;
  private readonly waiting = new Map<number, VectorShard>();
  private readonly generations: number[] = [];
  private failed = false;

  /** @param module the HNSW module, or its compilation still under way */
  constructor(module: WebAssembly.Module | Promise<WebAssembly.Module>) {
    this.module = Promise.resolve(module);
  }

  manifest(manifest: IndexManifest): void {
    this.seen = manifest;
    this.creating = this.module
      .then((module) => HnswIndex.create(module, hnswParams(manifest)))
      .then(
        (hnsw) => {
          const loaded = new LoadedIndex(manifest.name, hnsw, manifest.shardSize);
          loaded.reserve(manifest.nodeCount);
          hnsw.reserve(manifest.nodeCount, graphBytesEstimate(manifest));
          this.loaded = loaded;
          this.drain();
        },
        () => {
          this.failed = true;
        },
      );
  }

  shard(shard: VectorShard): void {
    this.waiting.set(shard.shard, shard);
    this.drain();
  }

  private drain(): void {
    const loaded = this.loaded;
    if (!loaded) return;
    for (let shard = this.waiting.get(this.generations.length); shard; ) {
      this.waiting.delete(shard.shard);
      if (this.failed || !appendShard(loaded, shard)) {
        this.failed = true;
        return;
      }
      this.generations.push(shard.generation);
      shard = this.waiting.get(this.generations.length);
    }
  }

  /** The index holding exactly the vectors of `snapshot`, or undefined if what arrived differs. */
  async take(snapshot: IndexSnapshot): Promise<LoadedIndex | undefined> {
    await this.creating;
    const { manifest } = snapshot;
    const matches =
      !this.failed &&
      this.seen?.generation === manifest.generation &&
      this.seen.epoch === manifest.epoch &&
      this.generations.length === snapshot.shards.length &&
      this.generations.every((generation, shard) => generation === manifest.shardGenerations[shard]);
    return matches ? this.loaded : undefined;
  }
}

/** Sizes of a shard's parts agree with each other and the index dimension. */
function shapeOk(index: LoadedIndex, shard: VectorShard): boolean {
  return (
    shard.ids.length <= index.shardSize &&
    shard.vectors.byteLength === shard.ids.length * index.dimension * 4 &&
    shard.deleted.length === shard.ids.length &&
    shard.metadata.length === shard.ids.length
  );
}

function corruptShard(index: LoadedIndex, shard: VectorShard): CorruptDataError {
  return new CorruptDataError(
    `Shard ${shard.shard} of vector index "${index.name}" is corrupt or truncated.`,
    {
      hint: 'Its vectors cannot be trusted: delete the index and upsert the documents again.',
      data: { index: index.name, shard: shard.shard },
    },
  );
}

function checkedVectors(index: LoadedIndex, shard: VectorShard): Float32Array {
  if (!shapeOk(index, shard) || index.hnsw.checksum(new Uint8Array(shard.vectors)) !== shard.checksum) {
    throw corruptShard(index, shard);
  }
  return new Float32Array(shard.vectors);
}
