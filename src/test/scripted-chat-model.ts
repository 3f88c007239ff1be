import { AbortedError, InvalidArgumentError } from '../errors/index.js';
import type {
  ChatModel,
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  FinishReason,
  ModelCapabilities,
  ToolCall,
} from '../llm/types.js';
import { splitText } from './completion.js';
import type { ScriptedAnswer } from './protocol.js';

/** One answer of a {@link ScriptedChatModel}: a scripted answer, or an error to throw. */
export type ScriptedTurn = ScriptedAnswer | { throws: unknown };

export interface ScriptedChatModelOptions {
  /** Answers consumed in order, one per call. */
  answers?: ScriptedTurn[];
  /** Answers calls once `answers` is used up. Default: echo the last user message. */
  handler?: (request: ChatRequest, index: number) => ScriptedTurn | Promise<ScriptedTurn>;
  /** @default all true */
  capabilities?: Partial<ModelCapabilities>;
  /** @default 'scripted-model' */
  modelId?: string;
}

export interface ScriptedChatModel extends ChatModel {
  /** Every request received, in order (without its `signal`). */
  readonly requests: Omit<ChatRequest, 'signal'>[];
  /** Queue more answers. */
  enqueue(...answers: ScriptedTurn[]): void;
}

const finishReasons: Record<NonNullable<ScriptedAnswer['finishReason']>, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  content_filter: 'content-filter',
};

/**
 * An in-memory `ChatModel` for unit tests that need no HTTP at all (in Node or a browser): it
 * answers from a script with the same answer shape as the test server, streams word by word,
 * honours `AbortSignal`, and records requests. To test the HTTP path (SDK, retries, faults), use
 * the OpenAI test server instead.
 */
export function createScriptedChatModel(options: ScriptedChatModelOptions = {}): ScriptedChatModel {
  const queue = [...(options.answers ?? [])];
  const requests: Omit<ChatRequest, 'signal'>[] = [];
  const modelId = options.modelId ?? 'scripted-model';

  async function answer(request: ChatRequest): Promise<{ result: ChatResult; turn: ScriptedAnswer }> {
    if (request.signal?.aborted) throw new AbortedError('The model call was aborted by its AbortSignal.');
    const index = requests.length;
    const { signal: _signal, ...recorded } = request;
    requests.push(recorded);
    const turn = queue.shift() ?? (options.handler ? await options.handler(request, index) : echo(request));
    if ('throws' in turn) throw turn.throws;
    if (turn.delayMs) await wait(turn.delayMs, request.signal);
    const toolCalls: ToolCall[] = (turn.toolCalls ?? []).map((call, callIndex) => ({
      id: call.id ?? `call_${index}_${callIndex}`,
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
    }));
    const text = turn.text ?? '';
    const prompt = turn.usage?.prompt_tokens ?? Math.ceil(JSON.stringify(request.messages).length / 4);
    const completion = turn.usage?.completion_tokens ?? Math.ceil(text.length / 4);
    const result: ChatResult = {
      text,
      toolCalls,
      finishReason: turn.finishReason
        ? finishReasons[turn.finishReason]
        : toolCalls.length > 0
          ? 'tool-calls'
          : 'stop',
      usage: { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion },
      modelId,
    };
    return { result, turn };
  }

  return {
    provider: 'scripted',
    modelId,
    capabilities: {
      tools: true,
      jsonSchema: true,
      streamUsage: true,
      parallelToolCalls: true,
      jsonObject: true,
      ...options.capabilities,
    },
    requests,
    enqueue(...answers) {
      queue.push(...answers);
    },
    async generate(request) {
      return (await answer(request)).result;
    },
    async *stream(request): AsyncIterable<ChatStreamEvent> {
      const { result, turn } = await answer(request);
      for (const delta of splitText(result.text, turn.chunkSize)) {
        if (turn.chunkDelayMs) await wait(turn.chunkDelayMs, request.signal);
        else if (request.signal?.aborted)
          throw new AbortedError('The model call was aborted by its AbortSignal.');
        yield { type: 'text-delta', delta };
      }
      for (const [index, toolCall] of result.toolCalls.entries()) {
        yield {
          type: 'tool-call-delta',
          index,
          id: toolCall.id,
          name: toolCall.name,
          argumentsDelta: toolCall.arguments,
        };
        yield { type: 'tool-call', toolCall };
      }
      yield { type: 'finish', result };
    },
  };
}

function echo(request: ChatRequest): ScriptedAnswer {
  const last = [...request.messages].reverse().find((message) => message.role === 'user');
  if (!last) {
    throw new InvalidArgumentError('The scripted model has no answer left and no user message to echo.', {
      hint: 'Queue answers with `answers`/`enqueue()` or pass a `handler`.',
    });
  }
  const content = last.content;
  return {
    text:
      typeof content === 'string'
        ? content
        : content.map((part) => (part.type === 'text' ? part.text : '')).join(''),
  };
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => new AbortedError('The model call was aborted by its AbortSignal.');
    if (signal?.aborted) {
      reject(aborted());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
