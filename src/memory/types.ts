import type { ZodObject } from 'zod';
import type { Embedder } from '../embed/types.js';
import type { ChatMessage, ChatModel } from '../llm/types.js';
import type { MemoryStore, MessageRecord } from '../storage/types.js';
import type { VectorStore } from '../vector/types.js';

/** Semantic recall settings. */
export interface SemanticRecallOptions {
  /** How many similar past messages to retrieve. @default 4 */
  topK?: number;
  /** Neighbours kept around each hit, before and after. @default 1 */
  messageRange?: number | { before: number; after: number };
  /** Search this thread only, or every thread of the resource. @default 'thread' */
  scope?: 'thread' | 'resource';
}

/**
 * Working memory: a small persistent note the agent maintains through the
 * `updateWorkingMemory` tool. Give a markdown `template`, or a zod `schema` for JSON.
 */
export interface WorkingMemoryOptions {
  /** @default false */
  enabled: boolean;
  /** One note per user (resource) or per thread. @default 'resource' */
  scope?: 'thread' | 'resource';
  /** Markdown the note starts from. @default a short "User Information" template */
  template?: string;
  /** A zod object schema; the note is then JSON, merged key by key on update. */
  schema?: ZodObject;
}

export interface MemoryOptions {
  /** How many recent messages go into the context; `false` for none. @default 10 */
  lastMessages?: number | false;
  /** `true` uses the defaults of `SemanticRecallOptions`. Needs `embedder` and `vector`. @default false */
  semanticRecall?: boolean | SemanticRecallOptions;
  /** @default { enabled: false } */
  workingMemory?: WorkingMemoryOptions;
  /**
   * Title new threads after their first user message: `true` uses its first line (no model
   * call); `{ model }` asks the model, in the background.
   * @default false
   */
  generateTitle?: boolean | { model: ChatModel; instructions?: string };
  /** Token budget of the history messages (gpt-tokenizer, o200k). @default undefined (no limit) */
  tokenLimit?: number;
}

/** Transforms the history before it goes to the model (filters, budgets). */
export interface MemoryProcessor {
  readonly name: string;
  process(messages: ChatMessage[], context: { threadId: string; resourceId: string }): Promise<ChatMessage[]>;
}

export interface MemoryConfig {
  /** Where threads, messages and working memory live (`IndexedDBStorage` or `InMemoryStorage`). */
  storage: MemoryStore;
  /** Embeds messages for semantic recall. */
  embedder?: Embedder;
  /** Holds the message vectors for semantic recall. */
  vector?: VectorStore;
  options?: MemoryOptions;
  /** Run in order on the history; a `TokenLimiter` for `options.tokenLimit` runs last. @default [] */
  processors?: MemoryProcessor[];
  /** Vector index for message embeddings. @default 'lumos_memory_messages' */
  indexName?: string;
  /** @default Date.now */
  now?: () => number;
  /** @default () => crypto.randomUUID() */
  generateId?: () => string;
  /** Called with errors of background work (embedding, titles). @default they reject the next `idle()` */
  onBackgroundError?: (error: unknown) => void;
}

/** What `getContext` returns: ready to put before the new input. */
export interface MemoryContext {
  /** Working memory and cross-thread recall, as system texts (the agent joins them). */
  systemMessages: string[];
  /** Recalled messages of this thread, then the recent history; oldest first, after processors. */
  messages: ChatMessage[];
  /** The recalled records (hits and their neighbours), deduplicated against the history. */
  recalled: MessageRecord[];
  /** The current working memory text, when enabled. */
  workingMemory: string | undefined;
}
