// Known-item retrieval over real READMEs: query = a package's package.json `description`,
// target = that package's README (with the description's exact text removed from it, so the
// query is not a verbatim copy of the target). Reports recall@1, recall@10, MRR and nDCG@10 for
// our vector, keyword and hybrid modes, against a plain BM25 over whole documents.
// Run: npm run bench -- rag-quality   (ITEMS=300 by default)
import { realEmbedder } from '../../src/embed/real-model-support.js';
import {
  Bm25Index,
  createKnowledgeBase,
  MDocument,
  type RetrievalMode,
  termFrequencies,
} from '../../src/rag/index.js';
import { ExactVectorStore } from '../../src/rag/testing/fakes.js';
import { keywordTerms } from '../../src/rag/words.js';
import { InMemoryStorage } from '../../src/storage/index.js';
import { packageReadmes, spread } from '../rag/corpus.js';
import { type BenchRow, row, writeResults } from '../support/results.js';

const itemCount = Number(process.env.ITEMS ?? 300);
// The head of a README is what describes the package; capping it keeps the run to minutes here.
const maxReadme = Number(process.env.MAX_README ?? 4000);

interface Metrics {
  recallAt1: number;
  recallAt10: number;
  mrr: number;
  ndcgAt10: number;
}

function score(ranks: (number | undefined)[]): Metrics {
  const total = ranks.length;
  const sum = (value: (rank: number) => number) =>
    ranks.reduce<number>((acc, rank) => acc + (rank === undefined ? 0 : value(rank)), 0) / total;
  return {
    recallAt1: sum((rank) => (rank === 1 ? 1 : 0)),
    recallAt10: sum((rank) => (rank <= 10 ? 1 : 0)),
    mrr: sum((rank) => 1 / rank),
    ndcgAt10: sum((rank) => (rank <= 10 ? 1 / Math.log2(rank + 1) : 0)),
  };
}

/** Rank (from 1) of `target` among documents, ordered by their best chunk. */
function documentRank(documentIds: string[], target: string): number | undefined {
  const seen: string[] = [];
  for (const id of documentIds) if (!seen.includes(id)) seen.push(id);
  const index = seen.indexOf(target);
  return index === -1 ? undefined : index + 1;
}

const all = packageReadmes();
const items = spread(all, itemCount).map((item) => ({
  ...item,
  readme: item.readme.split(item.description).join(' ').slice(0, maxReadme),
}));
console.log(`${all.length} packages with description and README; using ${items.length}`);

// Reference: plain BM25 over whole documents.
const whole = new Bm25Index();
for (const item of items) {
  whole.add({ id: item.name, documentId: item.name, ...termFrequencies(item.readme), metadata: {} });
}
const referenceRanks = items.map((item) =>
  documentRank(
    whole.search(keywordTerms(item.description), 100).map((hit) => hit.id),
    item.name,
  ),
);

const native = await import('onnxruntime-node');
const embedder = realEmbedder('int8', { core: { runtime: async () => native as never } });
const kb = createKnowledgeBase({
  embedder,
  vector: new ExactVectorStore(),
  store: new InMemoryStorage(),
  indexName: 'readmes',
  chunking: { maxSize: 1000, overlap: 100 },
});
const started = performance.now();
await embedder.ready();
console.log(`model loaded in ${Math.round(performance.now() - started)} ms`);
const ingestStart = performance.now();
let lastLog = performance.now();
const report = await kb.ingest(
  items.map((item) => MDocument.fromMarkdown(item.readme, { source: item.name })),
  {
    onProgress: (progress) => {
      if (performance.now() - lastLog < 30_000) return;
      lastLog = performance.now();
      const eta = Math.round((progress.etaMs ?? 0) / 1000);
      console.log(`  ${progress.documentsDone}/${progress.documentsTotal} documents, eta ${eta} s`);
    },
  },
);
const chunks = report.documents.reduce((sum, document) => sum + document.chunks, 0);
console.log(
  `ingested ${items.length} READMEs as ${chunks} chunks in ${Math.round(performance.now() - ingestStart)} ms`,
);

const modes: RetrievalMode[] = ['vector', 'keyword', 'hybrid'];
const results: Record<string, Metrics> = { reference: score(referenceRanks) };
for (const mode of modes) {
  const ranks: (number | undefined)[] = [];
  for (const item of items) {
    const hits = await kb.retrieve(item.description, { mode, topK: 200, candidates: 200 });
    ranks.push(
      documentRank(
        hits.map((hit) => hit.documentId),
        item.name,
      ),
    );
  }
  results[mode] = score(ranks);
  console.log(`${mode}: ${JSON.stringify(results[mode])}`);
}
await (embedder as unknown as { close?: () => Promise<void> }).close?.();
console.table(results);

const metrics: (keyof Metrics)[] = ['recallAt1', 'recallAt10', 'mrr', 'ndcgAt10'];
const rows: BenchRow[] = [];
for (const mode of modes) {
  for (const metric of metrics) {
    const ours = results[mode]![metric];
    const reference = results.reference![metric];
    const isHybrid = mode === 'hybrid';
    const bestSingle = Math.max(results.vector![metric], results.keyword![metric]);
    rows.push(
      row({
        case: `${mode} ${metric}`,
        unit: 'fraction',
        better: 'higher',
        ours,
        peer: 'BM25 over whole documents',
        peerValue: reference,
        target: isHybrid ? 'hybrid > vector, keyword and reference' : 'reported',
        met: isHybrid ? ours > bestSingle && ours > reference : true,
        notes: `${items.length} known items, ${chunks} chunks (recursive/markdown 1000 chars, overlap 100), all-MiniLM-L6-v2 int8, exact vector search`,
      }),
    );
  }
}
writeResults('rag-quality', rows, { extra: { items: items.length, chunks, results } });
process.exit(0);
