import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { InvalidResponseError } from '../errors/index.js';
import type { CallScope } from './call-scope.js';
import { type CallContext, toLumosError } from './errors.js';
import type { StreamAssembler } from './response.js';
import type { ChatStreamEvent } from './types.js';

type Source = AsyncIterator<ChatCompletionChunk>;

/** What a stream needs once iteration begins (so nothing runs, and no timer starts, before that). */
export interface StreamStart {
  scope: CallScope;
  /** Sends the request (with retries); resolves with the SDK's chunk stream and its assembler. */
  open(): Promise<{ chunks: AsyncIterable<ChatCompletionChunk>; assembler: StreamAssembler }>;
}

/**
 * The event stream of one `ChatModel.stream()` call, written as a plain async iterator rather
 * than an async generator: it adds no promise hops per chunk on top of the SDK's own stream
 * (measured in bench/llm-overhead). The request starts on the first `next()`.
 */
export class ChatEventStream implements AsyncIterableIterator<ChatStreamEvent> {
  #started: StreamStart | undefined;
  #source: Source | undefined;
  #assembler: StreamAssembler | undefined;
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
    if (!this.#started) {
      try {
        this.#started = this.start();
      } catch (error) {
        this.#done = true;
        throw error;
      }
    }
    const { scope } = this.#started;
    try {
      if (!this.#source) {
        const opened = await this.#started.open();
        this.#assembler = opened.assembler;
        this.#source = opened.chunks[Symbol.asyncIterator]();
      }
      const assembler = this.#assembler!;
      for (;;) {
        let result: IteratorResult<ChatCompletionChunk>;
        try {
          result = await this.#source.next();
        } catch (error) {
          throw toLumosError(error, this.context, scope);
        }
        if (result.done) return this.#finish();
        const events = assembler.push(result.value);
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

  #finish(): IteratorResult<ChatStreamEvent> {
    const { scope } = this.#started!;
    const assembler = this.#assembler!;
    this.#done = true;
    scope.dispose();
    // The SDK ends an aborted stream quietly; say why it ended.
    scope.throwIfCancelled();
    if (!assembler.finished) {
      throw new InvalidResponseError(
        `The streamed answer from ${this.context.provider} ended before the model finished.`,
        {
          hint: 'The connection was closed early (proxy timeout or server crash); call again for a full answer.',
          data: { provider: this.context.provider, modelId: this.context.modelId },
        },
      );
    }
    this.#pending = assembler.finish();
    this.#position = 1;
    return { value: this.#pending[0]!, done: false };
  }

  async #close(): Promise<void> {
    this.#done = true;
    this.#pending = [];
    this.#started?.scope.dispose();
    const source = this.#source;
    this.#source = undefined;
    await source?.return?.();
  }
}
