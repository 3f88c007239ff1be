// bench/embed: our LocalEmbedder vs transformers.js' pipeline('feature-extraction') in one Chromium
// page (same model files, same 1,000 README paragraphs), plus onnxruntime-node as the native
// reference. `npm run bench -- embed`. Targets (issue 3): ≥ 1.5× the peer's throughput, single short
// query p50 ≤ 15 ms warm, model load from the Cache API ≤ 1.5 s.
import { mkdirSync, writeFileSync } from 'node:fs';
import { realEmbedder } from '../../src/embed/real-model-support.js';
import { runBrowserBench } from '../support/browser.js';
import { row, writeResults } from '../support/results.js';
import { readmeParagraphs } from './corpus.js';

interface Side {
  coldLoadMs: number;
  loadMs: number;
  throughputMs: number;
  singleP50: number;
}
interface PageResult {
  texts: number;
  workers: number;
  hardwareConcurrency: number;
  ours: Side;
  peer: Side;
  worstCosineOursVsPeer: number;
}

const count = 1000;
const paragraphs = readmeParagraphs();
const step = paragraphs.length / count;
const texts = Array.from({ length: count }, (_, index) => paragraphs[Math.floor(index * step)]!);
mkdirSync('test/fixtures/generated', { recursive: true });
writeFileSync('test/fixtures/generated/embed-bench-texts.json', JSON.stringify(texts));
const characters = texts.map((text) => text.length).sort((a, b) => a - b);
console.log(`${count} texts, ${characters[0]}–${characters.at(-1)} chars, median ${characters[count / 2]}`);

const workers = process.env.LUMOS_BENCH_WORKERS ?? '2';
const { result, browser } = await runBrowserBench<PageResult>({
  page: '/bench/embed/index.html',
  query: { workers },
});

const native = await import('onnxruntime-node');
const node = realEmbedder('int8', { core: { runtime: async () => native as never } });
await node.ready();
const started = performance.now();
await node.embedMany(texts);
const nodeMs = performance.now() - started;
node.dispose();

const perSecond = (ms: number) => (count / ms) * 1000;
const ours = perSecond(result.ours.throughputMs);
const peer = perSecond(result.peer.throughputMs);
const notes = `${result.workers} workers × 1 thread, hardwareConcurrency ${result.hardwareConcurrency}; worst cosine ours vs peer ${result.worstCosineOursVsPeer.toFixed(5)}`;
writeResults(
  'embed',
  [
    row({
      case: 'throughput, 1,000 README paragraphs',
      unit: 'texts/s',
      better: 'higher',
      ours,
      peer: 'transformers.js 4.3.1 pipeline (batches of 32, q8)',
      peerValue: peer,
      target: 'ratio >= 1.5',
      met: ours / peer >= 1.5,
      notes,
    }),
    row({
      case: 'single short query p50 (warm)',
      unit: 'ms',
      better: 'lower',
      ours: result.ours.singleP50,
      peer: 'transformers.js 4.3.1 pipeline',
      peerValue: result.peer.singleP50,
      target: 'ours <= 15',
      met: result.ours.singleP50 <= 15,
    }),
    row({
      case: 'model load from Cache API (2nd load)',
      unit: 'ms',
      better: 'lower',
      ours: result.ours.loadMs,
      peer: 'transformers.js 4.3.1 pipeline',
      peerValue: result.peer.loadMs,
      target: 'ours <= 1500',
      met: result.ours.loadMs <= 1500,
      notes: `first (cold) load: ours ${Math.round(result.ours.coldLoadMs)} ms, peer ${Math.round(result.peer.coldLoadMs)} ms`,
    }),
    row({
      case: 'throughput vs native (reference ratio)',
      unit: 'texts/s',
      better: 'higher',
      ours,
      peer: 'onnxruntime-node 1.30 (Node, our pipeline, 1 session)',
      peerValue: perSecond(nodeMs),
      target: 'reference only',
      met: true,
    }),
  ],
  { browser, extra: { page: result } },
);
