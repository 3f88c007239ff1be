// Real embeddings for the vector benchmark: README paragraphs and sentences from node_modules
// (bench/embed/corpus.ts), embedded once with the real all-MiniLM-L6-v2 (int8) through our
// LocalEmbedder on onnxruntime-node, cached in .cache/bench-vector/ (gitignored). The browser
// page fetches the same file. `npx tsx bench/vector/real-data.ts` builds the cache alone.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { realEmbedder, realModelSha256 } from '../../src/embed/real-model-support.js';
import { readmeParagraphs, readmeSentences } from '../embed/corpus.js';
import { parseRealEmbeddings, type RealEmbeddings, realDataPath } from './real-format.js';

export { parseRealEmbeddings, type RealEmbeddings, realDataPath };

/** Queries held out of the indexed set (every 20th text). */
const queryEvery = 20;

function texts(): string[] {
  // readmeSentences spreads `count` picks over the unique sentences: ask for all of them.
  const sentences = readmeSentences(Number.MAX_SAFE_INTEGER).length;
  return [...new Set([...readmeParagraphs(), ...readmeSentences(sentences)])];
}

/** Embeds the corpus unless the cache matches it (by a hash of the texts and the model), and returns it. */
export async function realEmbeddings(): Promise<RealEmbeddings> {
  const corpus = texts();
  // Keyed by the texts and the model file: a new model re-embeds.
  const hash = createHash('sha256')
    .update(`${realModelSha256('int8')}\n${corpus.join('\n')}`)
    .digest('hex')
    .slice(0, 16);
  const hashPath = `${realDataPath}.sha`;
  if (existsSync(realDataPath) && existsSync(hashPath) && readFileSync(hashPath, 'utf8') === hash) {
    const bytes = readFileSync(realDataPath);
    return parseRealEmbeddings(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  const native = await import('onnxruntime-node');
  const embedder = realEmbedder('int8', { core: { runtime: async () => native as never } });
  await embedder.ready();
  const started = performance.now();
  const vectors = await embedder.embedMany(corpus);
  console.log(`embedded ${corpus.length} texts in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  embedder.dispose();
  const dimension = vectors[0]!.length;
  const indexed = vectors.filter((_, i) => i % queryEvery !== 0);
  const held = vectors.filter((_, i) => i % queryEvery === 0);
  const out = new Float32Array(4 + (indexed.length + held.length) * dimension);
  new Uint32Array(out.buffer, 0, 3).set([indexed.length, held.length, dimension]);
  [...indexed, ...held].forEach((vector, i) => {
    out.set(vector, 4 + i * dimension);
  });
  mkdirSync('.cache/bench-vector', { recursive: true });
  writeFileSync(realDataPath, new Uint8Array(out.buffer));
  writeFileSync(hashPath, hash);
  return parseRealEmbeddings(out.buffer);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const real = await realEmbeddings();
  console.log(`${real.count} vectors + ${real.queryCount} queries × ${real.dimension} in ${realDataPath}`);
}
