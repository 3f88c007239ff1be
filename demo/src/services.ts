import { type Embedder, LocalEmbedder } from 'lumosai/embed';
import { Memory } from 'lumosai/memory';
import { createKnowledgeBase, type KnowledgeBase } from 'lumosai/rag';
import { IndexedDBStorage } from 'lumosai/storage';
import {
  createMemoryExporter,
  createTracer,
  createTraceStoreExporter,
  type MemoryExporter,
  type Tracer,
  traceEmbedder,
  traceVectorStore,
} from 'lumosai/telemetry';
import { BrowserVector, type VectorStore } from 'lumosai/vector';

export const modelId = 'Xenova/all-MiniLM-L6-v2';

/**
 * Everything the studio runs on the device: IndexedDB storage, the local embedder (ONNX in
 * workers, model files served from this origin), the WASM vector index in its worker, the
 * knowledge base, memory, and the tracer whose spans the Traces panel shows.
 */
export interface Services {
  storage: IndexedDBStorage;
  spans: MemoryExporter;
  tracer: Tracer;
  embedder: Embedder;
  vector: VectorStore;
  knowledge: KnowledgeBase;
  memory: Memory;
}

/** `device` is the Settings choice; WebGPU is used only after it matches WASM on a probe batch. */
export async function createServices(device: 'wasm' | 'webgpu' = 'wasm'): Promise<Services> {
  const storage = await IndexedDBStorage.open({ name: 'lumos-studio' });
  const spans = createMemoryExporter({ maxSpans: 5000 });
  const tracer = createTracer({
    exporters: [spans, createTraceStoreExporter({ store: storage, keepTraces: 50 })],
  });
  const embedder = traceEmbedder(
    new LocalEmbedder({
      model: modelId,
      baseUrl: new URL('models/{model}/', location.href).href,
      backend: device,
    }),
    tracer,
  );
  const vector = traceVectorStore(new BrowserVector(), tracer);
  const knowledge = createKnowledgeBase({ embedder, vector, store: storage, indexName: 'knowledge' });
  const memory = new Memory({
    storage,
    embedder,
    vector,
    options: {
      lastMessages: 20,
      semanticRecall: { topK: 3, messageRange: 1, scope: 'resource' },
      workingMemory: { enabled: true, scope: 'resource' },
      generateTitle: true,
    },
  });
  return { storage, spans, tracer, embedder, vector, knowledge, memory };
}
