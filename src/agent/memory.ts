import type { ChatMessage } from '../llm/types.js';

/**
 * The narrow memory port the agent depends on. `Memory` from `lumosai/memory` implements it;
 * any object with these two methods works.
 *
 * Per run with `memory: { thread, resource }` the agent calls `getContext` once before the
 * first model call and `saveMessages` once when the run finishes (not while it is suspended).
 */
export interface AgentMemory {
  /**
   * What to put before the new input: extra system text (working memory, recalled facts) and
   * earlier messages of the thread, oldest first.
   */
  getContext(request: {
    threadId: string;
    resourceId: string;
    /** The new input messages, e.g. to drive semantic recall. */
    input: ChatMessage[];
    signal?: AbortSignal;
  }): Promise<{ systemMessages: string[]; messages: ChatMessage[] }>;
  /** Appends the exchange (the input messages, then the assistant and tool messages) to the thread. */
  saveMessages(request: { threadId: string; resourceId: string; messages: ChatMessage[] }): Promise<void>;
}
