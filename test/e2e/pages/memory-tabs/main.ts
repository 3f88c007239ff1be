import type { IDBPDatabase } from 'idb';
import { LumosError } from '../../../../src/errors/index.js';
import { Memory } from '../../../../src/memory/index.js';
import { IndexedDBStorage, migrations, type StorageChange } from '../../../../src/storage/index.js';
import { openDatabase } from '../../../../src/storage/indexeddb-open.js';

/**
 * One tab of the app for test/e2e/memory-tabs.e2e.test.ts. `?db=NAME` picks the database.
 * Normal mode opens IndexedDBStorage + Memory and publishes `__tab` (or `__openError` when the
 * open fails). `?mode=old` plays a tab still running the first release: it holds a version-1
 * connection, writes a thread in the version-1 shape, and ignores `versionchange`.
 */
const parameters = new URLSearchParams(location.search);
const name = parameters.get('db') ?? 'lumos-e2e-memory';
const page = globalThis as Record<string, unknown>;

const failure = (error: unknown) => ({
  name: error instanceof Error ? error.name : 'unknown',
  code: LumosError.isInstance(error) ? error.code : undefined,
  message: String(error),
});

if (parameters.get('mode') === 'old') {
  const old = (await openDatabase({
    factory: indexedDB,
    name,
    version: 1,
    steps: migrations,
    blockedTimeoutMs: 1000,
  })) as unknown as IDBPDatabase<unknown>;
  await old.put('resources', { id: 'ada', workingMemory: '# Name: Ada (v1)', createdAt: 1, updatedAt: 1 });
  await old.put('threads', { id: 'legacy', resourceId: 'ada', title: 'from v1', createdAt: 1, updatedAt: 3 });
  for (const [index, content] of ['first v1 message', 'second v1 message'].entries()) {
    await old.put('messages', {
      id: `legacy-${index}`,
      threadId: 'legacy',
      resourceId: 'ada',
      message: { role: 'user', content },
      createdAt: index + 1,
    });
  }
  page.__old = {
    close: () => old.close(),
    /** What this old tab still reads: its thread's messages, oldest first. */
    messages: async () =>
      ((await old.getAll('messages')) as { message: { content: string }; createdAt: number }[])
        .sort((a, b) => a.createdAt - b.createdAt)
        .map((record) => record.message.content),
  };
  page.__ready = true;
} else {
  const remote: StorageChange[] = [];
  let memory: Memory | undefined;
  let storage: IndexedDBStorage | undefined;
  const open = async () => {
    storage = await IndexedDBStorage.open({ name, blockedTimeoutMs: 500 });
    storage.subscribe((change) => {
      if (change.origin === 'remote') remote.push(change);
    });
    memory = new Memory({
      storage,
      options: { lastMessages: 500, workingMemory: { enabled: true, scope: 'resource' } },
    });
  };
  const ready = () => {
    if (!memory) throw new Error('memory is not open');
    return memory;
  };
  const scope = (threadId: string, resourceId: string) => ({ threadId, resourceId });
  page.__tab = {
    /** Opens again (after `__openError`); returns the failure, if any. */
    reopen: () => open().then(() => undefined, failure),
    /** Appends each text as its own message, all at once (concurrent appends). */
    append: async (threadId: string, resourceId: string, texts: string[]) => {
      const saved = await Promise.all(
        texts.map((content) =>
          ready().appendMessages({ ...scope(threadId, resourceId), messages: [{ role: 'user', content }] }),
        ),
      );
      return saved.flat().map((record) => record.id);
    },
    history: async (threadId: string, resourceId: string) =>
      (await ready().listMessages({ ...scope(threadId, resourceId), limit: 1000 })).items.map((record) => ({
        id: record.id,
        seq: record.seq,
        content: record.message.content,
      })),
    context: async (threadId: string, resourceId: string) =>
      (await ready().getContext(scope(threadId, resourceId))).messages.map((message) => message.content),
    setWorkingMemory: (threadId: string, resourceId: string, text: string) =>
      ready().updateWorkingMemory({ ...scope(threadId, resourceId), memory: text }),
    workingMemory: (threadId: string, resourceId: string) =>
      ready().getWorkingMemory(scope(threadId, resourceId)),
    threads: async (resourceId: string) =>
      (await ready().listThreads({ resourceId })).items.map((thread) => ({
        id: thread.id,
        title: thread.title,
      })),
    /** Changes other tabs made, as this tab heard of them. */
    remote: () => remote.map(({ store, type, keys, threadId }) => ({ store, type, keys, threadId })),
  };
  try {
    await open();
  } catch (error) {
    page.__openError = failure(error);
  }
  page.__ready = true;
}
