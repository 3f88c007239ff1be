/** One chunk as the keyword index sees it. */
export interface KeywordEntry {
  id: string;
  documentId: string;
  /** Term → count in the chunk. */
  terms: Record<string, number>;
  /** Number of terms (with repeats). */
  length: number;
  metadata: Record<string, unknown>;
}

export interface KeywordHit {
  id: string;
  score: number;
}

export interface Bm25Parameters {
  /** Term-frequency saturation. @default 1.2 */
  k1?: number;
  /** Length normalisation. @default 0.75 */
  b?: number;
}

/**
 * An incremental in-memory BM25 (Okapi) index. Entries are added and removed one chunk at a
 * time; scores use the Lucene IDF `ln(1 + (N - df + 0.5) / (df + 0.5))`.
 */
export class Bm25Index {
  private readonly k1: number;
  private readonly b: number;
  private readonly entries = new Map<string, KeywordEntry>();
  private readonly postings = new Map<string, Map<string, number>>();
  private readonly byDocument = new Map<string, Set<string>>();
  private totalLength = 0;

  constructor(parameters: Bm25Parameters = {}) {
    this.k1 = parameters.k1 ?? 1.2;
    this.b = parameters.b ?? 0.75;
  }

  /** Number of indexed chunks. */
  get size(): number {
    return this.entries.size;
  }

  /** Adds a chunk, replacing one with the same id. */
  add(entry: KeywordEntry): void {
    this.remove(entry.id);
    this.entries.set(entry.id, entry);
    let ids = this.byDocument.get(entry.documentId);
    if (!ids) {
      ids = new Set();
      this.byDocument.set(entry.documentId, ids);
    }
    ids.add(entry.id);
    this.totalLength += entry.length;
    for (const [term, count] of Object.entries(entry.terms)) {
      let posting = this.postings.get(term);
      if (!posting) {
        posting = new Map();
        this.postings.set(term, posting);
      }
      posting.set(entry.id, count);
    }
  }

  /** Removes a chunk; unknown ids are ignored. */
  remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    const ids = this.byDocument.get(entry.documentId);
    ids?.delete(id);
    if (ids?.size === 0) this.byDocument.delete(entry.documentId);
    this.totalLength -= entry.length;
    for (const term of Object.keys(entry.terms)) {
      const posting = this.postings.get(term);
      posting?.delete(id);
      if (posting?.size === 0) this.postings.delete(term);
    }
  }

  /** Removes every chunk of a document. */
  removeDocument(documentId: string): void {
    for (const entry of [...this.entries.values()])
      if (entry.documentId === documentId) this.remove(entry.id);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  metadataOf(id: string): Record<string, unknown> | undefined {
    return this.entries.get(id)?.metadata;
  }

  /** Best `topK` chunks for the query terms, optionally only those whose metadata passes `accept`. */
  search(
    queryTerms: string[],
    topK: number,
    accept?: (metadata: Record<string, unknown>) => boolean,
  ): KeywordHit[] {
    const count = this.entries.size;
    if (count === 0 || topK <= 0) return [];
    const averageLength = this.totalLength / count || 1;
    const scores = new Map<string, number>();
    const weights = new Map<string, number>();
    for (const term of queryTerms) weights.set(term, (weights.get(term) ?? 0) + 1);
    for (const [term, weight] of weights) {
      const posting = this.postings.get(term);
      if (!posting) continue;
      const idf = Math.log(1 + (count - posting.size + 0.5) / (posting.size + 0.5));
      for (const [id, frequency] of posting) {
        const length = this.entries.get(id)!.length;
        const norm = frequency + this.k1 * (1 - this.b + (this.b * length) / averageLength);
        scores.set(id, (scores.get(id) ?? 0) + (weight * idf * (frequency * (this.k1 + 1))) / norm);
      }
    }
    const hits: KeywordHit[] = [];
    for (const [id, score] of scores) {
      if (accept && !accept(this.entries.get(id)!.metadata)) continue;
      hits.push({ id, score });
    }
    hits.sort((left, right) => right.score - left.score || (left.id < right.id ? -1 : 1));
    return hits.slice(0, topK);
  }
}
