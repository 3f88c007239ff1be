import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../src/errors/index.js';
import type { ChatMessage } from '../../../src/llm/types.js';
import { Memory } from '../../../src/memory/index.js';
import { ExactVectorStore } from '../../../src/memory/testing/exact-vector-store.js';
import { HashEmbedder } from '../../../src/memory/testing/hash-embedder.js';
import { IndexedDBStorage, type StorageChange } from '../../../src/storage/index.js';

// Memory on real IndexedDB in Chromium. A "reload" is simulated by closing the storage and
// opening a new instance on the same database; a "second tab" is a second connection with its
// own BroadcastChannel in the same page (vitest browser mode cannot reload its test iframe).
const names: string[] = [];
const storages: IndexedDBStorage[] = [];
afterEach(async () => {
  for (const storage of storages.splice(0)) await storage.close();
  for (const name of names.splice(0)) {
    await new Promise<void>((resolve) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
  }
});

async function openStorage(name: string): Promise<IndexedDBStorage> {
  const storage = await IndexedDBStorage.open({ name });
  storages.push(storage);
  return storage;
}

function freshName(): string {
  const name = `lumos-memory-${crypto.randomUUID()}`;
  names.push(name);
  return name;
}

const user = (content: string): ChatMessage => ({ role: 'user', content });

describe('Memory on IndexedDB in Chromium', () => {
  it('keeps threads, history and working memory across a reload', async () => {
    const name = freshName();
    const options = { lastMessages: 5, workingMemory: { enabled: true } } as const;
    const before = new Memory({ storage: await openStorage(name), options });
    await before.createThread({ resourceId: 'u', threadId: 't', title: 'Trip' });
    await before.saveMessages({
      threadId: 't',
      resourceId: 'u',
      messages: [
        user('Find trains to Lisbon'),
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'c1', name: 'trains', arguments: '{"to":"Lisbon"}' }],
        },
        { role: 'tool', toolCallId: 'c1', name: 'trains', content: '[{"dep":"08:10"}]' },
        { role: 'assistant', content: 'There is a train at 08:10.' },
      ],
    });
    await before.updateWorkingMemory({
      threadId: 't',
      resourceId: 'u',
      memory: '# User\n- Travels by train',
    });
    await storages[0]?.close();

    const after = new Memory({ storage: await openStorage(name), options });
    const context = await after.getContext({ threadId: 't', resourceId: 'u' });
    expect(context.messages.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
    ]);
    expect(context.messages[1]).toMatchObject({ toolCalls: [{ id: 'c1', name: 'trains' }] });
    expect(context.workingMemory).toBe('# User\n- Travels by train');
    expect((await after.listThreads({ resourceId: 'u' })).items.map((thread) => thread.title)).toEqual([
      'Trip',
    ]);
    await expect(after.getThread({ threadId: 't', resourceId: 'someone-else' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('shows a message saved in one tab to the other and loses none from concurrent tabs', async () => {
    const name = freshName();
    const tabA = await openStorage(name);
    const tabB = await openStorage(name);
    const memoryA = new Memory({ storage: tabA, options: { lastMessages: 100 } });
    const memoryB = new Memory({ storage: tabB, options: { lastMessages: 100 } });
    await memoryA.createThread({ resourceId: 'u', threadId: 't' });
    const seenByB: StorageChange[] = [];
    tabB.subscribe((change) => seenByB.push(change));
    await memoryA.saveMessages({ threadId: 't', resourceId: 'u', messages: [user('from tab A')] });
    const deadline = Date.now() + 2000;
    while (!seenByB.some((change) => change.store === 'messages') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(seenByB.find((change) => change.store === 'messages')).toMatchObject({
      origin: 'remote',
      threadId: 't',
    });
    expect((await memoryB.getContext({ threadId: 't', resourceId: 'u' })).messages).toEqual([
      user('from tab A'),
    ]);

    await Promise.all(
      Array.from({ length: 15 }, (_, index) => [
        memoryA.saveMessages({ threadId: 't', resourceId: 'u', messages: [user(`A${index}`)] }),
        memoryB.saveMessages({ threadId: 't', resourceId: 'u', messages: [user(`B${index}`)] }),
      ]).flat(),
    );
    const history = (await memoryB.getContext({ threadId: 't', resourceId: 'u' })).messages;
    expect(history).toHaveLength(31);
    expect(new Set(history.map((message) => message.content)).size).toBe(31);
  });

  it('recalls semantically with background embedding on IndexedDB', async () => {
    const memory = new Memory({
      storage: await openStorage(freshName()),
      embedder: new HashEmbedder(),
      vector: new ExactVectorStore(),
      options: { lastMessages: 2, semanticRecall: { topK: 1, messageRange: 0 } },
    });
    const facts = [
      'my dog is called Rex',
      'I work as a nurse in Bergen',
      'my favourite food is ramen',
      'I play the cello',
    ];
    for (const fact of facts)
      await memory.saveMessages({ threadId: 't', resourceId: 'u', messages: [user(fact)] });
    await memory.idle();
    const context = await memory.getContext({
      threadId: 't',
      resourceId: 'u',
      query: 'what is the name of my dog',
    });
    expect(context.recalled.map((record) => record.message.content)).toEqual(['my dog is called Rex']);
    expect(context.messages.map((message) => message.content)).toEqual([
      'my dog is called Rex',
      'my favourite food is ramen',
      'I play the cello',
    ]);
  });
});
