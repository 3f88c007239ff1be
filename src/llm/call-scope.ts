import { AbortedError, TimeoutError } from '../errors/index.js';

/**
 * One model call's cancellation: the caller's `AbortSignal` and the per-call timeout folded into
 * a single signal handed to the SDK. It remembers which of the two fired so the error says so.
 */
export class CallScope {
  readonly signal: AbortSignal;
  #controller = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;
  #userSignal: AbortSignal | undefined;
  #onUserAbort = () => this.#controller.abort();

  constructor(
    userSignal: AbortSignal | undefined,
    readonly timeoutMs: number,
  ) {
    this.signal = this.#controller.signal;
    this.#userSignal = userSignal;
    if (userSignal?.aborted) {
      this.#controller.abort();
      return;
    }
    userSignal?.addEventListener('abort', this.#onUserAbort, { once: true });
    if (Number.isFinite(timeoutMs) && timeoutMs > 0) {
      this.#timer = setTimeout(() => {
        this.#timedOut = true;
        this.#controller.abort();
      }, timeoutMs);
    }
  }

  /** The error for a call this scope cancelled, or `undefined` while it is still live. */
  cancellation(): AbortedError | TimeoutError | undefined {
    if (!this.signal.aborted) return undefined;
    if (this.#timedOut) {
      return new TimeoutError(`The model call did not finish within ${this.timeoutMs} ms.`, {
        hint: 'Raise `timeoutMs` (per call or on the model), or check that the endpoint is reachable and not overloaded.',
        data: { timeoutMs: this.timeoutMs },
        retryable: false,
      });
    }
    return new AbortedError('The model call was aborted by its AbortSignal.');
  }

  /** Throws the cancellation error if the scope was cancelled. */
  throwIfCancelled(): void {
    const error = this.cancellation();
    if (error) throw error;
  }

  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#userSignal?.removeEventListener('abort', this.#onUserAbort);
  }
}

/** Resolves after `ms`, or rejects at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
