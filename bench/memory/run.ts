// bench/memory: building the context for a new turn of a 10,000-message thread (last messages +
// semantic recall + working memory) and appending a message, ours (IndexedDBStorage + Memory +
// BrowserVector HNSW + LocalEmbedder) vs the naive approach (the thread as one array record:
// load it all, scan every vector) in the same Chromium page. Also getAll-over-a-key-range vs a
// reverse cursor for the last N messages. `npm run bench -- memory`.
// Targets (issue 5): context p95 ≤ 30 ms with the real embedder; append p95 ≤ 2 ms.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { realEmbedder, realModelSha256 } from '../../src/embed/real-model-support.js';
import { runBrowserBench } from '../support/browser.js';
import { row, writeResults } from '../support/results.js';
import { conversation } from './corpus.js';

interface Timing {
  p50: number;
  p95: number;
}
interface PageResult {
  messages: number;
  ours: {
    context: Timing;
    contextWithoutEmbedding: Timing;
    append: Timing;
    appendStorage: Timing;
    appendQuiet: Timing;
    searchable: Timing;
    listThreads: Timing;
    lastGetAll: Timing;
    recalledPerTurn: number;
  };
  naive: {
    context: Timing;
    contextWithoutEmbedding: Timing;
    append: Timing;
    lastCursor: Timing;
    listThreadsCursor: Timing;
  };
  appendFloor: Timing;
  queryEmbed: Timing;
  seedMs: number;
}

const count = 10_000;
const messages = conversation(count);
mkdirSync('bench/memory/generated', { recursive: true });
writeFileSync('bench/memory/generated/messages.json', JSON.stringify(messages));

// Seeding vectors: embedded once in Node with the same int8 model and pipeline the page uses
// for queries (onnxruntime-node is ~5× faster than WASM; the page would need ~2 minutes), and
// kept in bench/memory/generated/ for the next run (the corpus is deterministic).
const vectorFile = 'bench/memory/generated/vectors.bin';
const modelFile = 'bench/memory/generated/vectors.model';
const model = realModelSha256('int8');
if (
  !existsSync(vectorFile) ||
  statSync(vectorFile).size !== count * 384 * 4 ||
  !existsSync(modelFile) ||
  readFileSync(modelFile, 'utf8') !== model
) {
  const native = await import('onnxruntime-node');
  const embedder = realEmbedder('int8', { core: { runtime: async () => native as never } });
  await embedder.ready();
  const started = performance.now();
  const vectors = await embedder.embedMany(messages.map((message) => message.content));
  console.log(`embedded ${count} messages in Node in ${Math.round(performance.now() - started)} ms`);
  embedder.dispose();
  const packed = new Float32Array(count * 384);
  for (const [index, vector] of vectors.entries()) packed.set(vector, index * 384);
  writeFileSync(vectorFile, new Uint8Array(packed.buffer));
  writeFileSync(modelFile, model);
}

// MEMORY_BENCH_MESSAGES / _TURNS / _APPENDS shrink a development run on the shared machine; such
// a run prints its figures but does not write bench/results (those come from the full run).
const sizes = {
  messages: process.env.MEMORY_BENCH_MESSAGES,
  turns: process.env.MEMORY_BENCH_TURNS,
  appends: process.env.MEMORY_BENCH_APPENDS,
};
const query = Object.fromEntries(
  Object.entries(sizes).flatMap(([key, value]) => (value ? [[key, value]] : [])),
);
const { result, browser } = await runBrowserBench<PageResult>({ page: '/bench/memory/index.html', query });
console.log(JSON.stringify(result, null, 2));
if (Object.keys(query).length > 0) {
  console.log('reduced-size run: bench/results/memory.json left as it was');
  process.exit(0);
}

