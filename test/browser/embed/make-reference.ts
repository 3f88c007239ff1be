// Writes test/browser/embed/node-reference.json: vectors of the real int8 model computed in Node
// (onnxruntime-web's WASM build, our pipeline). The Node test and the Chromium test both compare
// against it within 1e-4. Run after changing the model or the pipeline:
//   npx tsx test/browser/embed/make-reference.ts
import { writeFileSync } from 'node:fs';
import { realEmbedder } from '../../../src/embed/real-model-support.js';
import { referenceTexts } from './reference-texts.js';

const embedder = realEmbedder('int8');
const vectors = await embedder.embedMany(referenceTexts);
embedder.dispose();
const reference = {
  model: 'Xenova/all-MiniLM-L6-v2 (built by scripts/fetch-model: int8 per token, sha256 f1e1eed9…3f28)',
  texts: 'test/browser/embed/reference-texts.ts',
  vectors: vectors.map((vector) => Array.from(vector, (value) => Number(value.toFixed(7)))),
};
writeFileSync(new URL('./node-reference.json', import.meta.url), `${JSON.stringify(reference)}\n`);
console.log(`wrote ${vectors.length} reference vectors`);
