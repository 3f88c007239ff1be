import { AbortedError, ConflictError } from '../errors/index.js';
import type { WorkflowClock } from './types.js';

/** Longest delay `setTimeout` honours; longer ones fire at once, so long sleeps are chained. */
const maxTimerMs = 2 ** 31 - 1;

/** Real time: `Date.now` and `setTimeout`, abortable; sleeps longer than ~24.8 days are chained. */
export const systemClock: WorkflowClock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    for (let left = ms; ; left -= maxTimerMs) {
      await timer(Math.min(left, maxTimerMs), signal);
      if (left <= maxTimerMs) return;
    }
  },
};

function timer(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(new AbortedError('The sleep was aborted.'));
      return;
    }
    const handle = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(handle);
      reject(new AbortedError('The sleep was aborted.'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A random run id (`crypto.randomUUID` where the page is a secure context). */
export function newRunId(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The subset of the Web Locks API the engine uses. */
export interface RunLocks {
  request<T>(
    name: string,
    options: { ifAvailable: true },
    callback: (lock: unknown) => Promise<T>,
  ): Promise<T>;
}

/** `navigator.locks` when the platform has it (browsers, workers), read when a run starts. */
export function platformLocks(): RunLocks | undefined {
  const navigatorLike = (globalThis as { navigator?: { locks?: RunLocks } }).navigator;
  return navigatorLike?.locks;
}

const activeRuns = new Set<string>();

/**
 * Runs `execute` while holding the run's lock: an in-realm set, plus a Web Lock when available so
 * another tab or worker cannot continue the same run at the same time (a terminated worker or a
 * closed page releases its locks).
 */
export async function withRunLock<T>(
  key: { workflowId: string; runId: string },
  locks: RunLocks | undefined,
  execute: () => Promise<T>,
): Promise<T> {
  const name = `lumosai-workflow:${key.workflowId}:${key.runId}`;
  const busy = () =>
    new ConflictError(`Run "${key.runId}" of workflow "${key.workflowId}" is already executing.`, {
      hint: 'Wait for it (run.result()) instead of starting or resuming it again.',
      data: { workflowId: key.workflowId, runId: key.runId },
    });
  if (activeRuns.has(name)) throw busy();
  activeRuns.add(name);
  try {
    if (!locks) return await execute();
    let acquired = false;
    const result = await locks.request(name, { ifAvailable: true }, async (lock) => {
      if (!lock) return undefined;
      acquired = true;
      return { value: await execute() };
    });
    if (!acquired || !result) throw busy();
    return result.value;
  } finally {
    activeRuns.delete(name);
  }
}
