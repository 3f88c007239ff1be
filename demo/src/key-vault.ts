import { createCipher, type EncryptedValue } from 'lumosai/security';

const databaseName = 'lumos-studio-keys';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(databaseName, 1);
    request.onupgradeneeded = () => request.result.createObjectStore('keys');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return open().then((database) =>
    new Promise<T>((resolve, reject) => {
      const request = work(database.transaction('keys', mode).objectStore('keys'));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }).finally(() => database.close()),
  );
}

/**
 * The opt-in "remember my key": the key is encrypted with AES-GCM under a non-extractable
 * `CryptoKey` that lives in IndexedDB. Script can use that key but never read it, so a copy of
 * the database alone does not reveal the API key. (Script running in this page still could use
 * it: see docs/security.md.)
 */
export const keyVault = {
  async save(apiKey: string): Promise<void> {
    const deviceKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    const sealed = await createCipher(deviceKey).encryptJSON(apiKey);
    await run('readwrite', (store) => store.put({ deviceKey, sealed }, 'apiKey'));
  },
  async load(): Promise<string | undefined> {
    const entry = await run<{ deviceKey: CryptoKey; sealed: EncryptedValue } | undefined>(
      'readonly',
      (store) => store.get('apiKey'),
    );
    return entry ? createCipher(entry.deviceKey).decryptJSON<string>(entry.sealed) : undefined;
  },
  async forget(): Promise<void> {
    await run('readwrite', (store) => store.delete('apiKey'));
  },
};
