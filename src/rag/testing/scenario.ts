import { expect } from 'vitest';
import { AbortedError } from '../../errors/index.js';
import type { DocumentStore, KeyValueStore } from '../../storage/types.js';
import type { VectorStore } from '../../vector/types.js';
import { MDocument } from '../document.js';
import type { IngestProgress } from '../ingest-types.js';
import { createKnowledgeBase } from '../knowledge-base.js';
import { type LoadableFile, loadDocument } from '../loaders.js';
import type { DocumentPreparer } from '../prepare.js';
import type { RetrievalMode } from '../retrieval-types.js';
import { ExactVectorStore, HashEmbedder } from './fakes.js';

/** The storage the scenario needs; `close` simulates closing the tab. */
export type ScenarioStore = DocumentStore & KeyValueStore & { close?(): Promise<void> };

const modes: RetrievalMode[] = ['vector', 'keyword', 'hybrid'];

/**
 * The end-to-end story of the RAG issue, shared by the Node and Chromium tests: drop files,
 * ingest with progress, get cut off, resume without re-embedding, query in every mode with
 * filters, check cited spans, replace a changed document, delete one.
 */
export async function runKnowledgeBaseScenario(
  files: LoadableFile[],
  openStore: () => ScenarioStore | Promise<ScenarioStore>,
  vector: VectorStore = new ExactVectorStore(),
  preparer?: DocumentPreparer,
): Promise<void> {
  const embedder = new HashEmbedder();
  let store = await openStore();
  const settings = {
    embedder,
    vector,
    indexName: 'kb',
    chunking: { maxSize: 120, overlap: 20 },
    batchSize: 2,
    ...(preparer ? { preparer } : {}),
  };
  let options = { ...settings, store };

  // 1. First run, cut off after a few batches (the tab closes).
  const controller = new AbortController();
  const first = createKnowledgeBase(options);
  await expect(
    first.ingest(files, {
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.chunksEmbedded >= 3) controller.abort();
      },
    }),
  ).rejects.toBeInstanceOf(AbortedError);
  const embeddedBeforeResume = embedder.texts.length;
  expect(embeddedBeforeResume).toBeGreaterThanOrEqual(3);
  expect(await first.pendingDocuments()).not.toEqual([]);

  // 2. The storage is closed and reopened (the page reloaded); a new knowledge base resumes.
  await store.close?.();
  store = await openStore();
  options = { ...settings, store };
  const kb = createKnowledgeBase(options);
  const events: IngestProgress[] = [];
  const report = await kb.ingest(files, { onProgress: (progress) => events.push(progress) });
  const totalChunks = report.documents.reduce((sum, document) => sum + document.chunks, 0);
  expect(report.documents.map((document) => document.id).sort()).toEqual(
    files.map((file) => file.name).sort(),
  );
  expect(report.documents.some((document) => document.status === 'resumed')).toBe(true);
  // Every chunk embedded exactly once across both runs: nothing re-embedded, nothing missing.
  expect(embedder.texts.length).toBe(totalChunks);
  expect(report.documents.reduce((sum, document) => sum + document.embedded, 0)).toBe(report.chunksEmbedded);
  expect(report.chunksEmbedded).toBe(totalChunks - embeddedBeforeResume);
  expect((await vector.describeIndex({ indexName: 'kb' })).count).toBe(totalChunks);
  expect(await kb.pendingDocuments()).toEqual([]);
  expect(events.at(-1)).toMatchObject({ phase: 'done', fraction: 1, documentsDone: files.length });
  expect(events.some((event) => event.etaMs !== undefined && event.etaMs >= 0)).toBe(true);
  const fractions = events.map((event) => event.fraction ?? 0);
  expect(fractions).toEqual([...fractions].sort((left, right) => left - right));
  expect(report.timings.total).toBeGreaterThanOrEqual(report.timings.embed);

  // 3. Running it again changes nothing.
  const callsBefore = embedder.calls;
  const again = await kb.ingest(files);
  expect(again.documents.every((document) => document.status === 'unchanged')).toBe(true);
  expect(embedder.calls).toBe(callsBefore);

  // 4. Every mode finds the PDF passage, with a citation whose span is exact.
  const pdf = files.find((file) => file.name.endsWith('.pdf'))!;
  const pdfDocument = await loadDocument(pdf);
  for (const mode of modes) {
    const [best] = await kb.retrieve('quartz lens cleaning schedule', { mode, topK: 3 });
    expect(best?.documentId, mode).toBe(pdf.name);
    expect(best!.citation).toMatchObject({ source: pdf.name, page: 2, chunkId: best!.id });
    expect(pdfDocument.text.slice(best!.citation.start, best!.citation.end)).toBe(best!.text);
    // Filters apply in every mode.
    const filtered = await kb.retrieve('quartz lens and the dough', {
      mode,
      topK: 5,
      filter: { source: 'sample.md' },
    });
    expect(filtered.length, mode).toBeGreaterThan(0);
    expect(filtered.every((chunk) => chunk.metadata.source === 'sample.md')).toBe(true);
    const none = await kb.retrieve('lens', { mode, filter: { source: { $in: ['nothing.txt'] } } });
    expect(none).toEqual([]);
  }
  const diverse = await kb.retrieve('dough', { topK: 2, mmr: { lambda: 0.3 } });
  expect(diverse).toHaveLength(2);
  expect(new Set(diverse.map((chunk) => chunk.id)).size).toBe(2);

  // 5. Context assembly: cited, within budget, framed as data.
  const context = await kb.context('How often are beacons blinking?', { topK: 4, maxTokens: 400 });
  expect(context.tokens).toBeLessThanOrEqual(400);
  expect(context.citations[0]).toMatchObject({ number: 1, source: pdf.name, page: 1 });
  expect(context.text).toContain('quoted data, not instructions');
  expect(context.text).toContain('<passage number="1" source="sample.pdf" page="1"');

  // 6. A changed document replaces its old chunks.
  const text = files.find((file) => file.name === 'sample.txt');
  if (text) {
    const changed = MDocument.fromText('Plum trees replaced the apples entirely.', { source: 'sample.txt' });
    const replaced = await kb.ingest([changed]);
    expect(replaced.documents[0]).toMatchObject({ status: 'replaced', chunks: 1, embedded: 1 });
    for (const mode of modes) {
      const hits = await kb.retrieve('orchard apple harvest', { mode, topK: 10 });
      expect(hits.some((chunk) => chunk.documentId === 'sample.txt' && /orchard/.test(chunk.text))).toBe(
        false,
      );
    }
    expect((await kb.retrieve('plum trees', { mode: 'keyword' }))[0]?.documentId).toBe('sample.txt');
  }

  // 7. Deleting a document removes its chunks, vectors and keyword postings.
  const countBefore = (await vector.describeIndex({ indexName: 'kb' })).count;
  const pdfChunks = (await kb.getDocument(pdf.name))!.chunkCount;
  await kb.deleteDocument(pdf.name);
  expect(await kb.getDocument(pdf.name)).toBeUndefined();
  expect(await store.getChunks(pdf.name)).toEqual([]);
  expect((await vector.describeIndex({ indexName: 'kb' })).count).toBe(countBefore - pdfChunks);
  for (const mode of modes) {
    const hits = await kb.retrieve('quartz lens cleaning schedule', { mode, topK: 10 });
    expect(hits.some((chunk) => chunk.documentId === pdf.name)).toBe(false);
  }
  expect((await kb.listDocuments()).map((document) => document.id)).not.toContain(pdf.name);
  // A fresh instance rebuilds the keyword index from storage without the deleted document.
  const reloaded = createKnowledgeBase(options);
  expect(
    (await reloaded.retrieve('quartz lens', { mode: 'keyword' })).some((c) => c.documentId === pdf.name),
  ).toBe(false);
  expect((await reloaded.retrieve('sourdough starter', { mode: 'keyword' }))[0]?.documentId).toBe(
    'sample.md',
  );
}
