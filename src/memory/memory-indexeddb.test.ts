import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors/index.js';
import { IndexedDBStorage } from '../storage/index.js';
import { Memory } from './index.js';
import { ExactVectorStore } from './testing/exact-vector-store.js';
import { HashEmbedder } from './testing/hash-embedder.js';

describe('Memory on IndexedDBStorage (fake-indexeddb)', () => {
  it('saves, recalls, isolates and deletes through the IndexedDB implementation', async () => {
    const storage = await IndexedDBStorage.open({
      indexedDB: new IDBFactory(),
      name: 'memory',
      broadcastChannel: false,
    });
    const vector = new ExactVectorStore();
    const memory = new Memory({
      storage,
      embedder: new HashEmbedder(),
      vector,
      options: {
        lastMessages: 1,
        semanticRecall: { topK: 1, messageRange: 0 },
        workingMemory: { enabled: true },
      },
    });
    const facts = ['my dog is called Rex', 'I work as a nurse in Bergen', 'I play the cello'];
    for (const fact of facts)
      await memory.saveMessages({
        threadId: 't',
        resourceId: 'u',
        messages: [{ role: 'user', content: fact }],
      });
    await memory.idle();
    const context = await memory.getContext({
      threadId: 't',
      resourceId: 'u',
      query: 'nurse work Bergen',
    });
    expect(context.messages.map((message) => message.content)).toEqual([
      'I work as a nurse in Bergen',
      'I play the cello',
    ]);
    await expect(memory.getContext({ threadId: 't', resourceId: 'intruder' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await memory.deleteThread({ threadId: 't', resourceId: 'u' });
    expect(await storage.countMessages('t')).toBe(0);
    expect((await vector.describeIndex({ indexName: 'lumos_memory_messages' })).count).toBe(0);
    await storage.close();
  });
});
