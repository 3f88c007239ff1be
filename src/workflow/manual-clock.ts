import { AbortedError } from '../errors/index.js';
import type { WorkflowClock } from './types.js';

/** A clock for tests: time moves only when told to. */
export interface ManualClock extends WorkflowClock {
  /** Every `sleep` duration requested, in order (retry backoffs, sleep nodes). */
  readonly sleeps: number[];
  /** Moves time forward and wakes the sleeps that are due. */
  advance(ms: number): void;
}

/**
 * A {@link WorkflowClock} for tests. With `autoAdvance` (the default) every sleep returns at once
 * and moves time by its duration; without it, sleeps wait for `advance()`.
 */
export function createManualClock(
  options: { /** @default 0 */ start?: number /** @default true */; autoAdvance?: boolean } = {},
): ManualClock {
  let now = options.start ?? 0;
  const autoAdvance = options.autoAdvance ?? true;
  const sleeps: number[] = [];
  const waiting = new Set<{ wakeAt: number; wake: () => void }>();
  const wakeDue = () => {
    for (const sleeper of waiting) {
      if (sleeper.wakeAt <= now) {
        waiting.delete(sleeper);
        sleeper.wake();
      }
    }
  };
  return {
    sleeps,
    now: () => now,
    advance(ms) {
      now += ms;
      wakeDue();
    },
    sleep(ms, signal) {
      sleeps.push(ms);
      if (signal.aborted) return Promise.reject(new AbortedError('The sleep was aborted.'));
      if (autoAdvance) {
        now += ms;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const sleeper = {
          wakeAt: now + ms,
          wake: () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          waiting.delete(sleeper);
          reject(new AbortedError('The sleep was aborted.'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiting.add(sleeper);
        wakeDue();
      });
    },
  };
}
