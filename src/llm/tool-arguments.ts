import { InvalidResponseError } from '../errors/index.js';
import type { ToolCall } from './types.js';

/**
 * Parses a tool call's raw `arguments` text. `ChatModel` hands arguments over raw (the agent
 * validates them against the tool's schema); this throws `InvalidResponseError` when the model
 * produced text that is not a JSON object, with the raw text in `data.arguments`.
 */
export function parseToolArguments(toolCall: ToolCall): Record<string, unknown> {
  const text = toolCall.arguments.trim();
  let value: unknown;
  try {
    value = text === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new InvalidResponseError(
      `The model called tool "${toolCall.name}" with arguments that are not valid JSON: ${(error as Error).message}.`,
      {
        cause: error,
        hint: 'Send the error back to the model as the tool result so it can retry, or use a model with strict tool schemas.',
        data: { toolCallId: toolCall.id, toolName: toolCall.name, arguments: toolCall.arguments },
      },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidResponseError(
      `The model called tool "${toolCall.name}" with arguments that are not an object.`,
      {
        hint: 'Tool arguments must be a JSON object; send the error back to the model so it can retry.',
        data: { toolCallId: toolCall.id, toolName: toolCall.name, arguments: toolCall.arguments },
      },
    );
  }
  return value as Record<string, unknown>;
}
