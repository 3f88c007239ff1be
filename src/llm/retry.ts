import type { LumosError } from '../errors/index.js';
import type { CallScope } from './call-scope.js';
import { type CallContext, toLumosError } from './errors.js';

/** How failed calls are retried. Only errors marked `retryable` are (429, 408, 409, 5xx, network). */
export interface ModelRetryOptions {
  /** Retries after the first attempt. @default 2 */
  maxRetries?: number;
  /** Cap of the first backoff window; the window doubles per attempt. @default 500 */
  initialDelayMs?: number;
  /** Largest backoff window. @default 8000 */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the error is thrown instead. @default 60000 */
  maxRetryAfterMs?: number;
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number;
  /** Called before each retry (for logging and tests). */
  onRetry?: (event: { attempt: number; delayMs: number; error: LumosError }) => void;
}

/** Delay before retry number `attempt` (0-based): the server's `Retry-After`, or full-jitter backoff. */
export function retryDelayMs(attempt: number, error: LumosError, options: ModelRetryOptions): number {
  const asked = error.data.retryAfterMs;
  if (typeof asked === 'number') return asked;
  const window = Math.min(options.maxDelayMs ?? 8000, (options.initialDelayMs ?? 500) * 2 ** attempt);
  return (options.random ?? Math.random)() * window;
}

/**
 * Runs `attempt` until it succeeds, a non-retryable error occurs, retries run out, or the scope
 * is cancelled (abort or timeout, which also cuts a backoff sleep short).
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  options: ModelRetryOptions,
  scope: CallScope,
  context: CallContext,
): Promise<T> {
  const maxRetries = options.maxRetries ?? 2;
  for (let retry = 0; ; retry++) {
    try {
      scope.throwIfCancelled();
      return await attempt();
    } catch (thrown) {
      const error = toLumosError(thrown, context, scope);
      if (!error.retryable || retry >= maxRetries) throw error;
      const delayMs = retryDelayMs(retry, error, options);
      if (delayMs > (options.maxRetryAfterMs ?? 60_000)) throw error;
      options.onRetry?.({ attempt: retry + 1, delayMs, error });
      await scope.pause(delayMs);
    }
  }
}
