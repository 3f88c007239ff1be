import { type IDBPDatabase, wrap } from 'idb';
import { InternalError, LumosError, StorageBlockedError, UnsupportedError } from '../errors/index.js';
import type { LumosSchema, Migration } from './indexeddb-schema.js';

export interface OpenDatabaseOptions {
  factory: IDBFactory;
  name: string;
  /** Schema version to open; each missing step of `steps` runs in the upgrade transaction. */
  version: number;
  steps: readonly Migration[];
  /** How long to wait for other connections to close before giving up. */
  blockedTimeoutMs: number;
}

/**
 * Opens (and if needed upgrades) a database through an injected `IDBFactory`. idb's `openDB`
 * always uses the global factory, so this mirrors it on top of idb's `wrap`.
 */
export function openDatabase(options: OpenDatabaseOptions): Promise<IDBPDatabase<LumosSchema>> {
  const { factory, name, version, steps, blockedTimeoutMs } = options;
  return new Promise((resolve, reject) => {
    let settled = false;
    let blockedTimer: ReturnType<typeof setTimeout> | undefined;
    let migrationError: unknown;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(blockedTimer);
      action();
    };
    const request = factory.open(name, version);
    request.onupgradeneeded = (event) => {
      clearTimeout(blockedTimer);
      const transaction = request.transaction as IDBTransaction;
      const database = wrap(request.result) as Parameters<Migration>[0];
      const upgrade = wrap(transaction) as unknown as Parameters<Migration>[1];
      const run = async () => {
        for (let step = event.oldVersion; step < version; step++)
          await (steps[step] as Migration)(database, upgrade);
      };
      run().catch((error: unknown) => {
        migrationError = error;
        try {
          transaction.abort();
        } catch {
          // Already finished: the open request reports the failure.
        }
      });
    };
    request.onblocked = (event) => {
      // Another connection (usually another tab) holds an older version open and did not close
      // on `versionchange`. Wait a little: a well-behaved tab closes on its own.
      blockedTimer = setTimeout(
        () =>
          settle(() =>
            reject(
              new StorageBlockedError(
                `Opening database "${name}" at version ${version} is blocked by a connection at version ${event.oldVersion}.`,
                {
                  hint: 'Close other tabs of this app (or reload them) and try again.',
                  data: { name, version, currentVersion: event.oldVersion },
                },
              ),
            ),
          ),
        blockedTimeoutMs,
      );
    };
    request.onsuccess = () => {
      const database = request.result;
      if (settled) {
        // We gave up while blocked; the upgrade finished later. Do not keep the connection.
        database.close();
        return;
      }
      settle(() => resolve(wrap(database) as IDBPDatabase<LumosSchema>));
    };
    request.onerror = (event) => {
      event.preventDefault();
      settle(() => reject(openError(name, version, migrationError ?? request.error)));
    };
  });
}

function openError(name: string, version: number, cause: unknown): LumosError {
  if (LumosError.isInstance(cause)) return cause;
  if (cause instanceof Error && cause.name === 'VersionError') {
    return new UnsupportedError(`Database "${name}" has a newer schema than version ${version}.`, {
      hint: 'It was written by a newer Lumos; update the app in this tab (reload).',
      cause,
    });
  }
  return new InternalError(`Could not open database "${name}": ${String(cause)}.`, {
    hint: 'Check that IndexedDB is available (not disabled, not a private window that blocks it).',
    cause,
  });
}
