import { afterEach, describe, expect, it } from 'vitest';
import { QuotaExceededError, StorageBlockedError, StorageClosedError } from '../../errors/index.js';
import { openDatabase } from '../indexeddb-open.js';
import { migrations } from '../indexeddb-schema.js';
import { IndexedDBStorage } from '../indexeddb-storage.js';
import type { MessageRecord, NewMessageRecord, StorageChange } from '../types.js';

/** Where a scenario opens its databases: a factory and a fresh name. */
export interface DatabaseTarget {
  indexedDB: IDBFactory;
  name: string;
}

const message = (
  threadId: string,
  id: string,
  content: string,
  createdAt = Date.now(),
): NewMessageRecord => ({
  id,
  threadId,
  resourceId: 'u1',
  message: { role: 'user', content },
  createdAt,
});

const contents = (messages: MessageRecord[]) => messages.map((record) => record.message.content);

/** Settles after the next macrotask, so BroadcastChannel messages get delivered. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 20));

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await nextTask();
  }
}

/**
 * IndexedDB behaviour beyond the port contract: migration from the previous schema, quota,
 * blocked upgrades, deletion under us, reload, and two tabs. Runs on fake-indexeddb in Node and
 * on real IndexedDB in Chromium.
 */
export function describeIndexedDBScenarios(label: string, target: () => DatabaseTarget): void {
  describe(`${label}: IndexedDB scenarios`, () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    const open = async (
      where: DatabaseTarget,
      extra: Partial<Parameters<typeof IndexedDBStorage.open>[0]> = {},
    ) => {
      const storage = await IndexedDBStorage.open({ ...where, broadcastChannel: false, ...extra });
      cleanups.push(() => storage.close());
      return storage;
    };
    const fresh = () => {
      const where = target();
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            const request = where.indexedDB.deleteDatabase(where.name);
            request.onsuccess = request.onerror = request.onblocked = () => resolve();
          }),
      );
      return where;
    };

    it('upgrades a version 1 database without losing data', async () => {
      const where = fresh();
      const version1 = await openDatabase({
        factory: where.indexedDB,
        name: where.name,
        version: 1,
        steps: migrations,
        blockedTimeoutMs: 100,
      });
      const database = version1 as unknown as import('idb').IDBPDatabase<unknown>;
      await database.put('threads', { id: 't', resourceId: 'u1', title: 'old', createdAt: 1, updatedAt: 30 });
      // Inserted out of order: version 2 must number them by createdAt.
      await database.put('messages', {
        id: 'b',
        threadId: 't',
        resourceId: 'u1',
        message: { role: 'assistant', content: 'second' },
        createdAt: 20,
      });
      await database.put('messages', {
        id: 'a',
        threadId: 't',
        resourceId: 'u1',
        message: { role: 'user', content: 'first' },
        createdAt: 10,
      });
      await database.put('messages', {
        id: 'c',
        threadId: 't',
        resourceId: 'u1',
        message: { role: 'user', content: 'third' },
        createdAt: 30,
      });
      await database.put('keyValues', { namespace: 'settings', key: 'theme', value: 'dark' });
      version1.close();

      const storage = await open(where);
      expect(contents(await storage.getLastMessages('t', 10))).toEqual(['first', 'second', 'third']);
      expect((await storage.getThread('t'))?.nextSeq).toBe(3);
      expect(await storage.getValue('settings', 'theme')).toBe('dark');
      const [appended] = await storage.appendMessages([message('t', 'd', 'fourth')]);
      expect(appended?.seq).toBe(3);
      await storage.saveDocument(
        { id: 'doc', contentHash: 'h', metadata: {}, chunkCount: 0, createdAt: 1, updatedAt: 1 },
        [],
      );
      expect(await storage.getDocument('doc')).toBeDefined();
    });

    it('upgrades a version 2 database: threads and documents list from the new indexes', async () => {
      const where = fresh();
      const version2 = await openDatabase({
        factory: where.indexedDB,
        name: where.name,
        version: 2,
        steps: migrations,
        blockedTimeoutMs: 100,
      });
      const database = version2 as unknown as import('idb').IDBPDatabase<unknown>;
      for (const [id, updatedAt] of [
        ['a', 5],
        ['b', 9],
        ['c', 5],
        ['d', 1],
      ] as const)
        await database.put('threads', { id, resourceId: 'u1', createdAt: 1, updatedAt, nextSeq: 0 });
      await database.put('threads', { id: 'x', resourceId: 'u2', createdAt: 1, updatedAt: 99, nextSeq: 0 });
      for (const [id, updatedAt, resourceId] of [
        ['d1', 3, 'u1'],
        ['d2', 7, undefined],
        ['d3', 3, 'u1'],
      ] as const)
        await database.put('documents', {
          id,
          contentHash: id,
          metadata: {},
          chunkCount: 0,
          createdAt: 1,
          updatedAt,
          ...(resourceId ? { resourceId } : {}),
        });
      version2.close();

      const storage = await open(where);
      const ids = (page: { items: { id: string }[] }) => page.items.map((item) => item.id);
      expect(ids(await storage.listThreads({ resourceId: 'u1' }))).toEqual(['b', 'c', 'a', 'd']);
      expect(ids(await storage.listThreads({ resourceId: 'u1', limit: 2, offset: 1 }))).toEqual(['c', 'a']);
      expect(ids(await storage.listDocuments({}))).toEqual(['d2', 'd3', 'd1']);
      expect(ids(await storage.listDocuments({ resourceId: 'u1' }))).toEqual(['d3', 'd1']);
      await storage.deleteAll({ resourceId: 'u1' });
      expect((await storage.listThreads({ resourceId: 'u1' })).total).toBe(0);
      expect(ids(await storage.listThreads({ resourceId: 'u2' }))).toEqual(['x']);
    });

    it('reads only the records of the page when listing threads and documents', async () => {
      const storage = await open(fresh());
      for (let index = 0; index < 120; index++) {
        const resourceId = `u${index % 3}`;
        await storage.saveThread({ id: `t${index}`, resourceId, createdAt: 1, updatedAt: index, nextSeq: 0 });
        await storage.saveDocument(
          {
            id: `d${index}`,
            resourceId,
            contentHash: `h${index}`,
            metadata: {},
            chunkCount: 0,
            createdAt: 1,
            updatedAt: index,
          },
          [],
        );
      }
      // Count every record IndexedDB hands back to a read: getAll results and value cursors.
      let recordsRead = 0;
      const originals = {
        indexGetAll: IDBIndex.prototype.getAll,
        storeGetAll: IDBObjectStore.prototype.getAll,
        openCursor: IDBIndex.prototype.openCursor,
      };
      const counting = <A extends unknown[]>(original: (...args: A) => IDBRequest) =>
        function (this: unknown, ...args: A) {
          const request = original.apply(this, args);
          request.addEventListener('success', () => {
            const result = request.result as unknown;
            recordsRead += Array.isArray(result) ? result.length : result ? 1 : 0;
          });
          return request;
        };
      IDBIndex.prototype.getAll = counting(originals.indexGetAll);
      IDBObjectStore.prototype.getAll = counting(originals.storeGetAll);
      IDBIndex.prototype.openCursor = counting(originals.openCursor);
      try {
        const threads = await storage.listThreads({ resourceId: 'u1', limit: 5, offset: 10 });
        expect(threads.items.map((item) => item.id)).toEqual(['t88', 't85', 't82', 't79', 't76']);
        expect(threads).toMatchObject({ total: 40, hasMore: true });
        expect(recordsRead).toBe(5);
        recordsRead = 0;
        const documents = await storage.listDocuments({ limit: 3, offset: 100 });
        expect(documents.items.map((item) => item.id)).toEqual(['d19', 'd18', 'd17']);
        const last = await storage.listDocuments({ resourceId: 'u2', limit: 10, offset: 35 });
        expect(last.items.map((item) => item.id)).toEqual(['d14', 'd11', 'd8', 'd5', 'd2']);
        expect(last).toMatchObject({ total: 40, hasMore: false });
        expect(recordsRead).toBe(8);
      } finally {
        IDBIndex.prototype.getAll = originals.indexGetAll;
        IDBObjectStore.prototype.getAll = originals.storeGetAll;
        IDBIndex.prototype.openCursor = originals.openCursor;
      }
    });

    it('maps a quota failure to QuotaExceededError and keeps earlier data', async () => {
      const storage = await open(fresh());
      await storage.saveThread({ id: 't', resourceId: 'u1', createdAt: 1, updatedAt: 1, nextSeq: 0 });
      await storage.appendMessages([message('t', 'kept', 'kept')]);
      const original = IDBObjectStore.prototype.add;
      let calls = 0;
      IDBObjectStore.prototype.add = function (
        this: IDBObjectStore,
        ...args: Parameters<IDBObjectStore['add']>
      ) {
        calls += 1;
        if (calls === 3) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return original.apply(this, args);
      };
      try {
        const batch = Array.from({ length: 5 }, (_, index) => message('t', `new${index}`, `new${index}`));
        await expect(storage.appendMessages(batch)).rejects.toBeInstanceOf(QuotaExceededError);
      } finally {
        IDBObjectStore.prototype.add = original;
      }
      expect(contents(await storage.getLastMessages('t', 10))).toEqual(['kept']);
      expect((await storage.getThread('t'))?.nextSeq).toBe(1);
      await storage.appendMessages([message('t', 'after', 'after')]);
      expect(contents(await storage.getLastMessages('t', 10))).toEqual(['kept', 'after']);
    });

    it('throws StorageBlockedError while an old connection will not close', async () => {
      const where = fresh();
      const old = await openDatabase({
        factory: where.indexedDB,
        name: where.name,
        version: 1,
        steps: migrations,
        blockedTimeoutMs: 100,
      });
      await (old as unknown as import('idb').IDBPDatabase<unknown>).put('resources', {
        id: 'u1',
        createdAt: 1,
        updatedAt: 1,
      });
      // `old` ignores versionchange, like a stale tab running an old build.
      await expect(
        IndexedDBStorage.open({ ...where, broadcastChannel: false, blockedTimeoutMs: 50 }),
      ).rejects.toBeInstanceOf(StorageBlockedError);
      old.close();
      const storage = await open(where);
      expect(await storage.getResource('u1')).toMatchObject({ id: 'u1' });
    });

    it('throws StorageClosedError when the database is deleted under us, and can reopen', async () => {
      const where = fresh();
      const storage = await open(where);
      await storage.setValue('n', 'k', 'v');
      await new Promise<void>((resolve, reject) => {
        const request = where.indexedDB.deleteDatabase(where.name);
        request.onsuccess = () => resolve();
        request.onerror = () => reject(request.error);
      });
      expect(storage.isOpen).toBe(false);
      await expect(storage.getValue('n', 'k')).rejects.toBeInstanceOf(StorageClosedError);
      await storage.reopen();
      expect(await storage.getValue('n', 'k')).toBeUndefined();
      await storage.setValue('n', 'k', 'again');
      expect(await storage.getValue('n', 'k')).toBe('again');
    });

    it('keeps data across a reload (close, then a new instance)', async () => {
      const where = fresh();
      const before = await open(where);
      await before.saveThread({ id: 't', resourceId: 'u1', createdAt: 1, updatedAt: 1, nextSeq: 0 });
      await before.appendMessages([message('t', 'a', 'before reload')]);
      await before.close();
      const after = await open(where);
      expect(contents(await after.getLastMessages('t', 5))).toEqual(['before reload']);
      const [next] = await after.appendMessages([message('t', 'b', 'after reload')]);
      expect(next?.seq).toBe(1);
    });

    it('shows one tab the changes of another and loses no message from concurrent writers', async () => {
      const where = fresh();
      const tabA = await open(where, { broadcastChannel: (channel) => new BroadcastChannel(channel) });
      const tabB = await open(where, { broadcastChannel: (channel) => new BroadcastChannel(channel) });
      const seenByB: StorageChange[] = [];
      tabB.subscribe((change) => seenByB.push(change));
      await tabA.saveThread({ id: 't', resourceId: 'u1', createdAt: 1, updatedAt: 1, nextSeq: 0 });
      await tabA.appendMessages([message('t', 'hello', 'hello from A')]);
      await until(() => seenByB.some((change) => change.store === 'messages'));
      const remote = seenByB.find((change) => change.store === 'messages');
      expect(remote).toMatchObject({ origin: 'remote', threadId: 't', keys: ['hello'] });
      expect(contents(await tabB.getLastMessages('t', 1))).toEqual(['hello from A']);

      await Promise.all(
        Array.from({ length: 10 }, (_, index) => [
          tabA.appendMessages([message('t', `a${index}`, `a${index}`)]),
          tabB.appendMessages([message('t', `b${index}`, `b${index}`)]),
        ]).flat(),
      );
      const all = await tabB.listMessages({ threadId: 't', limit: 100 });
      expect(all.total).toBe(21);
      expect(all.items.map((record) => record.seq)).toEqual(Array.from({ length: 21 }, (_, index) => index));
      expect((await tabA.getThread('t'))?.nextSeq).toBe(21);
    });

    it("appends from what this tab wrote last without overwriting another tab's changes", async () => {
      const where = fresh();
      const tabA = await open(where);
      const tabB = await open(where);
      await tabA.saveThread({ id: 't', resourceId: 'u1', createdAt: 1, updatedAt: 1, nextSeq: 0 });
      await tabA.appendMessages([message('t', 'a0', 'a0', 10)]);
      // Another tab renames the thread and appends; tabA's next append must see both.
      const renamed = (await tabB.getThread('t'))!;
      await tabB.saveThread({ ...renamed, title: 'Renamed in B', metadata: { pinned: true } });
      await tabB.appendMessages([message('t', 'b0', 'b0', 20)]);
      const [a1] = await tabA.appendMessages([message('t', 'a1', 'a1', 30)]);
      expect(a1?.seq).toBe(2);
      expect(await tabA.getThread('t')).toMatchObject({
        title: 'Renamed in B',
        metadata: { pinned: true },
        nextSeq: 3,
        updatedAt: 30,
      });
      // Back to back in one tab (the optimistic path), then concurrent calls from both tabs.
      await tabA.appendMessages([message('t', 'a2', 'a2', 40)]);
      await Promise.all([
        tabA.appendMessages([message('t', 'a3', 'a3', 50)]),
        tabA.appendMessages([message('t', 'a4', 'a4', 51)]),
        tabB.appendMessages([message('t', 'b1', 'b1', 52)]),
      ]);
      const all = await tabB.listMessages({ threadId: 't', limit: 100 });
      expect(all.items.map((record) => record.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(all.items.map((record) => record.id).sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1']);
      // A thread deleted in another tab is not resurrected and gets no orphan message.
      await tabB.deleteThread('t');
      await expect(tabA.appendMessages([message('t', 'late', 'late', 60)])).rejects.toMatchObject({
        code: 'not_found',
      });
      expect(await tabA.getThread('t')).toBeUndefined();
      expect(await tabA.getMessages(['late'])).toEqual([]);
    });
  });
}
