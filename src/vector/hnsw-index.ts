import { InvalidArgumentError, QuotaExceededError } from '../errors/index.js';
import type { VectorMetric } from './types.js';

interface HnswExports {
  memory: WebAssembly.Memory;
  init(dimension: number, metric: number, m: number, efConstruction: number, seed: number): number;
  scratch(bytes: number): number;
  append(source: number, count: number, raw: number): number;
  insert(id: number): number;
  set_deleted(id: number, flag: number): void;
  search(query: number, k: number, ef: number, allowed: number): number;
  exact(query: number, k: number, ids: number, count: number): number;
  out_ids(): number;
  out_dists(): number;
  visited(): number;
  count(): number;
  vector(id: number): number;
  dim_padded(): number;
  graph_bytes(): number;
  graph_save(target: number): void;
  graph_load(source: number, bytes: number): number;
  checksum(source: number, bytes: number): number;
  set_build_int8(on: number): void;
  reserve(nodes: number, extraBytes: number): number;
}

const metricCodes: Record<VectorMetric, number> = { cosine: 0, euclidean: 1, dotproduct: 2 };

export interface HnswParams {
  dimension: number;
  metric: VectorMetric;
  /** Links per node on upper layers (twice this on layer 0). @default 16 */
  m?: number;
  /**
   * Candidate list size while inserting; higher builds a better graph, slower.
   * @default 160 (200 for dotproduct, whose graph is weaker and which builds on floats)
   */
  efConstruction?: number;
  /** Seed of the level generator, for reproducible graphs. @default 1 */
  seed?: number;
  /**
   * What the neighbour search of an insert runs on: 8-bit copies of the vectors (faster; the
   * candidates are rescored and links chosen on floats) or the float vectors throughout.
   * Queries always use floats.
   * @default 'int8' ('float' for dotproduct)
   */
  buildPrecision?: 'int8' | 'float';
}

/** Nearest nodes of one search, closest first. */
export interface HnswHits {
  ids: Uint32Array;
  /** Higher is more similar (cosine/dot: the dot product; euclidean: negated distance). */
  scores: Float32Array;
  /** Distance evaluations made. */
  visited: number;
}

/**
 * One HNSW index in its own WebAssembly instance (see `wasm/hnsw/hnsw.c`). Node ids are dense
 * integers in insertion order; mapping to user ids happens above this class.
 */
export class HnswIndex {
  readonly dimension: number;
  readonly metric: VectorMetric;
  readonly m: number;
  readonly efConstruction: number;
  readonly buildPrecision: 'int8' | 'float';
  private readonly wasm: HnswExports;
  /** Nodes the module holds int8 copies of: all of them after an int8 link (see `linkRange`). */
  private quantized = 0;

  private constructor(wasm: HnswExports, params: Required<HnswParams>) {
    this.wasm = wasm;
    this.dimension = params.dimension;
    this.metric = params.metric;
    this.m = params.m;
    this.efConstruction = params.efConstruction;
    this.buildPrecision = params.buildPrecision;
  }

  /** Instantiates an empty index from a compiled module (see `compileHnswModule`). */
  static async create(module: WebAssembly.Module, params: HnswParams): Promise<HnswIndex> {
    const full: Required<HnswParams> = {
      m: 16,
      efConstruction: params.metric === 'dotproduct' ? 200 : 160,
      seed: 1,
      buildPrecision: params.metric === 'dotproduct' ? 'float' : 'int8',
      ...params,
    };
    const instance = await WebAssembly.instantiate(module, {});
    const wasm = instance.exports as unknown as HnswExports;
    if (!wasm.init(full.dimension, metricCodes[full.metric], full.m, full.efConstruction, full.seed)) {
      throw new InvalidArgumentError(`Invalid HNSW parameters ${JSON.stringify(full)}.`, {
        hint: 'Use a positive dimension and m between 2 and 256.',
      });
    }
    wasm.set_build_int8(full.buildPrecision === 'int8' ? 1 : 0);
    return new HnswIndex(wasm, full);
  }

  /** Number of nodes, deleted ones included. */
  get size(): number {
    return this.wasm.count();
  }

