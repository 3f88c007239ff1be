import type { ScriptedAnswer, ScriptedToolCall } from './protocol.js';

/** The parts of a chat completion request body the test server looks at. */
export interface ChatBody {
  model?: string;
  messages?: { role: string; content?: unknown }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  response_format?: { type: string; json_schema?: { schema?: Record<string, unknown> } };
}

interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A scripted answer resolved against the request: final text, tool calls, usage. */
export interface PlannedAnswer {
  id: string;
  created: number;
  model: string;
  text: string;
  toolCalls: WireToolCall[];
  finishReason: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

let sequence = 0;

/** Text of the last user message (string content or the text parts of an array). */
export function lastUserText(body: ChatBody): string {
  const messages = body.messages ?? [];
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    if (Array.isArray(message.content)) {
      return message.content
        .map((part: { type?: string; text?: string }) => (part.type === 'text' ? (part.text ?? '') : ''))
        .join('');
    }
  }
  return '';
}

/** A small value that satisfies a JSON Schema (first enum value, required properties, one item). */
export function exampleFromSchema(schema: Record<string, unknown> | undefined, depth = 0): unknown {
  if (!schema || depth > 8) return null;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const variants = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
  if (Array.isArray(variants) && variants.length > 0) return exampleFromSchema(variants[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(properties)) out[key] = exampleFromSchema(value, depth + 1);
      return out;
    }
    case 'array': {
      const minItems = typeof schema.minItems === 'number' ? schema.minItems : 1;
      const items = schema.items as Record<string, unknown> | undefined;
      return Array.from({ length: Math.max(1, minItems) }, () => exampleFromSchema(items, depth + 1));
    }
    case 'string':
      return 'example';
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return true;
    default:
      return null;
  }
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function toWireToolCall(call: ScriptedToolCall, index: number): WireToolCall {
  return {
    id: call.id ?? `call_${sequence}_${index}`,
    type: 'function',
    function: {
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
    },
  };
}

/**
 * Resolves a scripted answer against the request. No text and no tool calls means: answer with
 * an example of the requested JSON schema, or echo the last user message.
 */
export function planAnswer(body: ChatBody, answer: ScriptedAnswer): PlannedAnswer {
  sequence++;
  const toolCalls = (answer.toolCalls ?? []).map(toWireToolCall);
  let text = answer.text;
  if (text === undefined && toolCalls.length === 0) {
    const format = body.response_format;
    if (format?.type === 'json_schema') text = JSON.stringify(exampleFromSchema(format.json_schema?.schema));
    else if (format?.type === 'json_object') text = JSON.stringify({ echo: lastUserText(body) });
    else text = lastUserText(body);
  }
  text ??= '';
  const completionText =
    text + toolCalls.map((call) => call.function.name + call.function.arguments).join('');
  const prompt = answer.usage?.prompt_tokens ?? estimateTokens(JSON.stringify(body.messages ?? []));
  const completion = answer.usage?.completion_tokens ?? (completionText ? estimateTokens(completionText) : 0);
  return {
    id: `chatcmpl-test-${sequence}`,
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? 'test-model',
    text,
    toolCalls,
    finishReason: answer.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}

/** The non-streaming `chat.completion` object. */
export function completionObject(plan: PlannedAnswer): Record<string, unknown> {
  return {
    id: plan.id,
    object: 'chat.completion',
    created: plan.created,
    model: plan.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: plan.toolCalls.length > 0 && plan.text === '' ? null : plan.text,
          refusal: null,
          ...(plan.toolCalls.length > 0 ? { tool_calls: plan.toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: plan.finishReason,
      },
    ],
    usage: plan.usage,
  };
}

/** Splits streamed text word by word (leading whitespace kept, like model tokens) or by size. */
export function splitText(text: string, chunkSize?: number): string[] {
  if (text === '') return [];
  if (chunkSize && chunkSize > 0) {
    const pieces: string[] = [];
    for (let start = 0; start < text.length; start += chunkSize)
      pieces.push(text.slice(start, start + chunkSize));
    return pieces;
  }
  return text.match(/\s*\S+|\s+$/g) ?? [text];
}

/**
 * The `chat.completion.chunk` objects of a streamed answer, in OpenAI's order: role, text deltas,
 * tool-call deltas (id and name first, then argument fragments), finish reason, then usage when
 * `stream_options.include_usage` was asked for.
 */
export function streamChunks(plan: PlannedAnswer, includeUsage: boolean, chunkSize?: number): unknown[] {
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    id: plan.id,
    object: 'chat.completion.chunk',
    created: plan.created,
    model: plan.model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const chunks: unknown[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (const piece of splitText(plan.text, chunkSize)) chunks.push(chunk({ content: piece }));
  plan.toolCalls.forEach((call, index) => {
    chunks.push(
      chunk({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
        ],
      }),
    );
    for (const piece of splitText(call.function.arguments, chunkSize ?? 8)) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  chunks.push(chunk({}, plan.finishReason));
  if (includeUsage) {
    chunks.push({
      id: plan.id,
      object: 'chat.completion.chunk',
      created: plan.created,
      model: plan.model,
      system_fingerprint: null,
      choices: [],
      usage: plan.usage,
    });
  }
  return chunks;
}
