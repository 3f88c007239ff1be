import type {
  ChatModel,
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  ModelCapabilities,
} from '../../llm/types.js';

/** One scripted answer of {@link ScriptedModel}. */
export interface ScriptedTurn {
  text?: string;
  toolCalls?: { id?: string; name: string; arguments: string | Record<string, unknown> }[];
  delayMs?: number;
}

type Script = ScriptedTurn[] | ((request: ChatRequest, index: number) => ScriptedTurn);

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/** A `ChatModel` for unit tests that answers from a script and records every request. */
export class ScriptedModel implements ChatModel {
  readonly provider = 'scripted';
  readonly modelId = 'scripted-model';
  readonly capabilities: ModelCapabilities;
  readonly requests: ChatRequest[] = [];

  constructor(
    private readonly script: Script,
    capabilities: Partial<ModelCapabilities> = {},
  ) {
    this.capabilities = {
      tools: true,
      jsonSchema: true,
      streamUsage: true,
      parallelToolCalls: true,
      ...capabilities,
    };
  }

  private async next(request: ChatRequest): Promise<ChatResult> {
    const index = this.requests.length;
    // The signal (a live object) and the tracing parent are not part of what was asked.
    const { signal: _signal, parentSpan: _parentSpan, ...recorded } = request;
    this.requests.push(structuredClone(recorded));
    const turn = typeof this.script === 'function' ? this.script(request, index) : this.script[index];
    if (turn === undefined) throw new Error(`ScriptedModel has no answer for request ${index}.`);
    if (turn.delayMs) await wait(turn.delayMs, request.signal);
    const toolCalls = (turn.toolCalls ?? []).map((call, callIndex) => ({
      id: call.id ?? `call_${index}_${callIndex}`,
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
    }));
    return {
      text: turn.text ?? '',
      toolCalls,
      finishReason: toolCalls.length > 0 ? 'tool-calls' : 'stop',
      usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
      modelId: this.modelId,
    };
  }

  generate(request: ChatRequest): Promise<ChatResult> {
    return this.next(request);
  }

  async *stream(request: ChatRequest): AsyncIterable<ChatStreamEvent> {
    const result = await this.next(request);
    for (const word of result.text.split(/(?<= )/)) {
      if (word) {
        await wait(1, request.signal);
        yield { type: 'text-delta', delta: word };
      }
    }
    for (const toolCall of result.toolCalls) yield { type: 'tool-call', toolCall };
    yield { type: 'finish', result };
  }
}