  /** Bytes of linear memory the instance holds. */
  get memoryBytes(): number {
    return this.wasm.memory.buffer.byteLength;
  }

  private scratch(bytes: number): number {
    const pointer = this.wasm.scratch(bytes);
    if (!pointer) throw outOfMemory();
    return pointer;
  }

  /**
   * Stores `vectors` (packed, `dimension` floats each) and links them into the graph unless
   * `link` is false. `raw`: vectors are already normalised (loaded from storage). Returns the
   * first new node id.
   */
  add(vectors: Float32Array, options: { raw?: boolean; link?: boolean } = {}): number {
    const count = vectors.length / this.dimension;
    const first = this.size;
    const batch = Math.max(1, Math.floor((4 << 20) / (this.dimension * 4)));
    for (let start = 0; start < count; start += batch) {
      const end = Math.min(count, start + batch);
      const part = vectors.subarray(start * this.dimension, end * this.dimension);
      const pointer = this.scratch(part.byteLength);
      new Float32Array(this.wasm.memory.buffer, pointer, part.length).set(part);
      const id = this.wasm.append(pointer, end - start, options.raw ? 1 : 0);
      if (id < 0) throw outOfMemory();
      if (options.link !== false) this.linkRange(id, id + end - start);
    }
    return first;
  }

  /**
   * Grows the module's memory once for `nodes` more nodes plus `extraBytes` (e.g. a graph about
   * to be loaded), instead of in steps while they are appended; each step costs milliseconds.
   */
  reserve(nodes: number, extraBytes = 0): void {
    if (!this.wasm.reserve(nodes, extraBytes)) throw outOfMemory();
  }

  /**
   * Appends packed, already-normalised vectors unlinked after verifying their checksum, with one
   * copy into the module: the checksum is computed on the copy that is then appended. Returns
   * the first new node id, or `undefined` (nothing appended) when the checksum differs.
   */
  appendVerified(vectors: ArrayBuffer, checksum: number): number | undefined {
    const pointer = this.scratch(Math.max(16, vectors.byteLength));
    new Uint8Array(this.wasm.memory.buffer, pointer, vectors.byteLength).set(new Uint8Array(vectors));
    if (this.wasm.checksum(pointer, vectors.byteLength) >>> 0 !== checksum) return undefined;
    const id = this.wasm.append(pointer, vectors.byteLength / 4 / this.dimension, 1);
    if (id < 0) throw outOfMemory();
    return id;
  }

  /**
   * Links appended nodes `[from, to)` into the graph. With `buildPrecision` int8 the candidate
   * search runs on int8 copies, which the module makes for every node not yet copied on the
   * first such link (≈ 50 ms for 10,000 × 384 restored from storage). When the range is small
   * beside the nodes still to copy (one chat message after a load), it searches on the floats
   * instead (≈ 0.2 ms per node at 10,000), and a later large batch makes the copies.
   */
  linkRange(from: number, to: number): void {
    const floats = this.buildPrecision === 'int8' && (to - from) * 16 < this.size - this.quantized;
    if (floats) this.wasm.set_build_int8(0);
    try {
      for (let node = from; node < to; node++) if (!this.wasm.insert(node)) throw outOfMemory();
    } finally {
      if (floats) this.wasm.set_build_int8(1);
    }
    if (this.buildPrecision === 'int8' && !floats) this.quantized = this.size;
  }

  setDeleted(id: number, deleted: boolean): void {
    this.wasm.set_deleted(id, deleted ? 1 : 0);
  }

  private writeQuery(query: Float32Array): number {
    const padded = this.wasm.dim_padded();
    const pointer = this.scratch(padded * 4);
    const view = new Float32Array(this.wasm.memory.buffer, pointer, padded);
    view.set(query);
    return pointer;
  }

  private hits(found: number): HnswHits {
    if (found < 0) throw outOfMemory();
    const buffer = this.wasm.memory.buffer;
    const ids = new Uint32Array(buffer, this.wasm.out_ids(), found).slice();
    const distances = new Float32Array(buffer, this.wasm.out_dists(), found);
    const scores = new Float32Array(found);
    for (let i = 0; i < found; i++) {
      const distance = distances[i]!;
      scores[i] = this.metric === 'euclidean' ? -Math.sqrt(Math.max(0, distance)) : 1 - distance;
    }
    return { ids, scores, visited: this.wasm.visited() };
  }

