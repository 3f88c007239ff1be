import type { Scorer } from './types.js';

/** One scorer's verdict on one item; `score` is `null` when the scorer (or the target) failed. */
export interface ItemScore {
  score: number | null;
  reason?: string;
  error?: { code: string; message: string };
  details?: Record<string, unknown>;
}

export interface ScorerSummary {
  scorerId: string;
  better: 'higher' | 'lower';
  /** Items scored or attempted. */
  count: number;
  /** Items with a numeric score. */
  scored: number;
  /** Items where the scorer or the target failed (judge errors are never counted as 0). */
  errors: number;
  /** Mean of numeric scores; `null` when none. */
  mean: number | null;
  min: number | null;
  max: number | null;
  /** Ten equal bins over [0, 1]; the last includes 1. */
  histogram: { from: number; to: number; count: number }[];
  /** Items that errored or missed the pass threshold, with their reason. */
  failures: {
    itemIndex: number;
    score: number | null;
    reason?: string;
    error?: { code: string; message: string };
  }[];
}

/** Builds a scorer's summary from its per-item scores. */
export function summarise(
  scorer: Scorer,
  scores: { itemIndex: number; result: ItemScore }[],
  passThreshold: number,
): ScorerSummary {
  const numeric = scores
    .map((entry) => entry.result.score)
    .filter((score): score is number => score !== null);
  const histogram = Array.from({ length: 10 }, (_, bin) => ({
    from: bin / 10,
    to: (bin + 1) / 10,
    count: 0,
  }));
  for (const score of numeric) histogram[Math.min(9, Math.floor(score * 10))]!.count++;
  const fails = (score: number) =>
    scorer.better === 'lower' ? score > passThreshold : score < passThreshold;
  const failures = scores
    .filter(({ result }) => result.score === null || fails(result.score))
    .map(({ itemIndex, result }) => {
      const failure: ScorerSummary['failures'][number] = { itemIndex, score: result.score };
      if (result.reason !== undefined) failure.reason = result.reason;
      if (result.error !== undefined) failure.error = result.error;
      return failure;
    })
    .sort((a, b) => a.itemIndex - b.itemIndex);
  return {
    scorerId: scorer.id,
    better: scorer.better,
    count: scores.length,
    scored: numeric.length,
    errors: scores.length - numeric.length,
    mean: numeric.length ? numeric.reduce((sum, score) => sum + score, 0) / numeric.length : null,
    min: numeric.length ? Math.min(...numeric) : null,
    max: numeric.length ? Math.max(...numeric) : null,
    histogram,
    failures,
  };
}
