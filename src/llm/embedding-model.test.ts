import { beforeEach, describe, expect, inject, it } from 'vitest';
import { AbortedError, ServerError } from '../errors/index.js';
import { connectTestServer, hashEmbedding, type TestSession, testEmbeddingDimension } from '../test/index.js';
import { openai, openaiEmbedding } from './index.js';

let session: TestSession;
beforeEach(async () => {
  session = await connectTestServer(inject('openaiServerUrl')).session();
});

describe('OpenAIEmbeddingModel', () => {
  it('returns Float32Array embeddings decoded from base64, in input order', async () => {
    const model = openai({ apiKey: 'k', baseURL: session.baseURL, model: 'test-model' }).embedding(
      'test-embedding',
    );
    const { embeddings, usage } = await model.embed({ values: ['red apple', 'green pear'] });
    expect(embeddings.length).toBe(2);
    expect(embeddings[0]).toBeInstanceOf(Float32Array);
    expect(embeddings[0]!.length).toBe(testEmbeddingDimension);
    expect(Array.from(embeddings[1]!)).toEqual(
      Array.from(hashEmbedding('green pear', testEmbeddingDimension)),
    );
    expect(usage?.tokens).toBeGreaterThan(0);
    const [request] = await session.requests();
    expect(request!.body).toMatchObject({ model: 'test-embedding', encoding_format: 'base64' });
  });

  it('splits large inputs into batches and asks for a dimension when given', async () => {
    const model = openaiEmbedding({
      apiKey: 'k',
      baseURL: session.baseURL,
      model: 'test-embedding',
      dimensions: 32,
      maxBatchSize: 2,
      encodingFormat: 'float',
    });
    const values = ['a', 'b', 'c', 'd', 'e'];
    const { embeddings } = await model.embed({ values });
    expect(embeddings.map((vector) => vector.length)).toEqual([32, 32, 32, 32, 32]);
    expect(Array.from(embeddings[4]!)).toEqual(Array.from(hashEmbedding('e', 32)));
    const requests = await session.requests();
    expect(requests.map((request) => (request.body as { input: string[] }).input)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e'],
    ]);
    expect(model.dimension).toBe(32);
  });

  it('maps failures and aborts to typed errors', async () => {
    const model = openaiEmbedding({
      apiKey: 'k',
      baseURL: 'http://127.0.0.1:9/v1',
      model: 'e',
      retry: { maxRetries: 0 },
    });
    await expect(model.embed({ values: ['x'], signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      AbortedError,
    );
    const broken = openaiEmbedding({
      apiKey: 'k',
      baseURL: `${session.baseURL}/broken`,
      model: 'e',
      retry: { maxRetries: 0 },
      fetch: async () => new Response('{"error":{"message":"down"}}', { status: 503 }),
    });
    await expect(broken.embed({ values: ['x'] })).rejects.toBeInstanceOf(ServerError);
  });
});
