import type { Embedder } from '../embed/types.js';
import type { MessageRecord } from '../storage/types.js';
import type { VectorStore } from '../vector/types.js';
import { recallText } from './message-text.js';
import type { SemanticRecallOptions } from './types.js';

export interface ResolvedRecall {
  topK: number;
  before: number;
  after: number;
  scope: 'thread' | 'resource';
}

/** Fills the defaults of `semanticRecall` (`true` means all defaults). */
export function resolveRecall(
  option: boolean | SemanticRecallOptions | undefined,
): ResolvedRecall | undefined {
  if (!option) return undefined;
  const settings = option === true ? {} : option;
  const range = settings.messageRange ?? 1;
  return {
    topK: settings.topK ?? 4,
    before: typeof range === 'number' ? range : range.before,
    after: typeof range === 'number' ? range : range.after,
    scope: settings.scope ?? 'thread',
  };
}

/** Resolves in a later task (after the current task and its microtasks). */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** How many messages one background `embedMany` call takes at most. */
const embedBatchSize = 64;

/**
 * Message vectors for semantic recall. New messages queue up and are embedded in the
 * background, in batches, one batch at a time, so saving never waits for the embedder.
 */
export class MessageVectors {
  readonly #embedder: Embedder;
  readonly #vector: VectorStore;
  readonly #indexName: string;
  #queue: MessageRecord[] = [];
  #draining: Promise<void> | undefined;
  #indexReady: Promise<void> | undefined;

  constructor(embedder: Embedder, vector: VectorStore, indexName: string) {
    this.#embedder = embedder;
    this.#vector = vector;
    this.#indexName = indexName;
  }

  /**
   * Queues messages for embedding; returns the promise of the drain that will handle them. The
   * drain starts a task later, so the append that queued them resolves before any embedding
   * work (cache lookups, the worker message) runs on this thread.
   */
  enqueue(messages: MessageRecord[]): Promise<void> {
    const embeddable = messages.filter((message) => recallText(message.message) !== undefined);
    if (embeddable.length === 0) return this.#draining ?? Promise.resolve();
    this.#queue.push(...embeddable);
    this.#draining ??= nextTask()
      .then(() => this.#drain())
      .finally(() => {
        this.#draining = undefined;
      });
    return this.#draining;
  }

  async #drain(): Promise<void> {
    await this.#ensureIndex();
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, embedBatchSize);
      const vectors = await this.#embedder.embedMany(
        batch.map((message) => recallText(message.message) as string),
      );
      await this.#vector.upsert({
        indexName: this.#indexName,
        vectors,
        ids: batch.map((message) => message.id),
        metadata: batch.map((message) => ({
          threadId: message.threadId,
          resourceId: message.resourceId,
          seq: message.seq,
        })),
      });
    }
  }

  #ensureIndex(): Promise<void> {
    this.#indexReady ??= (async () => {
      const existing = await this.#vector.listIndexes();
      if (existing.includes(this.#indexName)) return;
      if (this.#embedder.dimension === 0) await this.#embedder.embed('dimension probe');
      await this.#vector.createIndex({
        indexName: this.#indexName,
        dimension: this.#embedder.dimension,
        metric: 'cosine',
      });
    })().catch((error: unknown) => {
      this.#indexReady = undefined;
      throw error;
    });
    return this.#indexReady;
  }

  /** The `topK` most similar embedded messages to `query` within the scope. */
  async search(
    query: string,
    scope: { threadId: string } | { resourceId: string },
    topK: number,
  ): Promise<{ id: string; threadId: string; seq: number; score: number }[]> {
    await this.#ensureIndex();
    const queryVector = await this.#embedder.embed(query);
    const hits = await this.#vector.query({
      indexName: this.#indexName,
      queryVector,
      topK,
      filter: { ...scope },
    });
    return hits.map((hit) => ({
      id: hit.id,
      threadId: String(hit.metadata.threadId),
      seq: Number(hit.metadata.seq),
      score: hit.score,
    }));
  }

  /** Removes the vectors of a thread (or of exact message ids). */
  async remove(target: { threadId: string } | { ids: string[] }): Promise<void> {
    // Drop queued work for the target and let an in-flight batch land first, so nothing is
    // upserted after the delete.
    const ids = 'ids' in target ? new Set(target.ids) : undefined;
    this.#queue = this.#queue.filter((message) =>
      ids ? !ids.has(message.id) : message.threadId !== (target as { threadId: string }).threadId,
    );
    await this.#draining?.catch(() => undefined);
    const existing = await this.#vector.listIndexes();
    if (!existing.includes(this.#indexName)) return;
    if ('ids' in target) {
      if (target.ids.length > 0)
        await this.#vector.deleteVectors({ indexName: this.#indexName, ids: target.ids });
    } else {
      await this.#vector.deleteVectors({ indexName: this.#indexName, filter: { threadId: target.threadId } });
    }
  }
}
