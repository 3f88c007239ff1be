/** The part of the Web Locks API the vector store uses. */
export interface LockProvider {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** Serialises callbacks per name inside this realm. */
export function localLocks(): LockProvider {
  const tails = new Map<string, Promise<unknown>>();
  return {
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      const previous = tails.get(name) ?? Promise.resolve();
      const run = previous.then(callback, callback);
      const tail = run.catch(() => undefined);
      tails.set(name, tail);
      void tail.then(() => {
        if (tails.get(name) === tail) tails.delete(name);
      });
      return run;
    },
  };
}

/**
 * `navigator.locks` (shared by every tab and worker of the origin) when the platform has it,
 * otherwise {@link localLocks}.
 */
export function defaultLocks(): LockProvider {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks) return localLocks();
  return {
    request: <T>(name: string, callback: () => Promise<T>) =>
      locks.request(name, { mode: 'exclusive' }, callback) as Promise<T>,
  };
}
