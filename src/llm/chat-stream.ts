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
  assembler: StreamAssembler;
  /** Sends the request (with retries) and resolves with the SDK's chunk stream. */
  open(): Promise<AsyncIterable<ChatCompletionChunk>>;
}

/**
 * The event stream of one `ChatModel.stream()` call, written as a plain async iterator rather
 * than an async generator: it adds no promise hops per chunk on top of the SDK's own stream
 * (measured in bench/llm-overhead). The request starts on the first `next()`.
 */
export class ChatEventStream implements AsyncIterableIterator<ChatStreamEvent> {
  #started: StreamStart | undefined;
  #source: Source | undefined;
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
    const { scope, assembler } = this.#started;
    try {
      this.#source ??= (await this.#started.open())[Symbol.asyncIterator]();
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
    const { scope, assembler } = this.#started!;
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
