import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { InvalidResponseError } from '../errors/index.js';
import { extractJsonText } from './structured.js';
import type { ChatResult, ChatStreamEvent, FinishReason, ToolCall, Usage } from './types.js';

export function toFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}

export function toUsage(usage: ChatCompletion['usage'] | null | undefined): Usage | undefined {
  if (!usage) return undefined;
  const promptTokens = usage.prompt_tokens ?? 0;
  const completionTokens = usage.completion_tokens ?? 0;
  return {
    promptTokens,
    completionTokens,
    totalTokens: usage.total_tokens ?? promptTokens + completionTokens,
  };
}

/** The text a structured-output fallback answer boils down to (the JSON when one is found). */
export function finalText(text: string, extract: boolean): string {
  return extract ? (extractJsonText(text) ?? text) : text;
}

/** Maps a non-streamed completion to a `ChatResult`; malformed tool arguments stay raw. */
export function toChatResult(
  completion: ChatCompletion,
  modelId: string,
  extract: boolean,
  where: string,
): ChatResult {
  const choice = completion?.choices?.[0];
  if (!choice || typeof choice.message !== 'object' || choice.message === null) {
    throw new InvalidResponseError(`${where} answered without a choice.`, {
      hint: 'The endpoint may not be OpenAI-compatible; check `baseURL`.',
      data: { body: JSON.stringify(completion).slice(0, 500) },
    });
  }
  const toolCalls: ToolCall[] = [];
  for (const call of choice.message.tool_calls ?? []) {
    if (call.type === 'function') {
      toolCalls.push({ id: call.id, name: call.function.name, arguments: call.function.arguments ?? '' });
    }
  }
  const result: ChatResult = {
    text: finalText(choice.message.content ?? '', extract),
    toolCalls,
    finishReason: toFinishReason(choice.finish_reason),
    usage: toUsage(completion.usage),
    modelId: completion.model || modelId,
  };
  if (completion.id) result.responseId = completion.id;
  return result;
}

interface PartialCall {
  id: string;
  name: string;
  arguments: string;
  emitted: boolean;
}

/**
 * Turns streamed chunks into Lumos events. Tool calls are announced as complete when the next
 * call starts or the answer finishes; the usage chunk (after the finish reason) is folded into
 * the final result.
 */
export class StreamAssembler {
  #text = '';
  #calls: PartialCall[] = [];
  #finishReason: string | null = null;
  #usage: Usage | undefined;
  #responseId: string | undefined;
  #model: string;

  constructor(
    modelId: string,
    private readonly extract: boolean,
  ) {
    this.#model = modelId;
  }

  get finished(): boolean {
    return this.#finishReason !== null;
  }

  /** Events for one chunk (usually one; none for role-only and usage-only chunks). */
  push(chunk: ChatCompletionChunk): ChatStreamEvent[] {
    if (chunk.id) this.#responseId = chunk.id;
    if (chunk.model) this.#model = chunk.model;
    if (chunk.usage) this.#usage = toUsage(chunk.usage);
    const choice = chunk.choices?.[0];
    if (!choice) return [];
    const events: ChatStreamEvent[] = [];
    const delta = choice.delta;
    if (delta?.content) {
      this.#text += delta.content;
      events.push({ type: 'text-delta', delta: delta.content });
    }
    if (delta?.tool_calls) {
      for (const part of delta.tool_calls) {
        const index = part.index ?? 0;
        let call = this.#calls[index];
        if (!call) {
          // A new call starts: the ones before it are complete.
          for (const earlier of this.#calls)
            if (earlier && !earlier.emitted) events.push(this.#complete(earlier));
          call = { id: part.id ?? `call_${index}`, name: '', arguments: '', emitted: false };
          this.#calls[index] = call;
        }
        if (part.id) call.id = part.id;
        if (part.function?.name) call.name += part.function.name;
        const argumentsDelta = part.function?.arguments ?? '';
        call.arguments += argumentsDelta;
        const event: Extract<ChatStreamEvent, { type: 'tool-call-delta' }> = {
          type: 'tool-call-delta',
          index,
          argumentsDelta,
        };
        if (part.id) event.id = part.id;
        if (part.function?.name) event.name = part.function.name;
        events.push(event);
      }
    }
    if (choice.finish_reason) this.#finishReason = choice.finish_reason;
    return events;
  }

  /** The remaining tool-call events and the final `finish` event. */
  finish(): ChatStreamEvent[] {
    const events: ChatStreamEvent[] = [];
    for (const call of this.#calls) if (call && !call.emitted) events.push(this.#complete(call));
    const result: ChatResult = {
      text: finalText(this.#text, this.extract),
      toolCalls: this.#calls
        .filter(Boolean)
        .map(({ id, name, arguments: text }) => ({ id, name, arguments: text })),
      finishReason: toFinishReason(this.#finishReason),
      usage: this.#usage,
      modelId: this.#model,
    };
    if (this.#responseId) result.responseId = this.#responseId;
    events.push({ type: 'finish', result });
    return events;
  }

  #complete(call: PartialCall): ChatStreamEvent {
    call.emitted = true;
    return { type: 'tool-call', toolCall: { id: call.id, name: call.name, arguments: call.arguments } };
  }
}
