import { InvalidArgumentError, NotFoundError } from '../errors/index.js';
import type { ChatMessage } from '../llm/types.js';
import type { MemoryStore, MessageRecord, Page, PageOptions, ThreadRecord } from '../storage/types.js';
import { messageText } from './message-text.js';
import { applyProcessors, dropOrphanToolMessages, TokenLimiter } from './processors.js';
import { MessageVectors, type ResolvedRecall, resolveRecall } from './semantic-recall.js';
import type {
  MemoryConfig,
  MemoryContext,
  MemoryOptions,
  MemoryProcessor,
  WorkingMemoryOptions,
} from './types.js';
import {
  nextWorkingMemory,
  workingMemoryInputSchema,
  workingMemorySystemText,
  workingMemoryToolName,
} from './working-memory.js';

type Scope = { threadId: string; resourceId: string };

/** A tool object in the shape of `createTool`'s result, so an agent can register it directly. */
export interface WorkingMemoryTool {
  readonly id: typeof workingMemoryToolName;
  readonly description: string;
  readonly inputSchema: ReturnType<typeof workingMemoryInputSchema>;
  readonly outputSchema: undefined;
  readonly requireApproval: false;
  readonly timeoutMs: undefined;
  execute(
    input: { memory: unknown },
    context?: { threadId?: string | undefined; resourceId?: string | undefined },
  ): Promise<{ success: true; workingMemory: string }>;
}

/**
 * Conversation memory, Mastra-shaped: threads owned by resources, recent history within a
 * token budget, semantic recall over past messages, and working memory the agent updates
 * through a tool. Every read and write is scoped by `resourceId`; a thread of another resource
 * behaves exactly like a missing one (`NotFoundError`).
 *
 * ```ts
 * const memory = new Memory({ storage, embedder, vector, options: { lastMessages: 20, semanticRecall: true } });
 * const agent = new Agent({ name: 'helper', model, memory, tools: { updateWorkingMemory: memory.workingMemoryTool() } });
 * ```
 */
export class Memory {
  readonly options: Readonly<MemoryOptions>;
  readonly #storage: MemoryStore;
  readonly #processors: MemoryProcessor[];
  readonly #recall: ResolvedRecall | undefined;
  readonly #vectors: MessageVectors | undefined;
  readonly #workingMemory: WorkingMemoryOptions | undefined;
  readonly #now: () => number;
  readonly #generateId: () => string;
  readonly #onBackgroundError: ((error: unknown) => void) | undefined;
  readonly #background = new Set<Promise<void>>();
  readonly #titling = new Set<string>();
  readonly #creating = new Map<string, Promise<ThreadRecord>>();
  #backgroundErrors: unknown[] = [];

