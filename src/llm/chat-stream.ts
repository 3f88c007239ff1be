import { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { InvalidResponseError } from '../errors/index.js';
import type { CallScope } from './call-scope.js';
import { type CallContext, toLumosError } from './errors.js';
import type { StreamAssembler } from './response.js';
import { SseDecoder } from './sse.js';
import type { ChatStreamEvent } from './types.js';

/** What a stream needs once iteration begins (so nothing runs, and no timer starts, before that). */
export interface StreamStart {
  scope: CallScope;
  /**
   * Sends the request through the SDK (auth, headers, status errors, retries) and resolves with
   * the raw streaming response and the assembler for its chunks.
   */
  open(): Promise<{ response: Response; assembler: StreamAssembler }>;
}

/**
 * The event stream of one `ChatModel.stream()` call. The SDK sends the request and checks the
 * status; the SSE body is decoded here, one network read at a time, so events within a read are
 * handed out without further awaits (measured in bench/llm-overhead: the SDK's own chunk iterator
 * plus a wrapper cost ~10% more CPU per streamed call). The request starts on the first `next()`.
 */
export class ChatEventStream implements AsyncIterableIterator<ChatStreamEvent> {
  #started: StreamStart | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #response: Response | undefined;
  #assembler: StreamAssembler | undefined;
  #text = new TextDecoder();
  #sse = new SseDecoder();
  #pending: ChatStreamEvent[] = [];
  #position = 0;
  #done = false;

  constructor(
    private readonly start: () => StreamStart,
    private readonly context: CallContext,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<ChatStreamEvent>> {
    if (this.#position < this.#pending.length)
      return { value: this.#pending[this.#position++]!, done: false };
    if (this.#done) return { value: undefined, done: true };
    try {
      this.#started ??= this.start();
      if (!this.#reader) {
        const opened = await this.#started.open();
        this.#assembler = opened.assembler;
        this.#response = opened.response;
        if (!opened.response.body) throw this.#invalid('answered a stream request without a body');
        this.#reader = opened.response.body.getReader();
      }
      for (;;) {
        let read: ReadableStreamReadResult<Uint8Array>;
        try {
          read = await this.#reader.read();
        } catch (error) {
          throw toLumosError(error, this.context, this.#started.scope);
        }
        const events: ChatStreamEvent[] = [];
        if (read.done) {
          this.#decode(this.#sse.push(this.#text.decode()), events);
          this.#decode(this.#sse.flush(), events);
          events.push(...this.#finish());
        } else {
          this.#decode(this.#sse.push(this.#text.decode(read.value, { stream: true })), events);
        }
        if (events.length === 0) continue;
        this.#pending = events;
        this.#position = 1;
        return { value: events[0]!, done: false };
      }
    } catch (error) {
      await this.#close();
      throw error;
    }
  }

  /** The consumer stopped early (`break`): close the HTTP response. */
  async return(): Promise<IteratorResult<ChatStreamEvent>> {
    await this.#close();
    return { value: undefined, done: true };
  }

  #decode(payloads: string[], events: ChatStreamEvent[]): void {
    for (const data of payloads) {
      if (data.startsWith('[DONE]')) continue;
      let chunk: ChatCompletionChunk & { error?: unknown };
      try {
        chunk = JSON.parse(data);
      } catch (error) {
        throw this.#invalid(`sent a stream event that is not valid JSON (${(error as Error).message})`, data);
      }
      if (chunk?.error) {
        // The provider failed mid-answer and said so; map it like the SDK's own stream would.
        throw toLumosError(
          new APIError(undefined, chunk.error as object, undefined, this.#response!.headers),
          this.context,
          this.#started!.scope,
        );
      }
      for (const event of this.#assembler!.push(chunk)) events.push(event);
    }
  }

  #finish(): ChatStreamEvent[] {
    const { scope } = this.#started!;
    this.#done = true;
    scope.dispose();
    // An abort can surface as a quietly ended body; say why it ended.
    scope.throwIfCancelled();
    if (!this.#assembler!.finished) {
      throw new InvalidResponseError(
        `The streamed answer from ${this.context.provider} ended before the model finished.`,
        {
          hint: 'The connection was closed early (proxy timeout or server crash); call again for a full answer.',
          data: { provider: this.context.provider, modelId: this.context.modelId },
        },
      );
    }
    return this.#assembler!.finish();
  }

  #invalid(what: string, data?: string): InvalidResponseError {
    return new InvalidResponseError(`${this.context.provider} (model "${this.context.modelId}") ${what}.`, {
      hint: 'The endpoint or a proxy in between is not speaking OpenAI-style SSE; check `baseURL`.',
      data: {
        provider: this.context.provider,
        modelId: this.context.modelId,
        ...(data ? { event: data.slice(0, 200) } : {}),
      },
    });
  }

  async #close(): Promise<void> {
    this.#done = true;
    this.#pending = [];
    this.#started?.scope.dispose();
    const reader = this.#reader;
    this.#reader = undefined;
    await reader?.cancel().catch(() => undefined);
  }
}
