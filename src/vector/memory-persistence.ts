import type {
  IndexCommit,
  IndexManifest,
  IndexSnapshot,
  StoredGraph,
  VectorPersistence,
  VectorShard,
} from './persistence.js';

/**
 * Persistence in plain maps, with copy-on-write semantics like IndexedDB (values are
 * structured-cloned in and out). For tests and for processes without IndexedDB.
 */
export class MemoryVectorPersistence implements VectorPersistence {
  private readonly manifests = new Map<string, IndexManifest>();
  private readonly shards = new Map<string, Map<number, VectorShard>>();
  private readonly graphs = new Map<string, StoredGraph>();

  async listManifests(): Promise<IndexManifest[]> {
    return structuredClone([...this.manifests.values()]);
  }

  async load(index: string, sinceGeneration: number, withGraph: boolean): Promise<IndexSnapshot | undefined> {
    const manifest = this.manifests.get(index);
    if (!manifest) return undefined;
    const stored = this.shards.get(index);
    const shards = manifest.shardGenerations.flatMap((generation, shard) => {
      const record = generation > sinceGeneration ? stored?.get(shard) : undefined;
      return record ? [record] : [];
    });
    const graph = withGraph ? this.graphs.get(index) : undefined;
    return structuredClone(graph ? { manifest, shards, graph } : { manifest, shards });
  }

  async commit(commit: IndexCommit): Promise<void> {
    const copy = structuredClone(commit);
    const name = copy.manifest.name;
    if (copy.replace) {
      this.shards.delete(name);
      this.graphs.delete(name);
    }
    const shards = this.shards.get(name) ?? new Map<number, VectorShard>();
    for (const shard of copy.shards) shards.set(shard.shard, shard);
    this.shards.set(name, shards);
    if (copy.graph) this.graphs.set(name, copy.graph);
    this.manifests.set(name, copy.manifest);
  }

  async deleteIndex(index: string): Promise<void> {
    this.manifests.delete(index);
    this.shards.delete(index);
    this.graphs.delete(index);
  }

  async close(): Promise<void> {}

  /** Test hook: change a stored shard or graph in place (simulates disk corruption). */
  tamper(
    index: string,
    change: (records: { shards: VectorShard[]; graph: StoredGraph | undefined }) => void,
  ): void {
    change({ shards: [...(this.shards.get(index)?.values() ?? [])], graph: this.graphs.get(index) });
  }
}