  /** @throws InvalidArgumentError when semantic recall is on without `embedder` and `vector`. */
  constructor(config: MemoryConfig) {
    this.options = config.options ?? {};
    this.#storage = config.storage;
    this.#now = config.now ?? Date.now;
    this.#generateId = config.generateId ?? (() => crypto.randomUUID());
    this.#onBackgroundError = config.onBackgroundError;
    this.#recall = resolveRecall(this.options.semanticRecall);
    if (this.#recall) {
      if (!config.embedder || !config.vector) {
        throw new InvalidArgumentError('Semantic recall needs an embedder and a vector store.', {
          hint: 'Pass { embedder, vector } to new Memory(...), or set semanticRecall: false.',
        });
      }
    }
    if (config.embedder && config.vector) {
      this.#vectors = new MessageVectors(
        config.embedder,
        config.vector,
        config.indexName ?? 'lumos_memory_messages',
      );
    }
    this.#workingMemory = this.options.workingMemory?.enabled ? this.options.workingMemory : undefined;
    const limit = this.options.tokenLimit;
    this.#processors = [
      ...(config.processors ?? []),
      ...(limit !== undefined ? [new TokenLimiter(limit)] : []),
    ];
  }

  // --- threads ----------------------------------------------------------------------------

  /** Creates a thread for a resource (and the resource record if it is new). */
  async createThread(request: {
    resourceId: string;
    threadId?: string;
    title?: string;
    metadata?: Record<string, unknown>;
  }): Promise<ThreadRecord> {
    const id = request.threadId ?? this.#generateId();
    const existing = await this.#storage.getThread(id);
    if (existing) {
      if (existing.resourceId !== request.resourceId) throw threadNotFound(id, request.resourceId);
      return existing;
    }
    await this.#ensureResource(request.resourceId);
    const now = this.#now();
    const thread: ThreadRecord = {
      id,
      resourceId: request.resourceId,
      createdAt: now,
      updatedAt: now,
      nextSeq: 0,
    };
    if (request.title !== undefined) thread.title = request.title;
    if (request.metadata !== undefined) thread.metadata = request.metadata;
    await this.#storage.saveThread(thread);
    return thread;
  }

  /** Creates a thread on first use; concurrent first appends in this tab share one creation. */
  #createOnce(scope: Scope): Promise<ThreadRecord> {
    let creating = this.#creating.get(scope.threadId);
    if (!creating) {
      creating = this.createThread({ resourceId: scope.resourceId, threadId: scope.threadId }).finally(() =>
        this.#creating.delete(scope.threadId),
      );
      this.#creating.set(scope.threadId, creating);
    }
    return creating;
  }

  async #ensureResource(resourceId: string): Promise<void> {
    if (await this.#storage.getResource(resourceId)) return;
    const now = this.#now();
    await this.#storage.saveResource({ id: resourceId, createdAt: now, updatedAt: now });
  }

  /** The thread, if it belongs to `resourceId`. @throws NotFoundError otherwise */
  async getThread(scope: Scope): Promise<ThreadRecord> {
    const thread = await this.#storage.getThread(scope.threadId);
    if (!thread || thread.resourceId !== scope.resourceId)
      throw threadNotFound(scope.threadId, scope.resourceId);
    return thread;
  }

  /** Threads of a resource, newest activity first. */
  async listThreads(query: PageOptions & { resourceId: string }): Promise<Page<ThreadRecord>> {
    return this.#storage.listThreads(query);
  }

  /** Changes a thread's title or metadata. @throws NotFoundError for another resource's thread */
  async updateThread(
    request: Scope & { title?: string; metadata?: Record<string, unknown> },
  ): Promise<ThreadRecord> {
    const thread = await this.getThread(request);
    const updated: ThreadRecord = { ...thread, updatedAt: Math.max(thread.updatedAt, this.#now()) };
    if (request.title !== undefined) updated.title = request.title;
    if (request.metadata !== undefined) updated.metadata = request.metadata;
    await this.#storage.saveThread(updated);
    return updated;
  }

  /** Deletes a thread with its messages and their vectors. */
  async deleteThread(scope: Scope): Promise<void> {
    await this.getThread(scope);
    await this.#storage.deleteThread(scope.threadId);
    await this.#vectors?.remove({ threadId: scope.threadId });
  }

  /**
   * Copies a thread and its messages (optionally the last `messageLimit`) into a new thread of
   * the same resource; the copies are embedded in the background.
   */
  async cloneThread(
    request: Scope & { newThreadId?: string; title?: string; messageLimit?: number },
  ): Promise<ThreadRecord> {
    const source = await this.getThread(request);
    const clone = await this.createThread({
      resourceId: request.resourceId,
      ...(request.newThreadId !== undefined ? { threadId: request.newThreadId } : {}),
      title: request.title ?? `${source.title ?? 'Untitled'} (copy)`,
      metadata: { ...(source.metadata ?? {}), clonedFrom: source.id },
    });
    const messages = await this.#allMessages(source.id, request.messageLimit);
    if (messages.length > 0) {
      const saved = await this.#storage.appendMessages(
        messages.map((message) => ({
          id: this.#generateId(),
          threadId: clone.id,
          resourceId: request.resourceId,
          message: message.message,
          createdAt: message.createdAt,
          ...(message.metadata !== undefined ? { metadata: message.metadata } : {}),
        })),
      );
      this.#embedInBackground(saved);
    }
    if (this.#workingMemory?.scope === 'thread' && source.workingMemory !== undefined) {
      await this.#storage.saveThread({
        ...(await this.getThread({ threadId: clone.id, resourceId: request.resourceId })),
        workingMemory: source.workingMemory,
      });
    }
    return this.getThread({ threadId: clone.id, resourceId: request.resourceId });
  }

  async #allMessages(threadId: string, limit: number | undefined): Promise<MessageRecord[]> {
    if (limit !== undefined) return this.#storage.getLastMessages(threadId, limit);
    const all: MessageRecord[] = [];
    for (let offset = 0; ; ) {
      const page = await this.#storage.listMessages({ threadId, limit: 500, offset });
      all.push(...page.items);
      offset += page.items.length;
      if (!page.hasMore) return all;
    }
  }

  // --- messages ---------------------------------------------------------------------------

  /**
   * Appends messages to a thread (created on first use), in one transaction. Embedding for
   * semantic recall and title generation run in the background: this resolves once stored.
   */
  async saveMessages(request: Scope & { messages: ChatMessage[] }): Promise<void> {
    await this.appendMessages(request);
  }

  /** Like `saveMessages`, and returns the stored records (ids and sequence numbers). */
  async appendMessages(request: Scope & { messages: ChatMessage[] }): Promise<MessageRecord[]> {
    if (request.messages.length === 0) return [];
    const now = this.#now();
    const records = request.messages.map((message, position) => ({
      id: this.#generateId(),
      threadId: request.threadId,
      resourceId: request.resourceId,
      message,
      // Distinct timestamps keep the order visible to anything that sorts by time.
      createdAt: now + position / 1000,
    }));
    // The append transaction itself checks that the thread exists and belongs to the resource,
    // so the common case is one transaction; a first message creates the thread and retries.
    let saved: MessageRecord[];
    try {
      saved = await this.#storage.appendMessages(records);
    } catch (error) {
      if (!NotFoundError.isInstance(error)) throw error;
      await this.#createOnce(request);
      saved = await this.#storage.appendMessages(records);
    }
    this.#embedInBackground(saved);
    // Whether the thread still needs a title is checked in the background, not here: an append
    // resolves after its one transaction.
    if (this.options.generateTitle) this.#titleInBackground(request, request.messages);
    return saved;
  }

  /** Messages of a thread, oldest first, paged. @throws NotFoundError for another resource's thread */
  async listMessages(request: Scope & PageOptions): Promise<Page<MessageRecord>> {
    await this.getThread(request);
    const { threadId, limit, offset } = request;
    return this.#storage.listMessages({
      threadId,
      ...(limit !== undefined ? { limit } : {}),
      ...(offset !== undefined ? { offset } : {}),
    });
  }

  /** Deletes messages of a thread (and their vectors). Ids of other threads are refused. */
  async deleteMessages(request: Scope & { messageIds: string[] }): Promise<void> {
    await this.getThread(request);
    const found = await this.#storage.getMessages(request.messageIds);
    const foreign = found.find((message) => message.threadId !== request.threadId);
    if (foreign || found.length !== request.messageIds.length) {
      throw new NotFoundError(`Some messages are not in thread "${request.threadId}".`, {
        hint: 'Pass only ids of messages of this thread.',
      });
    }
    await this.#storage.deleteMessages(request.messageIds);
    await this.#vectors?.remove({ ids: request.messageIds });
  }

  // --- context ----------------------------------------------------------------------------

  /**
   * What to send before the new input: working memory (system text), recalled messages and
   * the recent history within the token budget. `input` (or `query`) drives semantic recall.
   * A thread that does not exist yet gives an empty history.
   */
  async getContext(
    request: Scope & { input?: ChatMessage[]; query?: string; signal?: AbortSignal },
  ): Promise<MemoryContext> {
    request.signal?.throwIfAborted();
    const lastMessages = this.options.lastMessages === false ? 0 : (this.options.lastMessages ?? 10);
    const query = request.query ?? lastUserText(request.input ?? []);
    const recall = this.#recall;
    const vectors = this.#vectors;
    // The query embedding dominates; start it together with the reads. Nothing is returned
    // before the thread's owner is checked below.
    const [thread, history, resource, hits] = await Promise.all([
      this.#storage.getThread(request.threadId),
      lastMessages > 0 ? this.#storage.getLastMessages(request.threadId, lastMessages) : Promise.resolve([]),
      this.#workingMemory && (this.#workingMemory.scope ?? 'resource') === 'resource'
        ? this.#storage.getResource(request.resourceId)
        : Promise.resolve(undefined),
      recall && vectors && query
        ? vectors.search(
            query,
            recall.scope === 'thread' ? { threadId: request.threadId } : { resourceId: request.resourceId },
            // Ask for extra: hits inside the recent history are dropped.
            recall.topK + lastMessages,
          )
        : Promise.resolve([]),
    ]);
    if (thread && thread.resourceId !== request.resourceId)
      throw threadNotFound(request.threadId, request.resourceId);
    const workingMemory = this.#workingMemory
      ? (this.#workingMemory.scope ?? 'resource') === 'thread'
        ? thread?.workingMemory
        : resource?.workingMemory
      : undefined;
    const recalled =
      recall && (thread || recall.scope === 'resource') ? await this.#recallFor(request, hits, history) : [];
    request.signal?.throwIfAborted();
    const sameThread = recalled.filter((message) => message.threadId === request.threadId);
    const otherThreads = recalled.filter((message) => message.threadId !== request.threadId);
    const messages = await applyProcessors(
      this.#processors,
      dropOrphanToolMessages([
        ...sameThread.map(recalledMessage),
        ...history.map((record) => record.message),
      ]),
      request,
    );
    const systemMessages: string[] = [];
    if (this.#workingMemory) systemMessages.push(workingMemorySystemText(this.#workingMemory, workingMemory));
    if (otherThreads.length > 0) systemMessages.push(formatOtherThreads(otherThreads));
    return { systemMessages, messages, recalled, workingMemory };
  }

  async #recallFor(
    scope: Scope,
    hits: { id: string; threadId: string; seq: number }[],
    history: MessageRecord[],
  ): Promise<MessageRecord[]> {
    const recall = this.#recall;
    if (!recall) return [];
    const inHistory = new Set(history.map((message) => message.id));
    const fresh = hits.filter((hit) => !inHistory.has(hit.id)).slice(0, recall.topK);
    const windows = await this.#storage.getMessageRanges(
      fresh.map((hit) => ({
        threadId: hit.threadId,
        fromSeq: Math.max(0, hit.seq - recall.before),
        toSeq: hit.seq + recall.after,
      })),
    );
    const byId = new Map<string, MessageRecord>();
    for (const window of windows) {
      for (const message of window) {
        // Never leak across resources, whatever the vector store returned.
        if (message.resourceId !== scope.resourceId || inHistory.has(message.id)) continue;
        if (message.message.role === 'tool' || message.message.role === 'system') continue;
        byId.set(message.id, message);
      }
    }
    return [...byId.values()].sort((a, b) =>
      a.threadId === b.threadId ? a.seq - b.seq : a.createdAt - b.createdAt,
    );
  }

  // --- working memory ---------------------------------------------------------------------

  /** The current working memory text (or `undefined` before the first update). */
  async getWorkingMemory(scope: Scope): Promise<string | undefined> {
    const thread = await this.#storage.getThread(scope.threadId);
    if (thread && thread.resourceId !== scope.resourceId)
      throw threadNotFound(scope.threadId, scope.resourceId);
    return this.#readWorkingMemory(scope, thread);
  }

  async #readWorkingMemory(scope: Scope, thread: ThreadRecord | undefined): Promise<string | undefined> {
    if ((this.#workingMemory?.scope ?? 'resource') === 'thread') return thread?.workingMemory;
    return (await this.#storage.getResource(scope.resourceId))?.workingMemory;
  }

  /**
   * Replaces (markdown) or merges (schema) the working memory. What the tool calls.
   * @throws ValidationError when a schema update does not match
   */
  async updateWorkingMemory(request: Scope & { memory: unknown }): Promise<string> {
    const options = this.#workingMemory;
    if (!options) {
      throw new InvalidArgumentError('Working memory is not enabled.', {
        hint: 'Set options.workingMemory: { enabled: true } in new Memory(...).',
      });
    }
    const thread = await this.createThread({ resourceId: request.resourceId, threadId: request.threadId });
    const now = this.#now();
    if ((options.scope ?? 'resource') === 'thread') {
      const next = nextWorkingMemory(options, thread.workingMemory, request.memory);
      await this.#storage.saveThread({ ...(await this.getThread(request)), workingMemory: next });
      return next;
    }
    const resource = (await this.#storage.getResource(request.resourceId)) ?? {
      id: request.resourceId,
      createdAt: now,
      updatedAt: now,
    };
    const next = nextWorkingMemory(options, resource.workingMemory, request.memory);
    await this.#storage.saveResource({ ...resource, workingMemory: next, updatedAt: now });
    return next;
  }

  /**
   * The `updateWorkingMemory` tool, shaped like `createTool(...)`'s result so an agent can
   * register it. Thread and resource come from the agent's run (`context`), or from `bound`.
   */
  workingMemoryTool(bound?: Scope): WorkingMemoryTool {
    const options = this.#workingMemory;
    if (!options) {
      throw new InvalidArgumentError('Working memory is not enabled.', {
        hint: 'Set options.workingMemory: { enabled: true } in new Memory(...).',
      });
    }
    return {
      id: workingMemoryToolName,
      description: options.schema
        ? 'Update the working memory: pass only the fields that changed; they are merged into the stored note.'
        : 'Update the working memory: pass the complete new note as markdown, following its template.',
      inputSchema: workingMemoryInputSchema(options),
      outputSchema: undefined,
      requireApproval: false,
      timeoutMs: undefined,
      execute: async (input, context) => {
        const threadId = bound?.threadId ?? context?.threadId;
        const resourceId = bound?.resourceId ?? context?.resourceId;
        if (threadId === undefined || resourceId === undefined) {
          throw new InvalidArgumentError('updateWorkingMemory needs a thread and a resource.', {
            hint: 'Call the agent with memory: { thread, resource }, or bind them: memory.workingMemoryTool({ threadId, resourceId }).',
          });
        }
        const workingMemory = await this.updateWorkingMemory({ threadId, resourceId, memory: input.memory });
        return { success: true, workingMemory };
      },
    };
  }

  // --- background work --------------------------------------------------------------------

  /** Resolves when background embedding and titling are done; rejects with the first error since the last call. */
  async idle(): Promise<void> {
    while (this.#background.size > 0) await Promise.all([...this.#background]);
    const [first] = this.#backgroundErrors;
    this.#backgroundErrors = [];
    if (first !== undefined) throw first;
  }

  /** Same as `idle()`: waits until every queued message is embedded. */
  flush(): Promise<void> {
    return this.idle();
  }

  #track(work: Promise<unknown>): void {
    const tracked: Promise<void> = work.then(
      () => undefined,
      (error: unknown) => {
        if (this.#onBackgroundError) this.#onBackgroundError(error);
        else this.#backgroundErrors.push(error);
      },
    );
    this.#background.add(tracked);
    void tracked.finally(() => this.#background.delete(tracked));
  }

  #embedInBackground(messages: MessageRecord[]): void {
    if (this.#vectors && this.#recall) this.#track(this.#vectors.enqueue(messages));
  }

  #titleInBackground(scope: Scope, messages: ChatMessage[]): void {
    const firstUser = messages.find((message) => message.role === 'user');
    if (!firstUser) return;
    const setting = this.options.generateTitle;
    // One title request per thread at a time, however many appends arrive meanwhile.
    if (this.#titling.has(scope.threadId)) return;
    this.#titling.add(scope.threadId);
    this.#track(
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if ((await this.getThread(scope)).title !== undefined) return;
        let title = shortTitle(messageText(firstUser));
        if (typeof setting === 'object') {
          const result = await setting.model.generate({
            messages: [
              {
                role: 'system',
                content:
                  setting.instructions ??
                  'Write a short title (at most 8 words, no quotes, no trailing punctuation) for a conversation that starts with the user message below.',
              },
              { role: 'user', content: messageText(firstUser) },
            ],
            maxTokens: 30,
          });
          title = shortTitle(result.text) || title;
        }
        const thread = await this.getThread(scope);
        if (thread.title === undefined && title) await this.#storage.saveThread({ ...thread, title });
      })().finally(() => this.#titling.delete(scope.threadId)),
    );
  }
}

function threadNotFound(threadId: string, resourceId: string): NotFoundError {
  return new NotFoundError(`Thread "${threadId}" was not found for resource "${resourceId}".`, {
    hint: 'Create the thread with memory.createThread({ resourceId }) and use the resourceId that owns it.',
    data: { threadId, resourceId },
  });
}

function lastUserText(input: ChatMessage[]): string | undefined {
  for (let index = input.length - 1; index >= 0; index--) {
    const message = input[index] as ChatMessage;
    if (message.role === 'user') {
      const text = messageText(message).trim();
      if (text) return text;
    }
  }
  return undefined;
}

/** A recalled message as plain text: tool calls are stripped so no result is orphaned. */
function recalledMessage(record: MessageRecord): ChatMessage {
  const message = record.message;
  if (message.role === 'assistant' && message.toolCalls)
    return { role: 'assistant', content: message.content };
  return message;
}

function formatOtherThreads(messages: MessageRecord[]): string {
  const lines = messages.map((record) => `[${record.message.role}] ${messageText(record.message)}`);
  return `Relevant messages from earlier conversations with this user:\n${lines.join('\n')}`;
}

function shortTitle(text: string): string {
  const line = (text.split('\n').find((candidate) => candidate.trim()) ?? '')
    .trim()
    .replace(/^["'\s]+|["'\s]+$/g, '')
    .replace(/[.!?:;,]+$/, '');
  return line.length > 60 ? `${line.slice(0, 57).trimEnd()}…` : line;
}
