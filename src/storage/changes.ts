import type { StorageChange, StorageListener } from './types.js';

/**
 * Fans committed changes out to listeners. A throwing listener never fails the write that
 * caused the change: its error is re-thrown in a microtask, where the host reports it.
 */
export class ChangeHub {
  readonly #listeners = new Set<StorageListener>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: StorageListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Delivers one change to every current listener. */
  emit(change: StorageChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** Drops every listener (on close). */
  clear(): void {
    this.#listeners.clear();
  }
}
