import 'fake-indexeddb/auto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/index.js';
import { IndexedDBStorage, InMemoryStorage } from '../storage/index.js';
import { MDocument } from './document.js';
import { createKnowledgeBase } from './knowledge-base.js';
import type { RetrievalTimings } from './retrieval-types.js';
import { ExactVectorStore, HashEmbedder } from './testing/fakes.js';
import { runKnowledgeBaseScenario } from './testing/scenario.js';

async function fixtures(): Promise<File[]> {
  const names = ['sample.txt', 'sample.md', 'sample.html', 'sample.json', 'sample.pdf'];
  return Promise.all(
    names.map(
      async (name) =>
        new File([await readFile(new URL(`../../test/fixtures/rag/${name}`, import.meta.url))], name),
    ),
  );
}

describe('createKnowledgeBase', () => {
  it('ingests dropped files, resumes, retrieves with citations in every mode, replaces and deletes', async () => {
    // fake-indexeddb keeps the database across close/open, so the resume really reloads state.
    const indexedDB = new IDBFactory();
    await runKnowledgeBaseScenario(await fixtures(), () => IndexedDBStorage.open({ name: 'rag', indexedDB }));
    // ~1 s alone; the shared 2-core machine can be several times slower.
  }, 30_000);

  it('rejects bad retrieval options', async () => {
    const kb = createKnowledgeBase({
      embedder: new HashEmbedder(),
      vector: new ExactVectorStore(),
      store: new InMemoryStorage(),
      indexName: 'x',
    });
    await expect(kb.retrieve('q', { topK: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(kb.retrieve('q', { mode: 'fuzzy' as 'vector' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(await kb.retrieve('nothing ingested yet')).toEqual([]);
    expect(() =>
      createKnowledgeBase({
        embedder: new HashEmbedder(),
        vector: new ExactVectorStore(),
        store: new InMemoryStorage(),
        indexName: '',
      }),
    ).toThrow(InvalidArgumentError);
  });

  it('keeps knowledge bases that share a storage apart', async () => {
    const store = new InMemoryStorage();
    const shared = { embedder: new HashEmbedder(), vector: new ExactVectorStore(), store };
    const left = createKnowledgeBase({ ...shared, indexName: 'left' });
    const right = createKnowledgeBase({ ...shared, indexName: 'right' });
    await left.ingest([MDocument.fromText('Left side talks about kites.', { source: 'left.txt' })]);
    await right.ingest([MDocument.fromText('Right side talks about boats.', { source: 'right.txt' })]);
    expect((await left.listDocuments()).map((document) => document.id)).toEqual(['left.txt']);
    expect(await right.retrieve('kites', { mode: 'keyword' })).toEqual([]);
  });

  it('runs BM25 while the query embeds, reads only topK chunk records and reports stage timings', async () => {
    const events: string[] = [];
    const reads: string[][] = [];
    class CountingStorage extends InMemoryStorage {
      override async getChunksByIds(ids: string[]) {
        reads.push(ids);
        return super.getChunksByIds(ids);
      }
      override async listValues<T = unknown>(namespace: string, options?: { prefix?: string }) {
        if (namespace.startsWith('lumos.rag.keywords:')) events.push('keywords loaded');
        return super.listValues<T>(namespace, options);
      }
    }
    class SlowEmbedder extends HashEmbedder {
      override async embed(text: string) {
        events.push('embed started');
        await new Promise((resolve) => setTimeout(resolve, 30));
        events.push('embed finished');
        return super.embed(text);
      }
    }
    const parts = {
      embedder: new SlowEmbedder(),
      vector: new ExactVectorStore(),
      store: new CountingStorage(),
    };
    const ingesting = createKnowledgeBase({ ...parts, indexName: 'timed' });
    await ingesting.ingest(
      ['kites fly high', 'kites need wind', 'boats need wind', 'boats float', 'trains run'].map(
        (text, index) => MDocument.fromText(text, { source: `${index}.txt` }),
      ),
    );
    // The ingesting instance cached the records it wrote; a fresh one (a reload) must read them.
    await ingesting.retrieve('kites and wind', { topK: 2 });
    expect(reads).toEqual([]);
    const kb = createKnowledgeBase({ ...parts, indexName: 'timed' });
    events.length = 0;
    const timings: RetrievalTimings[] = [];
    const context = await kb.context('kites and wind', {
      topK: 2,
      mode: 'hybrid',
      onTimings: (stages) => timings.push(stages),
    });
    expect(context.citations).toHaveLength(2);
    expect(events).toEqual(['embed started', 'keywords loaded', 'embed finished']);
    // Five candidates were fused, but only the two returned were read.
    expect(reads).toEqual([context.chunks.map((chunk) => chunk.id)]);
    expect(timings).toHaveLength(1);
    const [first] = timings;
    expect(first!.embedMs).toBeGreaterThanOrEqual(25);
    expect(first!.storageReads).toBe(2);
    expect(first!.totalMs).toBeGreaterThanOrEqual(first!.embedMs + first!.vectorMs);
    expect(first!.totalMs).toBeGreaterThanOrEqual(first!.assembleMs);
    await kb.retrieve('kites and wind', { topK: 2, onTimings: (stages) => timings.push(stages) });
    expect(timings[1]!.storageReads).toBe(0);
    expect(timings[1]!.assembleMs).toBe(0);
    expect(reads).toHaveLength(1);
  });

  it('counts the tokens of a recurring passage once across queries', async () => {
    const kb = createKnowledgeBase({
      embedder: new HashEmbedder(),
      vector: new ExactVectorStore(),
      store: new InMemoryStorage(),
      indexName: 'counted',
    });
    await kb.ingest([
      MDocument.fromText('Kites fly high in the wind.', { source: 'kites.txt' }),
      MDocument.fromText('Boats float on calm water.', { source: 'boats.txt' }),
    ]);
    const counted: string[] = [];
    const countTokens = (text: string) => {
      counted.push(text);
      return text.split(/\s+/).length;
    };
    const first = await kb.context('kites wind', { topK: 2, countTokens, maxTokens: 500 });
    expect(first.citations.length).toBe(2);
    const firstCalls = counted.length;
    expect(firstCalls).toBe(3);
    const again = await kb.context('kites wind', { topK: 2, countTokens, maxTokens: 500 });
    expect(again).toEqual(first);
    expect(counted.length).toBe(firstCalls);
  });
});
