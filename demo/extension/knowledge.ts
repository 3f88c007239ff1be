/// <reference types="chrome" />
import { LocalEmbedder } from 'lumosai/embed';
import { createKnowledgeBase, type KnowledgeBase, MDocument } from 'lumosai/rag';
import { IndexedDBStorage } from 'lumosai/storage';
import { BrowserVector } from 'lumosai/vector';
import type { SavedPage, SearchHit } from './messages.js';

/**
 * The extension's knowledge base: the model files ship inside the extension, the embedder and the
 * vector index run in workers started by this (offscreen or extension) page, state in IndexedDB.
 */
export async function openKnowledge(): Promise<{
  knowledge: KnowledgeBase;
  ingestPage(page: SavedPage): Promise<{ chunks: number }>;
  search(query: string, topK: number): Promise<SearchHit[]>;
}> {
  const storage = await IndexedDBStorage.open({ name: 'lumos-extension' });
  const embedder = new LocalEmbedder({
    model: 'Xenova/all-MiniLM-L6-v2',
    baseUrl: chrome.runtime.getURL('models/{model}/'),
    cacheName: false,
  });
  const knowledge = createKnowledgeBase({
    embedder,
    vector: new BrowserVector(),
    store: storage,
    indexName: 'saved-pages',
  });
  return {
    knowledge,
    async ingestPage(page) {
      const document = MDocument.fromText(page.text, {
        source: page.url,
        title: page.title,
        savedAt: page.savedAt,
      });
      const report = await knowledge.ingest([document]);
      return { chunks: report.documents.reduce((sum, entry) => sum + entry.chunks, 0) };
    },
    async search(query, topK) {
      const hits = await knowledge.retrieve(query, { topK, mode: 'hybrid' });
      return hits.map((hit) => ({
        text: hit.text,
        score: hit.score,
        url: hit.citation.source ?? '',
        title: hit.citation.title ?? hit.citation.source ?? '',
        start: hit.start,
        end: hit.end,
      }));
    },
  };
}
