import { afterEach } from 'vitest';
import { IndexedDBStorage } from '../../../src/storage/index.js';
import { describeIndexedDBScenarios } from '../../../src/storage/testing/indexeddb-scenarios.js';
import { describeStorageContract } from '../../../src/storage/testing/storage-contract.js';

// Real IndexedDB in Chromium. Every database gets a unique name and is deleted afterwards.
const created: { storage: IndexedDBStorage; name: string }[] = [];
afterEach(async () => {
  for (const { storage, name } of created.splice(0)) {
    await storage.close();
    await new Promise<void>((resolve) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
  }
});

describeStorageContract('IndexedDBStorage (Chromium)', async () => {
  const name = `lumos-contract-${crypto.randomUUID()}`;
  const storage = await IndexedDBStorage.open({ name, broadcastChannel: false });
  created.push({ storage, name });
  return storage;
});

describeIndexedDBScenarios('Chromium', () => ({ indexedDB, name: `lumos-scenario-${crypto.randomUUID()}` }));
