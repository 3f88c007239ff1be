import { describe, expect, it } from 'vitest';
import { AbortedError, InvalidResponseError } from '../errors/index.js';
import type { EmbeddingModel, EmbedRequest } from '../llm/types.js';
import type { EmbedProgress } from './index.js';
import { RemoteEmbedder } from './index.js';

function fakeModel(
  respond: (request: EmbedRequest) => Float32Array[],
): EmbeddingModel & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    provider: 'fake',
    modelId: 'fake-embed',
    dimension: undefined,
    maxBatchSize: 2,
    calls,
    embed: async (request) => {
      calls.push(request.values);
      return { embeddings: respond(request) };
    },
  };
}

describe('RemoteEmbedder', () => {
  it('batches by maxBatchSize, normalises and reports progress', async () => {
    const model = fakeModel((request) =>
      request.values.map((value) => new Float32Array([value.length, 0, 0])),
    );
    const embedder = new RemoteEmbedder(model);
    const events: EmbedProgress[] = [];
    const vectors = await embedder.embedMany(['a', 'bb', 'ccc'], {
      onProgress: (event) => events.push(event),
    });
    expect(model.calls).toEqual([['a', 'bb'], ['ccc']]);
    expect(vectors.map((vector) => Array.from(vector))).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
    ]);
    expect(embedder.dimension).toBe(3);
    expect(events.at(-1)).toEqual({ stage: 'embed', done: 3, total: 3 });
  });

  it('rejects a wrong count or dimension with InvalidResponseError', async () => {
    const short = new RemoteEmbedder(fakeModel(() => [new Float32Array([1])]));
    await expect(short.embedMany(['a', 'b'])).rejects.toSatisfy(InvalidResponseError.isInstance);
    let size = 2;
    const drifting = new RemoteEmbedder(
      fakeModel((request) => request.values.map(() => new Float32Array(size++))),
    );
    await expect(drifting.embedMany(['a', 'b'])).rejects.toSatisfy(InvalidResponseError.isInstance);
  });

  it('stops with AbortedError', async () => {
    const embedder = new RemoteEmbedder(
      fakeModel((request) => request.values.map(() => new Float32Array([1]))),
    );
    await expect(embedder.embed('x', { signal: AbortSignal.abort() })).rejects.toSatisfy(
      AbortedError.isInstance,
    );
  });
});
