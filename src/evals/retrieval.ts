import { InvalidArgumentError } from '../errors/index.js';

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1)
    throw new InvalidArgumentError(`k must be a positive integer, got ${k}.`);
}

/** Recall@k: the share of relevant ids found among the first `k` retrieved. 1 when nothing is relevant. */
export function recallAtK(retrieved: readonly string[], relevant: Iterable<string>, k: number): number {
  checkK(k);
  const wanted = new Set(relevant);
  if (wanted.size === 0) return 1;
  const top = new Set(retrieved.slice(0, k));
  let hits = 0;
  for (const id of wanted) if (top.has(id)) hits++;
  return hits / wanted.size;
}

/** Precision@k: the share of the first `k` retrieved that are relevant (divided by k, as is standard). */
export function precisionAtK(retrieved: readonly string[], relevant: Iterable<string>, k: number): number {
  checkK(k);
  const wanted = new Set(relevant);
  let hits = 0;
  for (const id of retrieved.slice(0, k)) if (wanted.has(id)) hits++;
  return hits / k;
}

/** Reciprocal rank: 1 / rank of the first relevant id, 0 when none is retrieved. */
export function reciprocalRank(retrieved: readonly string[], relevant: Iterable<string>): number {
  const wanted = new Set(relevant);
  const index = retrieved.findIndex((id) => wanted.has(id));
  return index === -1 ? 0 : 1 / (index + 1);
}

/** Mean reciprocal rank over queries. */
export function meanReciprocalRank(
  queries: readonly { retrieved: readonly string[]; relevant: Iterable<string> }[],
): number {
  if (queries.length === 0) return 0;
  return (
    queries.reduce((sum, query) => sum + reciprocalRank(query.retrieved, query.relevant), 0) / queries.length
  );
}

/**
 * nDCG@k with graded relevance (`relevance` maps id → gain; an id list means gain 1 each):
 * DCG = Σ (2^gain − 1) / log2(rank + 1), normalised by the ideal ordering. 1 when nothing is relevant.
 */
export function ndcgAtK(
  retrieved: readonly string[],
  relevance: ReadonlyMap<string, number> | Iterable<string>,
  k: number,
): number {
  checkK(k);
  const gains =
    relevance instanceof Map ? relevance : new Map([...(relevance as Iterable<string>)].map((id) => [id, 1]));
  const discounted = (values: number[]) =>
    values.reduce((sum, gain, index) => sum + (2 ** gain - 1) / Math.log2(index + 2), 0);
  const ideal = discounted(
    [...gains.values()]
      .filter((gain) => gain > 0)
      .sort((a, b) => b - a)
      .slice(0, k),
  );
  if (ideal === 0) return 1;
  return discounted(retrieved.slice(0, k).map((id) => gains.get(id) ?? 0)) / ideal;
}
