import { InvalidArgumentError } from '../../errors/index.js';
import { createScorer } from '../create-scorer.js';
import { ndcgAtK, precisionAtK, recallAtK, reciprocalRank } from '../retrieval.js';
import type { Scorer, ScorerRun } from '../types.js';

/** Ids of retrieved items: strings as they are, objects by their `id`. */
function idsOf(value: unknown, what: string, scorerId: string): string[] {
  const items = Array.isArray(value) ? value : undefined;
  if (!items) {
    throw new InvalidArgumentError(
      `Scorer "${scorerId}" needs ${what} as an array of ids or of { id } objects.`,
      {
        hint: 'Make the target return the retrieved results and give each item `groundTruth: [relevant ids]`.',
      },
    );
  }
  return items.map((item) => (typeof item === 'string' ? item : String((item as { id?: unknown }).id)));
}

function retrievalScorer(
  id: string,
  description: string,
  metric: (retrieved: string[], relevant: string[], run: ScorerRun) => number,
): Scorer {
  return createScorer({ id, description })
    .preprocess(({ run }) => ({
      retrieved: idsOf(run.output, 'the output', id),
      relevant: idsOf(run.groundTruth, 'groundTruth', id),
    }))
    .generateScore(({ run, results }) =>
      metric(results.preprocessStepResult.retrieved, results.preprocessStepResult.relevant, run),
    )
    .generateReason(({ results, score }) => {
      const relevant = new Set(results.preprocessStepResult.relevant);
      const hits = results.preprocessStepResult.retrieved.filter((item) => relevant.has(item)).length;
      return `${description}: ${score.toFixed(3)} (${hits} relevant retrieved of ${relevant.size}).`;
    });
}

/** Recall@k scorer: output = retrieved ids (or `{ id }` results) in rank order, groundTruth = relevant ids. */
export function createRecallAtKScorer(options: { k: number }): Scorer {
  return retrievalScorer(`recall@${options.k}`, `Recall@${options.k}`, (retrieved, relevant) =>
    recallAtK(retrieved, relevant, options.k),
  );
}

/** Precision@k scorer (same inputs as recall@k). */
export function createPrecisionAtKScorer(options: { k: number }): Scorer {
  return retrievalScorer(`precision@${options.k}`, `Precision@${options.k}`, (retrieved, relevant) =>
    precisionAtK(retrieved, relevant, options.k),
  );
}

/** Reciprocal-rank scorer; its mean over a dataset (the `runEvals` summary) is MRR. */
export function createMrrScorer(): Scorer {
  return retrievalScorer('mrr', 'Reciprocal rank', (retrieved, relevant) =>
    reciprocalRank(retrieved, relevant),
  );
}

/** nDCG@k scorer with binary relevance from groundTruth ids. */
export function createNdcgAtKScorer(options: { k: number }): Scorer {
  return retrievalScorer(`ndcg@${options.k}`, `nDCG@${options.k}`, (retrieved, relevant) =>
    ndcgAtK(retrieved, relevant, options.k),
  );
}
