import { countTokens } from 'gpt-tokenizer';
import { InvalidArgumentError } from '../errors/index.js';
import type { ChatMessage } from '../llm/types.js';
import { messageText } from './message-text.js';
import type { MemoryProcessor } from './types.js';

/** Tokens of the per-message framing in OpenAI's chat format (role, separators). */
const messageOverhead = 4;

/** Token count of one message (o200k encoding): text, tool calls and framing. */
export function countMessageTokens(message: ChatMessage): number {
  let tokens = messageOverhead + countTokens(messageText(message));
  if (message.role === 'assistant') {
    for (const call of message.toolCalls ?? [])
      tokens += countTokens(call.name) + countTokens(call.arguments) + 3;
  }
  if (message.role === 'user' && typeof message.content !== 'string') {
    // Images are billed by size; a low-detail image costs 85 tokens, the floor.
    tokens += message.content.filter((part) => part.type === 'image').length * 85;
  }
  return tokens;
}

/**
 * Drops tool results whose call is no longer in the list, and tool calls whose results are
 * missing: providers reject a `tool` message without its assistant call.
 */
export function dropOrphanToolMessages(messages: ChatMessage[]): ChatMessage[] {
  const calls = new Set<string>();
  const results = new Set<string>();
  for (const message of messages) {
    if (message.role === 'assistant') for (const call of message.toolCalls ?? []) calls.add(call.id);
    if (message.role === 'tool') results.add(message.toolCallId);
  }
  return messages.flatMap((message): ChatMessage[] => {
    if (message.role === 'tool') return calls.has(message.toolCallId) ? [message] : [];
    if (message.role !== 'assistant' || !message.toolCalls) return [message];
    const kept = message.toolCalls.filter((call) => results.has(call.id));
    if (kept.length === message.toolCalls.length) return [message];
    if (kept.length === 0 && message.content === '') return [];
    const { toolCalls: _dropped, ...rest } = message;
    return [kept.length > 0 ? { ...rest, toolCalls: kept } : rest];
  });
}

/**
 * Keeps the newest messages that fit in `limit` tokens (whole messages only), then removes
 * tool messages the cut orphaned. Mastra's `TokenLimiter`.
 */
export class TokenLimiter implements MemoryProcessor {
  readonly name = 'token-limiter';
  readonly limit: number;

  /** @param limit maximum tokens of the history, counted with gpt-tokenizer (o200k). */
  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new InvalidArgumentError(`TokenLimiter needs a positive integer limit, got ${String(limit)}.`, {
        hint: 'Pass the number of tokens the history may use, e.g. new TokenLimiter(4000).',
      });
    }
    this.limit = limit;
  }

  /** Drops the oldest messages until the rest fit. */
  async process(messages: ChatMessage[]): Promise<ChatMessage[]> {
    let total = 0;
    let start = messages.length;
    while (start > 0) {
      const tokens = countMessageTokens(messages[start - 1] as ChatMessage);
      if (total + tokens > this.limit) break;
      total += tokens;
      start -= 1;
    }
    return dropOrphanToolMessages(messages.slice(start));
  }
}

/**
 * Removes tool calls and their results from the history: all of them, or only the named tools.
 * Assistant turns left without text or calls disappear. Mastra's `ToolCallFilter`.
 */
export class ToolCallFilter implements MemoryProcessor {
  readonly name = 'tool-call-filter';
  readonly #exclude: Set<string> | undefined;

  /** @param options.exclude tool names to remove. @default every tool */
  constructor(options: { exclude?: string[] } = {}) {
    this.#exclude = options.exclude ? new Set(options.exclude) : undefined;
  }

  /** Filters tool calls and results. */
  async process(messages: ChatMessage[]): Promise<ChatMessage[]> {
    const removed = new Set<string>();
    const result: ChatMessage[] = [];
    for (const message of messages) {
      if (message.role === 'assistant' && message.toolCalls) {
        const kept = message.toolCalls.filter((call) => {
          const drop = this.#exclude === undefined || this.#exclude.has(call.name);
          if (drop) removed.add(call.id);
          return !drop;
        });
        const { toolCalls: _all, ...rest } = message;
        if (kept.length > 0) result.push({ ...rest, toolCalls: kept });
        else if (message.content !== '') result.push(rest);
        continue;
      }
      if (message.role === 'tool' && (removed.has(message.toolCallId) || this.#exclude === undefined))
        continue;
      result.push(message);
    }
    return result;
  }
}

/** Runs processors in order. */
export async function applyProcessors(
  processors: readonly MemoryProcessor[],
  messages: ChatMessage[],
  context: { threadId: string; resourceId: string },
): Promise<ChatMessage[]> {
  let current = messages;
  for (const processor of processors) current = await processor.process(current, context);
  return current;
}
