// The pipeline as people write it without Lumos: transformers.js embeddings on the page, one
// IndexedDB record per chunk (one transaction each, like EntityDB), and a JS brute-force scan
// over everything read back with getAll() on every query.
import { env, pipeline } from '@huggingface/transformers';

export interface NaiveChunk {
  id: string;
  documentId: string;
  text: string;
  start: number;
  end: number;
  vector: Float32Array;
}

type Extractor = (
  texts: string | string[],
  options: { pooling: 'mean'; normalize: boolean },
) => Promise<{ data: Float32Array }>;

export async function naivePipeline(model: string) {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = '/models/';
  const onnx = env.backends.onnx as { wasm?: { wasmPaths?: string } };
  if (onnx.wasm)
    onnx.wasm.wasmPaths = '/node_modules/@huggingface/transformers/node_modules/onnxruntime-web/dist/';
  const extractor = (await pipeline('feature-extraction', model, { dtype: 'q8' })) as unknown as Extractor;
  const name = `naive-rag-${Date.now()}`;
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore('chunks', { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const put = (record: NaiveChunk) =>
    new Promise<void>((resolve, reject) => {
      const transaction = db.transaction('chunks', 'readwrite');
      transaction.objectStore('chunks').put(record);
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
    });
  const all = () =>
    new Promise<NaiveChunk[]>((resolve, reject) => {
      const request = db.transaction('chunks').objectStore('chunks').getAll();
      request.onsuccess = () => resolve(request.result as NaiveChunk[]);
      request.onerror = () => reject(request.error);
    });

  /** Fixed-size character windows with overlap. */
  function chunk(documentId: string, text: string, size = 1000, overlap = 100) {
    const out: Omit<NaiveChunk, 'vector'>[] = [];
    for (let start = 0; start < text.length; start += size - overlap) {
      const end = Math.min(text.length, start + size);
      out.push({ id: `${documentId}#${out.length}`, documentId, text: text.slice(start, end), start, end });
      if (end === text.length) break;
    }
    return out;
  }

  return {
    async ingest(documents: { id: string; text: string }[]) {
      const timings = { chunk: 0, embed: 0, store: 0 };
      let chunks = 0;
      for (const document of documents) {
        let at = performance.now();
        const pieces = chunk(document.id, document.text);
        timings.chunk += performance.now() - at;
        for (let first = 0; first < pieces.length; first += 32) {
          const batch = pieces.slice(first, first + 32);
          at = performance.now();
          const output = await extractor(
            batch.map((piece) => piece.text),
            { pooling: 'mean', normalize: true },
          );
          timings.embed += performance.now() - at;
          const width = output.data.length / batch.length;
          at = performance.now();
          for (let index = 0; index < batch.length; index++) {
            await put({ ...batch[index]!, vector: output.data.slice(index * width, (index + 1) * width) });
          }
          timings.store += performance.now() - at;
          chunks += batch.length;
        }
      }
      return { chunks, timings };
    },
    async query(text: string, topK = 5) {
      const query = (await extractor(text, { pooling: 'mean', normalize: true })).data;
      const records = await all();
      const scored = records.map((record) => {
        let dot = 0;
        for (let index = 0; index < query.length; index++) dot += query[index]! * record.vector[index]!;
        return { record, dot };
      });
      scored.sort((left, right) => right.dot - left.dot);
      const top = scored.slice(0, topK);
      return top
        .map(({ record }, index) => `[${index + 1}] ${record.documentId}:\n${record.text}`)
        .join('\n\n');
    },
    close() {
      db.close();
      indexedDB.deleteDatabase(name);
    },
  };
}
