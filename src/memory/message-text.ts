import type { ChatMessage } from '../llm/types.js';

/** The plain text of a message: string content, or its text parts joined by newlines. */
export function messageText(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
}

/**
 * The text worth embedding for semantic recall: what the user and the assistant said. Tool
 * results and tool-call-only turns are skipped (noisy, and recalled alone they would be orphans).
 */
export function recallText(message: ChatMessage): string | undefined {
  if (message.role !== 'user' && message.role !== 'assistant') return undefined;
  const text = messageText(message).trim();
  return text.length > 0 ? text : undefined;
}