const notes = `10,000-message thread; lastMessages 20, semanticRecall topK 4 ± 1 neighbour, working memory on; query embedding p50 ${result.queryEmbed.p50.toFixed(1)} ms / p95 ${result.queryEmbed.p95.toFixed(1)} ms (LocalEmbedder int8, 1 worker; its 2-thread query worker is on only from 4 cores); ${result.ours.recalledPerTurn.toFixed(1)} recalled messages per turn`;
writeResults(
  'memory',
  [
    row({
      case: 'context for a new turn p95',
      unit: 'ms',
      better: 'lower',
      ours: result.ours.context.p95,
      peer: 'naive: thread as one array record, load all + scan all vectors (same embedder)',
      peerValue: result.naive.context.p95,
      target: 'ours <= 30',
      met: result.ours.context.p95 <= 30,
      notes: `${notes}; p50 ours ${result.ours.context.p50.toFixed(1)} ms, naive ${result.naive.context.p50.toFixed(1)} ms`,
    }),
    row({
      case: 'context for a new turn p95, query embedding precomputed (memory alone)',
      unit: 'ms',
      better: 'lower',
      ours: result.ours.contextWithoutEmbedding.p95,
      peer: 'naive, same precomputed query vector',
      peerValue: result.naive.contextWithoutEmbedding.p95,
      target: 'diagnostic (the issue target includes the embedder)',
      met: true,
      notes: `p50 ours ${result.ours.contextWithoutEmbedding.p50.toFixed(1)} ms, naive ${result.naive.contextWithoutEmbedding.p50.toFixed(1)} ms`,
    }),
    row({
      case: 'append one message p95 (memory.saveMessages)',
      unit: 'ms',
      better: 'lower',
      ours: result.ours.append.p95,
      peer: 'naive: read-modify-write the thread array record',
      peerValue: result.naive.append.p95,
      target: 'ours <= 2',
      met: result.ours.append.p95 <= 2,
      notes: `p50 ours ${result.ours.append.p50.toFixed(2)} ms; embedding runs in the background; storage.appendMessages right after (while that embedding runs) p50 ${result.ours.appendStorage.p50.toFixed(2)} / p95 ${result.ours.appendStorage.p95.toFixed(2)} ms`,
    }),
    row({
      case: 'append one message p95 (storage.appendMessages, no background work)',
      unit: 'ms',
      better: 'lower',
      ours: result.ours.appendQuiet.p95,
      peer: 'floor: one add in one relaxed transaction, no thread read or update (not a valid append)',
      peerValue: result.appendFloor.p95,
      target: 'diagnostic (what the thread read + update cost)',
      met: true,
      notes: `p50 ours ${result.ours.appendQuiet.p50.toFixed(2)} ms, floor ${result.appendFloor.p50.toFixed(2)} ms`,
    }),
    row({
      case: 'appended message searchable after p95 (background: embedding + vector upsert committed to IndexedDB)',
      unit: 'ms',
      better: 'lower',
      ours: result.ours.searchable.p95,
      peer: 'reference: the query embedding alone, p95 (same embedder)',
      peerValue: result.queryEmbed.p95,
      target: 'diagnostic (never blocks the append or the reply)',
      met: true,
      notes: `p50 ${result.ours.searchable.p50.toFixed(1)} ms, from saveMessages resolving until Memory.idle() (one more storage append runs alongside); the vector index is persisted, BrowserVector's default`,
    }),
    row({
      case: 'list threads p95 (page of 20 at offset 0–60, 100 threads per resource, 1,000 in all)',
      unit: 'ms',
      better: 'lower',
      ours: result.ours.listThreads.p95,
      peer: 'reverse value cursor over the same index (advance + continue per record)',
      peerValue: result.naive.listThreadsCursor.p95,
      target: 'design choice (key cursor skip + one getAll)',
      met: true,
      notes: `p50 ours ${result.ours.listThreads.p50.toFixed(2)} ms, cursor ${result.naive.listThreadsCursor.p50.toFixed(2)} ms`,
    }),
    row({
      case: 'last 20 messages of 10,000 p95 (getAll over [threadId, seq] range)',
      unit: 'ms',
      better: 'lower',
      ours: result.ours.lastGetAll.p95,
      peer: 'reverse cursor over the same index',
      peerValue: result.naive.lastCursor.p95,
      target: 'reference (design choice)',
      met: true,
      notes: `p50 getAll ${result.ours.lastGetAll.p50.toFixed(2)} ms, cursor ${result.naive.lastCursor.p50.toFixed(2)} ms`,
    }),
  ],
  { browser, extra: { page: result } },
);
