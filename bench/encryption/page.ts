// Chromium: real IndexedDB for storage and vectors, BrowserVector in its worker (which gets the
// key through its `encryptionKey` setting).
import { deriveKey, randomSalt } from '../../src/security/index.js';
import { IndexedDBStorage } from '../../src/storage/index.js';
import { BrowserVector } from '../../src/vector/index.js';
import { measureEncryption } from './measure.js';

const params = new URLSearchParams(location.search);
const documents = Number(params.get('documents') ?? 200);
const queries = Number(params.get('queries') ?? 200);
const page = globalThis as Record<string, unknown>;

try {
  const salt = randomSalt();
  const deriveStart = performance.now();
  const key = await deriveKey('bench passphrase', { salt });
  const deriveMs = performance.now() - deriveStart;
  const run = Date.now();
  const result = await measureEncryption({
    documents,
    queries,
    key,
    async open(label, encryptionKey) {
      const name = `bench-encryption-${run}-${label}`;
      const storage = await IndexedDBStorage.open({ name });
      const vector = new BrowserVector(
        encryptionKey
          ? { databaseName: `${name}-vectors`, persist: true, encryptionKey }
          : { databaseName: `${name}-vectors`, persist: true },
      );
      return {
        storage,
        vector,
        async dispose() {
          await vector.close();
          await storage.close();
          indexedDB.deleteDatabase(name);
          indexedDB.deleteDatabase(`${name}-vectors`);
        },
      };
    },
  });
  page.__benchResult = { ...result, deriveMs, documents, queries };
} catch (error) {
  page.__benchResult = { error: String((error as Error)?.stack ?? error) };
}
