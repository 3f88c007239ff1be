// Shared by the Node run and the Chromium page: the same ingestion and queries through a plain
// and an encrypted stack, interleaved so both see the same machine noise.
import { HashEmbedder } from '../../src/memory/testing/hash-embedder.js';
import { createKnowledgeBase, MDocument } from '../../src/rag/index.js';
import { createEncryptedStorage } from '../../src/security/index.js';
import type { Storage } from '../../src/storage/types.js';
import type { VectorStore } from '../../src/vector/types.js';

/** Nearest-rank percentile (kept here: `support/results.ts` imports `node:fs`, not for pages). */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

export type BenchVector = VectorStore & { close(): Promise<void> };

/** Opens a fresh stack; `key` set means encrypted (storage wrapper + vector persistence). */
export type OpenStack = (
  label: string,
  key: CryptoKey | undefined,
) => Promise<{ storage: Storage; vector: BenchVector; dispose(): Promise<void> }>;

export interface EncryptionBenchOptions {
  documents: number;
  queries: number;
  key: CryptoKey;
  open: OpenStack;
}

export interface ContenderResult {
  ingestMs: number;
  chunks: number;
  queryP50: number;
  queryP95: number;
  /** A new knowledge base over the stored data: first query (loads keyword postings, vectors). */
  coldQueryMs: number;
}

const words =
  'river quartz lens dough harbour violin maple copper lantern orbit meadow cipher falcon ember glacier summit velvet pepper canyon willow'.split(
    ' ',
  );

function text(seed: number, length: number): string {
  let state = seed;
  const out: string[] = [];
  for (let index = 0; index < length; index += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out.push(`${words[state % words.length]}${(state >>> 8) % 97}`);
  }
  return `${out.join(' ')}.`;
}

/** Deterministic corpus: `count` documents of ~2,500 characters (≈3 chunks each). */
export function corpus(count: number): MDocument[] {
  return Array.from({ length: count }, (_, index) =>
    MDocument.fromText(text(index + 1, 300), { source: `doc-${index}.txt` }),
  );
}

async function ingest(open: OpenStack, label: string, key: CryptoKey | undefined, documents: MDocument[]) {
  const stack = await open(label, key);
  const storage = key ? await createEncryptedStorage(stack.storage, { key }) : stack.storage;
  const embedder = new HashEmbedder(384);
  const knowledge = createKnowledgeBase({
    embedder,
    vector: stack.vector,
    store: storage,
    indexName: 'bench',
  });
  const start = performance.now();
  const report = await knowledge.ingest(documents);
  const ingestMs = performance.now() - start;
  return { stack, storage, embedder, knowledge, ingestMs, chunks: report.chunksEmbedded };
}

/** Ingests, queries and reopens both stacks, interleaved. */
export async function measureEncryption(options: EncryptionBenchOptions) {
  const documents = corpus(options.documents);
  const plain = await ingest(options.open, 'plain', undefined, documents);
  const sealed = await ingest(options.open, 'sealed', options.key, documents);
  const queries = Array.from({ length: options.queries }, (_, index) => text(10_000 + index, 4));
  const samples = { plain: [] as number[], sealed: [] as number[] };
  // Warm-up, then alternate contenders query by query.
  for (const query of queries.slice(0, 5)) {
    await plain.knowledge.retrieve(query, { topK: 5 });
    await sealed.knowledge.retrieve(query, { topK: 5 });
  }
  for (const query of queries) {
    for (const [name, contender] of [
      ['plain', plain],
      ['sealed', sealed],
    ] as const) {
      const start = performance.now();
      const hits = await contender.knowledge.retrieve(query, { topK: 5 });
      samples[name].push(performance.now() - start);
      if (hits.length === 0) throw new Error(`no hits for "${query}" (${name})`);
    }
  }
  const cold = async (contender: typeof plain) => {
    const fresh = createKnowledgeBase({
      embedder: contender.embedder,
      vector: contender.stack.vector,
      store: contender.storage,
      indexName: 'bench',
    });
    const start = performance.now();
    await fresh.retrieve(queries[0]!, { topK: 5 });
    return performance.now() - start;
  };
  const result = (contender: typeof plain, times: number[], coldQueryMs: number): ContenderResult => ({
    ingestMs: contender.ingestMs,
    chunks: contender.chunks,
    queryP50: percentile(times, 50),
    queryP95: percentile(times, 95),
    coldQueryMs,
  });
  const out = {
    plain: result(plain, samples.plain, await cold(plain)),
    sealed: result(sealed, samples.sealed, await cold(sealed)),
  };
  await plain.stack.dispose();
  await sealed.stack.dispose();
  return out;
}
