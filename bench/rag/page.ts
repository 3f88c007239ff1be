// Runs in Chromium (bench/rag/run.ts opens it): ingest the same documents end to end with Lumos
// (LocalEmbedder workers + BrowserVector WASM HNSW worker + IndexedDBStorage) and with the naive
// pipeline, then time queries (embed + search + assemble) on each. Reports via __benchResult.
import { LocalEmbedder } from '../../src/embed/index.js';
import { createKnowledgeBase, MDocument } from '../../src/rag/index.js';
import { IndexedDBStorage } from '../../src/storage/index.js';
import { BrowserVector } from '../../src/vector/index.js';
import { naivePipeline } from './naive.js';

const model = 'Xenova/all-MiniLM-L6-v2';
const params = new URLSearchParams(location.search);
const workers = Number(params.get('workers') ?? 2);
const log = (line: string) => {
  console.log(line);
  document.querySelector('#log')!.textContent += `${line}\n`;
};

interface Corpus {
  documents: { id: string; text: string }[];
  queries: string[];
}

async function timeQueries(queries: string[], run: (query: string) => Promise<unknown>): Promise<number[]> {
  for (const query of queries.slice(0, 5)) await run(query);
  const times: number[] = [];
  for (const query of queries) {
    const started = performance.now();
    await run(query);
    times.push(performance.now() - started);
  }
  return times;
}

async function ours({ documents, queries }: Corpus) {
  const suffix = Date.now();
  const store = await IndexedDBStorage.open({ name: `lumos-rag-bench-${suffix}` });
  const vector = new BrowserVector({ databaseName: `lumos-rag-bench-vectors-${suffix}` });
  const embedder = new LocalEmbedder({
    model,
    baseUrl: `${location.origin}/models/{model}/`,
    workers,
    cache: false,
    cacheName: false,
  });
  await embedder.ready();
  const kb = createKnowledgeBase({
    embedder,
    vector,
    store,
    indexName: 'bench',
    chunking: { maxSize: 1000, overlap: 100 },
  });
  let lastLog = 0;
  const started = performance.now();
  const report = await kb.ingest(
    // Plain text + recursive 1,000/100 chunks: the same chunk sizes as the naive windows, so
    // both sides embed comparable work (the markdown strategy makes ~1.7× more, smaller chunks).
    documents.map((document) => MDocument.fromText(document.text, { source: document.id })),
    {
      onProgress: (progress) => {
        if (performance.now() - lastLog > 5000) {
          lastLog = performance.now();
          log(
            `ours: ${progress.documentsDone}/${progress.documentsTotal}, eta ${Math.round((progress.etaMs ?? 0) / 1000)} s`,
          );
        }
      },
    },
  );
  const ingestMs = performance.now() - started;
  const chunks = report.documents.reduce((sum, document) => sum + document.chunks, 0);
  const vectorTimes = await timeQueries(queries, (query) =>
    kb.context(query, { topK: 5, mode: 'vector', maxTokens: 1500 }),
  );
  const hybridTimes = await timeQueries(queries, (query) =>
    kb.context(query, { topK: 5, mode: 'hybrid', maxTokens: 1500 }),
  );
  embedder.dispose();
  await vector.close();
  await store.close();
  return { ingestMs, chunks, timings: report.timings, vectorTimes, hybridTimes };
}

async function naive({ documents, queries }: Corpus) {
  const pipeline = await naivePipeline(model);
  const started = performance.now();
  const report = await pipeline.ingest(documents);
  const ingestMs = performance.now() - started;
  const times = await timeQueries(queries, (query) => pipeline.query(query));
  pipeline.close();
  return { ingestMs, chunks: report.chunks, timings: report.timings, vectorTimes: times };
}

try {
  const corpus = (await (await fetch('/test/fixtures/generated/rag-bench-corpus.json')).json()) as Corpus;
  const bytes = corpus.documents.reduce((sum, document) => sum + document.text.length, 0);
  log(
    `${corpus.documents.length} documents, ${bytes} characters, ${corpus.queries.length} queries, crossOriginIsolated=${crossOriginIsolated}`,
  );
  const mine = await ours(corpus);
  log(`ours: ingest ${Math.round(mine.ingestMs)} ms, ${mine.chunks} chunks, ${JSON.stringify(mine.timings)}`);
  const theirs = await naive(corpus);
  log(
    `naive: ingest ${Math.round(theirs.ingestMs)} ms, ${theirs.chunks} chunks, ${JSON.stringify(theirs.timings)}`,
  );
  (globalThis as Record<string, unknown>).__benchResult = {
    documents: corpus.documents.length,
    bytes,
    workers,
    ours: mine,
    naive: theirs,
  };
} catch (error) {
  (globalThis as Record<string, unknown>).__benchResult = { error: String((error as Error)?.stack ?? error) };
}
