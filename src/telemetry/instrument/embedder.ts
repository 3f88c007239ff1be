import type { Embedder, EmbedManyOptions } from '../../embed/types.js';
import type { Tracer } from '../tracer.js';
import { type InstrumentOptions, resolveParent } from './parent.js';

/**
 * Wraps an `Embedder` so each `embed`/`embedMany` call is an `embedding` span with the model,
 * batch size and dimension. Texts are recorded as the input (subject to `recordInputs`);
 * vectors are never recorded.
 */
export function traceEmbedder(embedder: Embedder, tracer: Tracer, options: InstrumentOptions = {}): Embedder {
  const run = <T>(texts: string[], call: () => Promise<T>): Promise<T> =>
    tracer.withSpan(
      `embed ${embedder.modelId}`,
      {
        kind: 'embedding',
        parent: resolveParent(options.parent),
        attributes: {
          'gen_ai.operation.name': 'embeddings',
          'gen_ai.request.model': embedder.modelId,
          'lumos.embedding.count': texts.length,
        },
      },
      async (span) => {
        if (span.isRecording) span.recordInput(texts);
        const result = await call();
        span.setAttribute('lumos.embedding.dimension', embedder.dimension);
        return result;
      },
    );
  return {
    get modelId() {
      return embedder.modelId;
    },
    get dimension() {
      return embedder.dimension;
    },
    embed: (text: string, embedOptions?: EmbedManyOptions) =>
      run([text], () => embedder.embed(text, embedOptions)),
    embedMany: (texts: string[], embedOptions?: EmbedManyOptions) =>
      run(texts, () => embedder.embedMany(texts, embedOptions)),
  };
}
