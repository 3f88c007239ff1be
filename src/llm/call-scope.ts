import { AbortedError, TimeoutError } from '../errors/index.js';

/** The part of the SDK's per-request options a scope fills in. */
interface SdkRequestOptions {
  signal?: AbortSignal;
  timeout?: number;
  headers?: Record<string, string>;
}

/**
 * One model call's cancellation: the caller's `AbortSignal` and the per-call timeout folded into
 * a single signal handed to the SDK. It remembers which of the two fired so the error says so.
 *
 * `CallScope.deadline()` is the variant for a call without a caller signal: no signal of its own
 * (in Node 20 each `AbortController` costs microseconds, one more per model call than the SDK's
 * own), the SDK's per-request `timeout` set to the time left, and `guard()` bounding what the SDK
 * does not (reading the body after the headers arrived).
 */
export class CallScope {
  /** What to hand the SDK; `undefined` in deadline mode. */
  readonly signal: AbortSignal | undefined;
  #controller: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;
  #userSignal: AbortSignal | undefined;
  #onUserAbort = () => this.#controller?.abort();
  /** `performance.now()` by which the call must be done (deadline mode). */
  #deadline = Number.POSITIVE_INFINITY;

  constructor(
    userSignal: AbortSignal | undefined,
    readonly timeoutMs: number,
    mode: 'signal' | 'deadline' = 'signal',
  ) {
    if (mode === 'deadline' && userSignal === undefined) {
      this.signal = undefined;
      if (Number.isFinite(timeoutMs) && timeoutMs > 0) this.#deadline = performance.now() + timeoutMs;
      return;
    }
    this.#controller = new AbortController();
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
        this.#controller?.abort();
      }, timeoutMs);
    }
  }

  /** A scope for a call with no caller signal: see the class comment. */
  static deadline(userSignal: AbortSignal | undefined, timeoutMs: number): CallScope {
    return new CallScope(userSignal, timeoutMs, 'deadline');
  }

  /** SDK request options: the signal, or in deadline mode the SDK's `timeout` for the time left. */
  requestOptions(headers: Record<string, string> | undefined): SdkRequestOptions {
    const options: SdkRequestOptions = headers ? { headers } : {};
    if (this.signal !== undefined) options.signal = this.signal;
    else if (this.#deadline !== Number.POSITIVE_INFINITY)
      options.timeout = Math.max(1, Math.ceil(this.#left()));
    return options;
  }

  #left(): number {
    return this.#deadline - performance.now();
  }

  /** The error for a call this scope cancelled, or `undefined` while it is still live. */
  cancellation(): AbortedError | TimeoutError | undefined {
    // Deadline mode: the SDK's timer (set to the time left) may fire a hair before our clock agrees.
    if (this.signal === undefined) return this.#left() <= 1 ? this.#timeoutError() : undefined;
    if (!this.signal.aborted) return undefined;
    if (this.#timedOut) return this.#timeoutError();
    return new AbortedError('The model call was aborted by its AbortSignal.');
  }

  #timeoutError(): TimeoutError {
    return new TimeoutError(`The model call did not finish within ${this.timeoutMs} ms.`, {
      hint: 'Raise `timeoutMs` (per call or on the model), or check that the endpoint is reachable and not overloaded.',
      data: { timeoutMs: this.timeoutMs },
      retryable: false,
    });
  }

  /** Throws the cancellation error if the scope was cancelled. */
  throwIfCancelled(): void {
    const error = this.cancellation();
    if (error) throw error;
  }

  /**
   * `work` bounded by the deadline (deadline mode; a signal already bounds it otherwise): past
   * it, `onTimeout` runs (e.g. cancels the body) and the promise rejects with `TimeoutError`.
   */
  guard<T>(work: Promise<T>, onTimeout: () => void): Promise<T> {
    if (this.signal !== undefined || this.#deadline === Number.POSITIVE_INFINITY) return work;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          onTimeout();
          reject(this.#timeoutError());
        },
        Math.max(0, this.#left()),
      );
    });
    return Promise.race([work, expired]).finally(() => clearTimeout(timer));
  }

  /** Waits `ms` before a retry; cut short by an abort, or in deadline mode by the deadline. */
  async pause(ms: number): Promise<void> {
    if (this.signal !== undefined) {
      try {
        await sleep(ms, this.signal);
      } catch {
        this.throwIfCancelled();
      }
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(ms, Math.max(0, this.#left()))));
    this.throwIfCancelled();
  }

  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#userSignal?.removeEventListener('abort', this.#onUserAbort);
  }
}

/** Resolves after `ms`, or rejects at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
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
