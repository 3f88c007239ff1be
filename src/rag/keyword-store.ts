import type { KeyValueStore } from '../storage/types.js';
import { Bm25Index, type KeywordEntry } from './bm25.js';

/**
 * The BM25 index of one knowledge base, persisted as one key-value record per document (its
 * chunks' term counts), loaded once into memory and kept in step incrementally.
 */
export class PersistedKeywordIndex {
  private index: Bm25Index | undefined;
  private loading: Promise<Bm25Index> | undefined;
  private readonly namespace: string;

  constructor(
    private readonly store: KeyValueStore,
    indexName: string,
  ) {
    this.namespace = `lumos.rag.keywords:${indexName}`;
  }

  /** The in-memory index, loaded from storage on first use. */
  load(): Promise<Bm25Index> {
    if (this.index) return Promise.resolve(this.index);
    this.loading ??= (async () => {
      const index = new Bm25Index();
      for (const { value } of await this.store.listValues<KeywordEntry[]>(this.namespace)) {
        for (const entry of value) index.add(entry);
      }
      this.index = index;
      return index;
    })();
    return this.loading;
  }

  /** Replaces a document's entries (storage first, then memory). */
  async putDocument(documentId: string, entries: KeywordEntry[]): Promise<void> {
    await this.store.setValue(this.namespace, documentId, entries);
    if (this.index) {
      this.index.removeDocument(documentId);
      for (const entry of entries) this.index.add(entry);
    }
  }

  async deleteDocument(documentId: string): Promise<void> {
    await this.store.deleteValue(this.namespace, documentId);
    this.index?.removeDocument(documentId);
  }
}
