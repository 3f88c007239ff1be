import { describe, expect, it } from 'vitest';
import type { Embedder } from '../../embed/types.js';
import { InvalidArgumentError } from '../../errors/index.js';
import { createExcludesScorer, createIncludesScorer, createMatchesScorer } from './match.js';
import {
  createMrrScorer,
  createNdcgAtKScorer,
  createPrecisionAtKScorer,
  createRecallAtKScorer,
} from './retrieval.js';
import { cosineSimilarity, createSemanticSimilarityScorer } from './semantic.js';
import {
  createCompletenessScorer,
  createContentSimilarityScorer,
  createKeywordCoverageScorer,
  createTextualDifferenceScorer,
  createToneConsistencyScorer,
  diceSimilarity,
  longestCommonSubsequence,
} from './text.js';
import { createMaxToolCallsScorer, createToolCalledScorer, createToolOrderScorer } from './tools.js';

describe('text scorers', () => {
  it('completeness counts the reference content words the output covers', async () => {
    const scorer = createCompletenessScorer();
    const full = await scorer.run({
      input: 'List the planets Mercury, Venus and Mars',
      output: 'The planets are Mercury, Venus, and Mars.',
    });
    // "list" is an instruction word the answer does not repeat: 4 of 5 (stemmed) content words.
    expect(full.score).toBe(0.8);
    expect(full.details.analyzeStepResult).toEqual({
      covered: ['planet', 'mercury', 'venus', 'mar'],
      missing: ['list'],
    });
    const partial = await scorer.run({
      input: 'ignored when a ground truth exists',
      output: 'Cats sleep a lot.',
      groundTruth: 'Cats sleep during the day and hunt at night.',
    });
    // content words: cat, sleep, day, hunt, night → covered cat, sleep
    expect(partial.score).toBeCloseTo(2 / 5);
    expect(partial.reason).toContain('missing: day, hunt, night');
  });

  it('content similarity is the bigram Dice coefficient to the ground truth', async () => {
    expect(diceSimilarity('night', 'nacht')).toBeCloseTo(0.25);
    const scorer = createContentSimilarityScorer();
    expect(
      (await scorer.run({ input: 'q', output: 'The  Quick brown fox', groundTruth: 'the quick brown fox' }))
        .score,
    ).toBe(1);
    const caseSensitive = createContentSimilarityScorer({ ignoreCase: false });
    expect((await caseSensitive.run({ input: 'q', output: 'ABCD', groundTruth: 'abcd' })).score).toBe(0);
    await expect(scorer.run({ input: 'q', output: 'x' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('keyword coverage uses explicit keywords or the reference content words, stemmed', async () => {
    const explicit = createKeywordCoverageScorer({ keywords: ['refund', 'receipt', 'deadline'] });
    const result = await explicit.run({ input: 'q', output: 'Refunds need a receipt.' });
    expect(result.score).toBeCloseTo(2 / 3);
    expect(result.details.analyzeStepResult).toEqual({
      matched: ['refund', 'receipt'],
      missing: ['deadline'],
    });
    const derived = createKeywordCoverageScorer();
    expect(
      (await derived.run({ input: 'What are running shoes?', output: 'Shoes for people who run.' })).score,
    ).toBe(1);
  });

  it('textual difference is 2·LCS/(n+m) over words', async () => {
    expect(longestCommonSubsequence(['a', 'b', 'c', 'd'], ['a', 'c', 'd', 'e'])).toBe(3);
    const scorer = createTextualDifferenceScorer();
    const same = await scorer.run({ input: 'the cat sat', output: 'the cat sat' });
    expect(same.score).toBe(1);
    const changed = await scorer.run({ input: 'q', output: 'the cat sat down', groundTruth: 'the dog sat' });
    expect(changed.score).toBeCloseTo((2 * 2) / 7);
    expect(changed.details.analyzeStepResult).toMatchObject({ common: 2, changes: 3 });
  });

  it('tone consistency compares sentiment with the reference, or its stability across sentences', async () => {
    const scorer = createToneConsistencyScorer();
    const aligned = await scorer.run({
      input: 'q',
      output: 'Great, happy to help!',
      groundTruth: 'Glad it was good.',
    });
    const clashing = await scorer.run({
      input: 'q',
      output: 'This is terrible and awful.',
      groundTruth: 'Great, wonderful news!',
    });
    expect(aligned.score).toBeGreaterThan(clashing.score);
    expect(clashing.score).toBeLessThan(0.5);
    const steady = await scorer.run({ input: 'q', output: 'The report is ready. It has three parts.' });
    expect(steady.score).toBe(1);
    const swinging = await scorer.run({ input: 'q', output: 'Awesome! Terrible. Amazing! Horrible.' });
    expect(swinging.score).toBeLessThan(steady.score);
  });
});

describe('match scorers', () => {
  it('includes scores the share found (all) or any match (any)', async () => {
    const all = createIncludesScorer({ values: ['Paris', 'France'] });
    expect((await all.run({ input: 'q', output: 'paris is lovely' })).score).toBe(0.5);
    const any = createIncludesScorer({ values: ['Paris', 'Lyon'], mode: 'any', caseSensitive: true });
    expect((await any.run({ input: 'q', output: 'paris' })).score).toBe(0);
    expect((await any.run({ input: 'q', output: 'Lyon' })).score).toBe(1);
    expect(() => createIncludesScorer({ values: [] })).toThrow(InvalidArgumentError);
  });

  it('excludes scores the share of forbidden values absent; matches tests a regex repeatably', async () => {
    const excludes = createExcludesScorer({ values: ['password', 'ssn'] });
    expect((await excludes.run({ input: 'q', output: 'Your Password is…' })).score).toBe(0.5);
    expect((await excludes.run({ input: 'q', output: 'All good' })).score).toBe(1);
    const matches = createMatchesScorer({ pattern: /\d{4}-\d{2}-\d{2}/g });
    for (let repeat = 0; repeat < 2; repeat++) {
      const result = await matches.run({ input: 'q', output: 'Due 2024-05-01.' });
      expect(result.score).toBe(1);
      expect(result.reason).toBe('Matched "2024-05-01".');
    }
    expect((await matches.run({ input: 'q', output: 'soon' })).score).toBe(0);
  });
});

describe('tool scorers', () => {
  const toolCalls = [{ name: 'search' }, { name: 'fetch' }, { name: 'search' }, { name: 'answer' }];

  it('tool-called, tool-order and max-tool-calls read the run tool calls', async () => {
    expect(
      (
        await createToolCalledScorer({ name: 'search', minTimes: 2 }).run({
          input: 'q',
          output: '',
          toolCalls,
        })
      ).score,
    ).toBe(1);
    expect(
      (await createToolCalledScorer({ name: 'delete' }).run({ input: 'q', output: '', toolCalls })).score,
    ).toBe(0);
    expect(
      (
        await createToolOrderScorer({ order: ['search', 'answer'] }).run({
          input: 'q',
          output: '',
          toolCalls,
        })
      ).score,
    ).toBe(1);
    expect(
      (
        await createToolOrderScorer({ order: ['answer', 'search'] }).run({
          input: 'q',
          output: '',
          toolCalls,
        })
      ).score,
    ).toBe(0);
    const strict = createToolOrderScorer({ order: ['search', 'answer'], strict: true });
    expect((await strict.run({ input: 'q', output: '', toolCalls })).score).toBe(0);
    expect(
      (await strict.run({ input: 'q', output: '', toolCalls: [{ name: 'search' }, { name: 'answer' }] }))
        .score,
    ).toBe(1);
    expect(
      (await createMaxToolCallsScorer({ max: 3 }).run({ input: 'q', output: '', toolCalls })).score,
    ).toBe(0);
    const fromOutput = await createMaxToolCallsScorer({ max: 4 }).run({
      input: 'q',
      output: { text: 'x', toolCalls },
    });
    expect(fromOutput).toMatchObject({ score: 1, reason: '4 tool call(s), limit 4.' });
  });
});

describe('retrieval scorers', () => {
  const run = {
    input: 'q',
    output: [{ id: 'd3' }, { id: 'd1' }, { id: 'd9' }, { id: 'd2' }],
    groundTruth: ['d1', 'd2'],
  };

  it('score recall@k, precision@k, reciprocal rank and nDCG@k from ids', async () => {
    expect((await createRecallAtKScorer({ k: 2 }).run(run)).score).toBe(0.5);
    expect((await createRecallAtKScorer({ k: 4 }).run(run)).score).toBe(1);
    expect((await createPrecisionAtKScorer({ k: 2 }).run(run)).score).toBe(0.5);
    expect((await createMrrScorer().run(run)).score).toBe(0.5);
    const ideal = 1 + 1 / Math.log2(3);
    const actual = 1 / Math.log2(3) + 1 / Math.log2(5);
    expect((await createNdcgAtKScorer({ k: 4 }).run(run)).score).toBeCloseTo(actual / ideal);
    await expect(
      createMrrScorer().run({ input: 'q', output: 'not a list', groundTruth: ['a'] }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('semantic similarity', () => {
  // A deterministic bag-of-words embedder over a fixed vocabulary (unit vectors).
  const vocabulary = ['cat', 'dog', 'sat', 'mat', 'stock', 'market'];
  const embedder: Embedder = {
    modelId: 'bag-of-words',
    dimension: vocabulary.length,
    embed: async (text) => (await embedder.embedMany([text]))[0]!,
    embedMany: async (texts) =>
      texts.map((text) => {
        const vector = new Float32Array(
          vocabulary.map((word) => (text.toLowerCase().includes(word) ? 1 : 0)),
        );
        const norm = Math.hypot(...vector) || 1;
        return vector.map((value) => value / norm);
      }),
  };

  it('scores cosine similarity of output and ground truth embeddings', async () => {
    expect(cosineSimilarity([1, 0], [0, 2])).toBe(0);
    const scorer = createSemanticSimilarityScorer({ embedder });
    const close = await scorer.run({
      input: 'q',
      output: 'The cat sat on the mat',
      groundTruth: 'A cat sat on a mat',
    });
    const far = await scorer.run({
      input: 'q',
      output: 'The stock market fell',
      groundTruth: 'A cat sat on a mat',
    });
    expect(close.score).toBeCloseTo(1);
    expect(far.score).toBe(0);
    expect(close.reason).toContain('bag-of-words');
  });
});
