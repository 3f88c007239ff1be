import type { Embedder } from '../../embed/types.js';
import { InvalidArgumentError } from '../../errors/index.js';
import { createScorer } from '../create-scorer.js';
import { asText } from '../text.js';
import type { Scorer } from '../types.js';

/** Cosine similarity of two vectors (works for unnormalised vectors too). */
export function cosineSimilarity(first: ArrayLike<number>, second: ArrayLike<number>): number {
  if (first.length !== second.length) {
    throw new InvalidArgumentError(`Vectors differ in length (${first.length} vs ${second.length}).`);
  }
  let dot = 0;
  let firstNorm = 0;
  let secondNorm = 0;
  for (let index = 0; index < first.length; index++) {
    dot += first[index]! * second[index]!;
    firstNorm += first[index]! ** 2;
    secondNorm += second[index]! ** 2;
  }
  return firstNorm === 0 || secondNorm === 0 ? 0 : dot / Math.sqrt(firstNorm * secondNorm);
}

export interface SemanticSimilarityOptions {
  /** Turns text into vectors: the local embedder, or any `Embedder`. */
  embedder: Embedder;
}

/**
 * Semantic similarity: cosine similarity between the embeddings of the output and the ground
 * truth, clamped to [0, 1] (opposite meanings score 0).
 */
export function createSemanticSimilarityScorer(options: SemanticSimilarityOptions): Scorer {
  return createScorer({
    id: 'semantic-similarity',
    description: 'Embedding cosine similarity to the ground truth',
  })
    .analyze(async ({ run, signal }) => {
      if (run.groundTruth === undefined) {
        throw new InvalidArgumentError('Scorer "semantic-similarity" needs a groundTruth for every item.', {
          hint: 'Add `groundTruth` (the expected answer) to the dataset items.',
        });
      }
      const [output, expected] = await options.embedder.embedMany(
        [asText(run.output), asText(run.groundTruth)],
        signal ? { signal } : {},
      );
      return { cosine: cosineSimilarity(output!, expected!), modelId: options.embedder.modelId };
    })
    .generateScore(({ results }) => Math.max(0, Math.min(1, results.analyzeStepResult.cosine)))
    .generateReason(
      ({ results }) =>
        `Cosine similarity ${results.analyzeStepResult.cosine.toFixed(3)} (${results.analyzeStepResult.modelId}).`,
    );
}
