import type { Storage } from '../storage/types.js';
import type { VectorStore } from '../vector/types.js';

export interface DeleteResourceOptions {
  /** The owner to forget (a user id). */
  resourceId: string;
  /** Messages, threads, working memory, documents, chunks, snapshots, traces, eval results. */
  storage: Storage;
  /** The vector store holding memory-recall and knowledge-base vectors. */
  vector?: VectorStore;
  /**
   * Vector indexes to clean: vectors whose metadata `resourceId` is the resource (semantic
   * recall) or whose `documentId` is one of its documents (knowledge bases). The same names are
   * used for the knowledge bases' keyword postings and ingestion progress. Indexes that do not
   * exist are skipped.
   * @default every index of `vector`
   */
  indexNames?: string[];
}

function hasCompact(
  vector: VectorStore,
): vector is VectorStore & { compact(params: { indexName: string }): Promise<void> } {
  return typeof (vector as { compact?: unknown }).compact === 'function';
}

/** Key-value namespaces of a knowledge base keyed by document id. */
const documentNamespaces = (indexName: string) => [
  `lumos.rag.keywords:${indexName}`,
  `lumos.rag.progress:${indexName}`,
];

/**
 * Removes every trace of a resource from the whole stack: its vectors (by metadata filter, then
 * the index is compacted when the store can, e.g. `BrowserVector`/`VectorCore`, so the deleted
 * vectors' bytes leave the shards) and knowledge-base keyword postings first, then everything `storage.deleteAll` covers. Vectors go
 * first so a crash halfway leaves the documents listed (and the call can simply be repeated).
 */
export async function deleteResource(options: DeleteResourceOptions): Promise<void> {
  const { resourceId, storage, vector } = options;
  const documentIds: string[] = [];
  for (let offset = 0; ; ) {
    const page = await storage.listDocuments({ resourceId, offset, limit: 500 });
    documentIds.push(...page.items.map((document) => document.id));
    offset += page.items.length;
    if (!page.hasMore || page.items.length === 0) break;
  }
  const existing = vector ? await vector.listIndexes() : [];
  const indexNames = options.indexNames ?? existing;
  for (const indexName of indexNames) {
    if (vector && existing.includes(indexName)) {
      const filter =
        documentIds.length > 0
          ? { $or: [{ resourceId }, { documentId: { $in: documentIds } }] }
          : { resourceId };
      await vector.deleteVectors({ indexName, filter });
      // Deleted vectors are tombstones in their shard until compaction rewrites it.
      if (hasCompact(vector)) await vector.compact({ indexName });
    }
    for (const namespace of documentNamespaces(indexName)) {
      for (const documentId of documentIds) await storage.deleteValue(namespace, documentId);
    }
  }
  await storage.deleteAll({ resourceId });
}
