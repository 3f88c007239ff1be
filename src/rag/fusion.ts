/** A ranked hit from any retriever. */
export interface RankedId {
  id: string;
  score: number;
}

/**
 * Reciprocal-rank fusion: each list contributes `weight / (k + rank)` (rank from 1) to an id's
 * score. Rank-based, so BM25 and cosine scores need no calibration against each other.
 */
export function reciprocalRankFusion(lists: { hits: RankedId[]; weight?: number }[], k = 60): RankedId[] {
  const fused = new Map<string, number>();
  for (const { hits, weight = 1 } of lists) {
    hits.forEach((hit, rank) => {
      fused.set(hit.id, (fused.get(hit.id) ?? 0) + weight / (k + rank + 1));
    });
  }
  return [...fused]
    .map(([id, score]) => ({ id, score }))
    .sort((left, right) => right.score - left.score || (left.id < right.id ? -1 : 1));
}

/** Cosine similarity of two vectors (0 when either is all zeros). */
export function cosine(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  for (let index = 0; index < left.length; index++) {
    dot += left[index]! * right[index]!;
    leftNorm += left[index]! * left[index]!;
    rightNorm += right[index]! * right[index]!;
  }
  return leftNorm && rightNorm ? dot / Math.sqrt(leftNorm * rightNorm) : 0;
}

/**
 * Maximal marginal relevance: picks `topK` of `count` candidates one at a time, trading
 * relevance (`lambda`) against the highest similarity to anything already picked
 * (`1 - lambda`), so near-duplicate chunks do not crowd out the rest. Returns picked indexes.
 */
export function maximalMarginalRelevance(
  relevance: number[],
  similarity: (left: number, right: number) => number,
  topK: number,
  lambda = 0.5,
): number[] {
  const picked: number[] = [];
  const left = new Set(relevance.map((_, index) => index));
  while (picked.length < topK && left.size > 0) {
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const index of left) {
      let redundancy = 0;
      for (const other of picked) redundancy = Math.max(redundancy, similarity(index, other));
      const score = lambda * relevance[index]! - (1 - lambda) * redundancy;
      if (score > bestScore) {
        bestScore = score;
        best = index;
      }
    }
    picked.push(best);
    left.delete(best);
  }
  return picked;
}

/** Jaccard overlap of two term sets: the similarity MMR falls back to without vectors. */
export function jaccard(left: Set<string>, right: Set<string>): number {
  if (left.size === 0 && right.size === 0) return 0;
  let shared = 0;
  for (const term of left) if (right.has(term)) shared++;
  return shared / (left.size + right.size - shared);
}
