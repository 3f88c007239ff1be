// Runs in Chromium (bench/embed/run.ts opens it): the same model files, the same texts, ours and
// transformers.js' `pipeline('feature-extraction')` one after the other, reported via __benchResult.
import { env, pipeline } from '@huggingface/transformers';
import { LocalEmbedder } from '../../src/embed/index.js';

const model = 'Xenova/all-MiniLM-L6-v2';
const params = new URLSearchParams(location.search);
const workers = Number(params.get('workers') ?? 2);
const queries = 40;
const log = (line: string) => {
  console.log(line);
  document.querySelector('#log')!.textContent += `${line}\n`;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function ours(texts: string[]) {
  const options = {
    model,
    baseUrl: `${location.origin}/models/{model}/`,
    workers,
    cacheName: 'bench-ours',
    cache: false as const,
  };
  const cold = new LocalEmbedder(options);
  let started = performance.now();
  await cold.ready();
  const coldLoadMs = performance.now() - started;
  cold.dispose();
  const embedder = new LocalEmbedder(options);
  started = performance.now();
  await embedder.ready();
  const loadMs = performance.now() - started;
  const loadTimings = embedder.loadTimings;
  await embedder.embedMany(texts.slice(0, 8));
  started = performance.now();
  const vectors = await embedder.embedMany(texts);
  const throughputMs = performance.now() - started;
  const single: number[] = [];
  for (let index = 0; index < queries; index++) {
    started = performance.now();
    await embedder.embed(`how do I search my notes offline ${index}`);
    single.push(performance.now() - started);
  }
  embedder.dispose();
  return { coldLoadMs, loadMs, loadTimings, throughputMs, singleP50: median(single), vectors };
}

async function peer(texts: string[]) {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = '/models/';
  env.useBrowserCache = true;
  const onnx = env.backends.onnx as { wasm?: { wasmPaths?: string } };
  if (onnx.wasm)
    onnx.wasm.wasmPaths = '/node_modules/@huggingface/transformers/node_modules/onnxruntime-web/dist/';
  let started = performance.now();
  await pipeline('feature-extraction', model, { dtype: 'q8' });
  const coldLoadMs = performance.now() - started;
  started = performance.now();
  const extractor = await pipeline('feature-extraction', model, { dtype: 'q8' });
  const loadMs = performance.now() - started;
  const batch = 32;
  await extractor(texts.slice(0, 8), { pooling: 'mean', normalize: true });
  started = performance.now();
  const vectors: Float32Array[] = [];
  for (let start = 0; start < texts.length; start += batch) {
    const output = await extractor(texts.slice(start, start + batch), { pooling: 'mean', normalize: true });
    const data = output.data as Float32Array;
    const width = data.length / Math.min(batch, texts.length - start);
    for (let offset = 0; offset < data.length; offset += width)
      vectors.push(data.slice(offset, offset + width));
  }
  const throughputMs = performance.now() - started;
  const single: number[] = [];
  for (let index = 0; index < queries; index++) {
    started = performance.now();
    await extractor(`how do I search my notes offline ${index}`, { pooling: 'mean', normalize: true });
    single.push(performance.now() - started);
  }
  return { coldLoadMs, loadMs, throughputMs, singleP50: median(single), vectors };
}

try {
  const texts = (await (await fetch('/test/fixtures/generated/embed-bench-texts.json')).json()) as string[];
  log(`${texts.length} texts, ${workers} workers, crossOriginIsolated=${crossOriginIsolated}`);
  const mine = await ours(texts);
  log(`ours: ${JSON.stringify({ ...mine, vectors: undefined })}`);
  const theirs = await peer(texts);
  log(`transformers.js: ${JSON.stringify({ ...theirs, vectors: undefined })}`);
  let worst = 1;
  mine.vectors.forEach((vector, index) => {
    const other = theirs.vectors[index]!;
    worst = Math.min(
      worst,
      vector.reduce((sum, value, position) => sum + value * other[position]!, 0),
    );
  });
  const strip = ({ vectors: _, ...rest }: { vectors: Float32Array[] } & Record<string, unknown>) => rest;
  (globalThis as Record<string, unknown>).__benchResult = {
    texts: texts.length,
    workers,
    hardwareConcurrency: navigator.hardwareConcurrency,
    ours: strip(mine),
    peer: strip(theirs),
    worstCosineOursVsPeer: worst,
  };
} catch (error) {
  (globalThis as Record<string, unknown>).__benchResult = { error: String((error as Error)?.stack ?? error) };
}
