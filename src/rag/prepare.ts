import { InvalidArgumentError } from '../errors/index.js';
import { wrapCore } from '../worker/index.js';
import { MDocument, type MDocumentInit } from './document.js';
import { type LoadableFile, type LoadOptions, loadDocument } from './loaders.js';
import type { Chunk, ChunkOptions } from './types.js';

/** A parsed, chunked document in structured-cloneable form (it crosses the worker boundary). */
export interface PreparedDocument {
  document: Required<Pick<MDocumentInit, 'id' | 'text' | 'format' | 'metadata'>> & MDocumentInit;
  chunks: Chunk[];
  parseMs: number;
  chunkMs: number;
}

/** A dropped file, a document, or a document's fields (what crosses into the worker). */
export type PrepareInput = LoadableFile | MDocument | MDocumentInit;

/** Parses and chunks documents: on the calling thread or in `workers/ingest.worker.ts`. */
export interface DocumentPreparer {
  prepare(input: PrepareInput, chunking: ChunkOptions, load: LoadOptions): Promise<PreparedDocument>;
  dispose(): void;
}

/** The parse + chunk step as a plain object; the ingest worker exposes it. */
export function createPrepareCore() {
  return {
    async prepare(input: PrepareInput, chunking: ChunkOptions, load: LoadOptions) {
      let at = performance.now();
      const document =
        input instanceof MDocument
          ? input
          : 'format' in input
            ? new MDocument(input)
            : await loadDocument(input, load);
      const parseMs = performance.now() - at;
      at = performance.now();
      const chunks = await document.chunk(chunking);
      const init = {
        id: document.id,
        text: document.text,
        format: document.format,
        metadata: document.metadata,
        sections: document.sections,
        pages: document.pages,
        ...(document.json ? { json: document.json } : {}),
      };
      return { document: init, chunks, parseMs, chunkMs: performance.now() - at } satisfies PreparedDocument;
    },
  };
}

/** Parses and chunks on the calling thread. */
export function inlinePreparer(): DocumentPreparer {
  const core = createPrepareCore();
  return { prepare: (input, chunking, load) => core.prepare(input, chunking, load), dispose() {} };
}

/**
 * Parses (pdf.js included) and chunks in a dedicated module worker, so a large drop does not
 * block the page. Options holding functions or workers (`countTokens`, `pdf.workerPort`) cannot
 * cross the boundary and are rejected.
 */
export function workerPreparer(
  createWorker: () => Worker = () =>
    new Worker(new URL('../../workers/ingest.worker.ts', import.meta.url), {
      type: 'module',
      name: 'lumos-ingest',
    }),
): DocumentPreparer {
  let worker: Worker | undefined;
  let remote: ReturnType<typeof wrapCore<ReturnType<typeof createPrepareCore>>> | undefined;
  return {
    async prepare(input, chunking, load) {
      if (chunking.countTokens || load.pdf?.workerPort) {
        throw new InvalidArgumentError(
          'countTokens and pdf.workerPort cannot be sent to the ingest worker.',
          {
            hint: 'Drop them, or use the inline preparer (the default) to parse on this thread.',
          },
        );
      }
      worker ??= createWorker();
      remote ??= wrapCore<ReturnType<typeof createPrepareCore>>(worker);
      const payload =
        input instanceof MDocument
          ? {
              id: input.id,
              text: input.text,
              format: input.format,
              metadata: input.metadata,
              sections: input.sections,
              pages: input.pages,
              ...(input.json ? { json: input.json } : {}),
            }
          : input;
      const cloneableLoad = load.pdf?.workerSrc
        ? { ...load, pdf: { workerSrc: String(load.pdf.workerSrc) } }
        : load;
      return (await remote.prepare(payload, chunking, cloneableLoad)) as PreparedDocument;
    },
    dispose() {
      worker?.terminate();
      worker = undefined;
      remote = undefined;
    },
  };
}
