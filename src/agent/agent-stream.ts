import type { Usage } from '../llm/types.js';
import type { AgentStreamEvent, AgentToolCall, GenerateResult, StepResult } from './types.js';

/** A `ReadableStream` that is also async-iterable in every runtime (older Safari lacks it natively). */
export type AsyncIterableStream<T> = ReadableStream<T> & AsyncIterable<T>;

/** What `agent.stream()` returns. The run starts at once; read any stream or await any promise. */
export interface AgentStream<TObject = unknown> {
  runId: string;
  /** Every event, ending with `finish` or `error`. Each read of this getter starts from the first event. */
  readonly fullStream: AsyncIterableStream<AgentStreamEvent>;
  /** Only the text deltas. */
  readonly textStream: AsyncIterableStream<string>;
  /** The whole result; rejects with the run's error. */
  result: Promise<GenerateResult<TObject>>;
  text: Promise<string>;
  object: Promise<TObject | undefined>;
  usage: Promise<Usage>;
  finishReason: Promise<GenerateResult['finishReason']>;
  toolCalls: Promise<AgentToolCall[]>;
  steps: Promise<StepResult[]>;
}

/**
 * Records events and replays them to any number of readers, so `fullStream`, `textStream` and
 * the promises can be consumed independently and late.
 */
export class EventBroadcaster {
  private readonly events: AgentStreamEvent[] = [];
  private closed = false;
  private readonly listeners = new Set<() => void>();

  emit(event: AgentStreamEvent): void {
    if (this.closed) return;
    this.events.push(event);
    if (event.type === 'finish' || event.type === 'error') this.closed = true;
    for (const listener of this.listeners) listener();
  }

  /** A stream of the events mapped by `select` (events it maps to `undefined` are skipped). */
  stream<T>(select: (event: AgentStreamEvent) => T | undefined): AsyncIterableStream<T> {
    let source: AsyncGenerator<T> | undefined;
    const readable = new ReadableStream<T>({
      pull: async (controller) => {
        source ??= this.iterate(select);
        const next = await source.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel: async () => {
        await source?.return(undefined);
      },
    });
    // `for await` reads the buffer directly: the WHATWG stream machinery costs measurably more
    // per event in Node. `getReader()`, `pipeTo()` and friends use the real stream.
    Object.defineProperty(readable, Symbol.asyncIterator, { value: () => this.iterate(select) });
    return readable as AsyncIterableStream<T>;
  }

  /** An async iterator over the mapped events from the first one on. */
  private async *iterate<T>(select: (event: AgentStreamEvent) => T | undefined): AsyncGenerator<T> {
    let index = 0;
    let wake: (() => void) | undefined;
    const notify = () => wake?.();
    this.listeners.add(notify);
    try {
      while (true) {
        while (index < this.events.length) {
          const value = select(this.events[index++]!);
          if (value !== undefined) yield value;
        }
        if (this.closed) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      this.listeners.delete(notify);
    }
  }
}
