import { DecryptionError } from '../errors/index.js';
import type {
  IndexCommit,
  IndexManifest,
  IndexSnapshot,
  StoredGraph,
  VectorPersistence,
  VectorShard,
} from '../vector/persistence.js';
import type { Cipher, EncryptedValue } from './encryption.js';

type SealedShard = VectorShard & { sealed?: EncryptedValue; sealedVectors?: EncryptedValue };
type SealedGraph = StoredGraph & { sealed?: EncryptedValue; sealedBytes?: EncryptedValue };

interface ShardContent {
  ids: string[];
  metadata: Record<string, unknown>[];
  deleted: number[];
  checksum: number;
}

function notEncrypted(what: string): DecryptionError {
  return new DecryptionError(`The stored ${what} is not encrypted.`, {
    hint: 'It was written without an encryption key; delete the index and rebuild it with the key set.',
  });
}

/**
 * A `VectorPersistence` that encrypts what it hands to the wrapped one: each shard's packed
 * vector bytes (one AES-GCM value), its ids, metadata, tombstones and checksum (another), and
 * the serialized HNSW graph. The manifest (name, dimension, metric, counts, generations) stays
 * in the clear: loading and cross-tab sync need it, and it holds no content.
 */
export class EncryptedVectorPersistence implements VectorPersistence {
  constructor(
    private readonly inner: VectorPersistence,
    private readonly cipher: Cipher,
  ) {}

  listManifests(): Promise<IndexManifest[]> {
    return this.inner.listManifests();
  }

  async load(index: string, sinceGeneration: number, withGraph: boolean): Promise<IndexSnapshot | undefined> {
    const snapshot = await this.inner.load(index, sinceGeneration, withGraph);
    if (!snapshot) return undefined;
    const shards = await Promise.all(snapshot.shards.map((shard) => this.openShard(shard)));
    if (!snapshot.graph) return { manifest: snapshot.manifest, shards };
    return { manifest: snapshot.manifest, shards, graph: await this.openGraph(snapshot.graph) };
  }

  async commit(commit: IndexCommit): Promise<void> {
    const sealed: IndexCommit = {
      ...commit,
      shards: await Promise.all(commit.shards.map((shard) => this.sealShard(shard))),
    };
    if (commit.graph) sealed.graph = await this.sealGraph(commit.graph);
    await this.inner.commit(sealed);
  }

  deleteIndex(index: string): Promise<void> {
    return this.inner.deleteIndex(index);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async sealShard(shard: VectorShard): Promise<SealedShard> {
    const content: ShardContent = {
      ids: shard.ids,
      metadata: shard.metadata,
      deleted: Array.from(shard.deleted),
      checksum: shard.checksum,
    };
    const [sealed, sealedVectors] = await Promise.all([
      this.cipher.encryptJSON(content),
      this.cipher.encryptBytes(new Uint8Array(shard.vectors)),
    ]);
    return {
      index: shard.index,
      shard: shard.shard,
      generation: shard.generation,
      vectors: new ArrayBuffer(0),
      ids: [],
      metadata: [],
      deleted: new Uint8Array(0),
      checksum: 0,
      sealed,
      sealedVectors,
    };
  }

  private async openShard(stored: VectorShard): Promise<VectorShard> {
    const { sealed, sealedVectors } = stored as SealedShard;
    if (!sealed || !sealedVectors) throw notEncrypted(`shard ${stored.index}/${stored.shard}`);
    const [content, bytes] = await Promise.all([
      this.cipher.decryptJSON<ShardContent>(sealed),
      this.cipher.decryptBytes(sealedVectors),
    ]);
    return {
      index: stored.index,
      shard: stored.shard,
      generation: stored.generation,
      vectors: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      ids: content.ids,
      metadata: content.metadata,
      deleted: Uint8Array.from(content.deleted),
      checksum: content.checksum,
    };
  }

  private async sealGraph(graph: StoredGraph): Promise<SealedGraph> {
    const [sealed, sealedBytes] = await Promise.all([
      this.cipher.encryptJSON({ checksum: graph.checksum }),
      this.cipher.encryptBytes(new Uint8Array(graph.bytes)),
    ]);
    return {
      index: graph.index,
      nodeCount: graph.nodeCount,
      bytes: new ArrayBuffer(0),
      checksum: 0,
      sealed,
      sealedBytes,
    };
  }

  private async openGraph(stored: StoredGraph): Promise<StoredGraph> {
    const { sealed, sealedBytes } = stored as SealedGraph;
    if (!sealed || !sealedBytes) throw notEncrypted(`graph of ${stored.index}`);
    const [content, bytes] = await Promise.all([
      this.cipher.decryptJSON<{ checksum: number }>(sealed),
      this.cipher.decryptBytes(sealedBytes),
    ]);
    return {
      index: stored.index,
      nodeCount: stored.nodeCount,
      bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      checksum: content.checksum,
    };
  }
}
