import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageClosedError } from '../errors/index.js';
import { IndexedDBStorage } from './index.js';
import { describeIndexedDBScenarios } from './testing/indexeddb-scenarios.js';
import { describeStorageContract } from './testing/storage-contract.js';

const opened: IndexedDBStorage[] = [];
afterEach(async () => {
  for (const storage of opened.splice(0)) await storage.close();
});

async function openFresh(): Promise<IndexedDBStorage> {
  const storage = await IndexedDBStorage.open({
    indexedDB: new IDBFactory(),
    name: 'contract',
    broadcastChannel: false,
  });
  opened.push(storage);
  return storage;
}

describeStorageContract('IndexedDBStorage (fake-indexeddb)', openFresh);

describe('IndexedDBStorage in Node', () => {
  it('reads the last messages the same way with the cursor strategy', async () => {
    const factory = new IDBFactory();
    const writer = await IndexedDBStorage.open({ indexedDB: factory, name: 'read', broadcastChannel: false });
    const cursor = await IndexedDBStorage.open({
      indexedDB: factory,
      name: 'read',
      broadcastChannel: false,
      lastMessagesRead: 'cursor',
    });
    opened.push(writer, cursor);
    await writer.saveThread({ id: 't', resourceId: 'u', createdAt: 1, updatedAt: 1, nextSeq: 0 });
    const saved = await writer.appendMessages(
      Array.from({ length: 8 }, (_, index) => ({
        id: `m${index}`,
        threadId: 't',
        resourceId: 'u',
        message: { role: 'user' as const, content: `m${index}` },
        createdAt: index,
      })),
    );
    await writer.deleteMessages(['m6', 'm3']);
    const expected = ['m2', 'm4', 'm5', 'm7'];
    expect((await writer.getLastMessages('t', 4)).map((message) => message.id)).toEqual(expected);
    expect((await cursor.getLastMessages('t', 4)).map((message) => message.id)).toEqual(expected);
    expect(saved).toHaveLength(8);
  });

  it('throws StorageClosedError after close and works again after reopen', async () => {
    const storage = await openFresh();
    await storage.setValue('n', 'k', 1);
    await storage.close();
    expect(storage.isOpen).toBe(false);
    await expect(storage.getValue('n', 'k')).rejects.toBeInstanceOf(StorageClosedError);
    await storage.reopen();
    expect(await storage.getValue('n', 'k')).toBe(1);
  });
});

describeIndexedDBScenarios('fake-indexeddb', () => ({ indexedDB: new IDBFactory(), name: 'scenario' }));