  /** Graph search. `allowed` has one byte per node (non-zero: may be returned). */
  search(query: Float32Array, k: number, ef: number, allowed?: Uint8Array): HnswHits {
    let allowedPointer = 0;
    if (allowed) {
      // Reserve one buffer for query + bitmap: `scratch` may move on growth.
      const padded = this.wasm.dim_padded() * 4;
      const pointer = this.scratch(padded + allowed.length);
      allowedPointer = pointer + padded;
      new Uint8Array(this.wasm.memory.buffer, allowedPointer, allowed.length).set(allowed);
      new Float32Array(this.wasm.memory.buffer, pointer, query.length).set(query);
      new Float32Array(this.wasm.memory.buffer, pointer + query.length * 4, padded / 4 - query.length).fill(
        0,
      );
      return this.hits(this.wasm.search(pointer, k, ef, allowedPointer));
    }
    return this.hits(this.wasm.search(this.writeQuery(query), k, ef, 0));
  }

  /** Exact scan over `ids` (or every live node). */
  exact(query: Float32Array, k: number, ids?: Uint32Array): HnswHits {
    if (!ids) return this.hits(this.wasm.exact(this.writeQuery(query), k, 0, 0));
    const padded = this.wasm.dim_padded() * 4;
    const pointer = this.scratch(padded + ids.byteLength);
    new Float32Array(this.wasm.memory.buffer, pointer, padded / 4).fill(0).set(query);
    new Uint32Array(this.wasm.memory.buffer, pointer + padded, ids.length).set(ids);
    return this.hits(this.wasm.exact(pointer, k, pointer + padded, ids.length));
  }

  /** A copy of a stored vector (normalised for cosine). */
  vector(id: number): Float32Array {
    return new Float32Array(this.wasm.memory.buffer, this.wasm.vector(id), this.dimension).slice();
  }

  /** Stored vectors of nodes `[from, to)`, packed. */
  vectors(from: number, to: number): Float32Array {
    const out = new Float32Array((to - from) * this.dimension);
    for (let id = from; id < to; id++) {
      out.set(
        new Float32Array(this.wasm.memory.buffer, this.wasm.vector(id), this.dimension),
        (id - from) * this.dimension,
      );
    }
    return out;
  }

  /** The graph links, for persistence. */
  saveGraph(): Uint8Array {
    const bytes = this.wasm.graph_bytes();
    const pointer = this.scratch(bytes);
    this.wasm.graph_save(pointer);
    return new Uint8Array(this.wasm.memory.buffer, pointer, bytes).slice();
  }

  /**
   * Restores links saved by `saveGraph` for the first nodes; returns how many, or -1 if
   * malformed. With `checksum`, the bytes are verified on the same copy first: `'checksum'` when
   * they differ (nothing restored).
   */
  loadGraph(graph: Uint8Array, checksum?: number): number | 'checksum' {
    const pointer = this.scratch(Math.max(16, graph.byteLength));
    new Uint8Array(this.wasm.memory.buffer, pointer, graph.byteLength).set(graph);
    if (checksum !== undefined && this.wasm.checksum(pointer, graph.byteLength) >>> 0 !== checksum) {
      return 'checksum';
    }
    return this.wasm.graph_load(pointer, graph.byteLength);
  }

  /** Checksum of some bytes, computed with the SIMD kernel. */
  checksum(bytes: Uint8Array): number {
    const pointer = this.scratch(Math.max(16, bytes.byteLength));
    new Uint8Array(this.wasm.memory.buffer, pointer, bytes.byteLength).set(bytes);
    return this.wasm.checksum(pointer, bytes.byteLength) >>> 0;
  }
}

function outOfMemory(): QuotaExceededError {
  return new QuotaExceededError('The vector index ran out of WebAssembly memory (4 GiB at most).', {
    hint: 'Delete unused vectors or indexes, or split the data across indexes.',
  });
}
