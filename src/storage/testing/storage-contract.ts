import { beforeEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  StorageClosedError,
} from '../../errors/index.js';
import type { ChatMessage } from '../../llm/types.js';
import type {
  ChunkRecord,
  DocumentRecord,
  NewMessageRecord,
  Storage,
  StorageChange,
  ThreadRecord,
} from '../types.js';
import { describePortsContract } from './ports-contract.js';

const thread = (id: string, resourceId: string, updatedAt = 1): ThreadRecord => ({
  id,
  resourceId,
  title: `thread ${id}`,
  createdAt: 1,
  updatedAt,
  nextSeq: 0,
});

let messageCounter = 0;
/** A message to append to `threadId`, owned by `resourceId`. */
export const newMessage = (
  threadId: string,
  resourceId: string,
  message: ChatMessage,
  createdAt = 100 + messageCounter,
): NewMessageRecord => ({ id: `m${messageCounter++}-${threadId}`, threadId, resourceId, message, createdAt });

const text = (record: { message: ChatMessage }) => record.message.content;

const documentOf = (id: string, extra: Partial<DocumentRecord> = {}): DocumentRecord => ({
  id,
  contentHash: `hash-${id}`,
  content: 'alpha beta gamma',
  metadata: { source: `${id}.md` },
  chunkCount: 2,
  createdAt: 1,
  updatedAt: 1,
  ...extra,
});

const chunksOf = (documentId: string): ChunkRecord[] => [
  { id: `${documentId}#1`, documentId, index: 1, text: 'gamma', start: 11, end: 16, metadata: {} },
  { id: `${documentId}#0`, documentId, index: 0, text: 'alpha beta', start: 0, end: 10, metadata: {} },
];

/**
 * Behaviour every `Storage` implementation must show: the four shared ports plus memory,
 * documents, vector shards, change notifications, `deleteAll` and `close`.
 */
export function describeStorageContract(name: string, create: () => Promise<Storage>): void {
  describePortsContract(name, create);

  describe(`${name}: memory, documents, vectors`, () => {
    let storage: Storage;
    beforeEach(async () => {
      storage = await create();
    });

    it('saves resources and threads and lists threads newest first per resource', async () => {
      await storage.saveResource({ id: 'u1', workingMemory: '# Name: Ada', createdAt: 1, updatedAt: 1 });
      expect(await storage.getResource('u1')).toMatchObject({ workingMemory: '# Name: Ada' });
      expect(await storage.getResource('missing')).toBeUndefined();
      await storage.saveThread(thread('a', 'u1', 10));
      await storage.saveThread(thread('b', 'u1', 30));
      await storage.saveThread(thread('c', 'u1', 20));
      await storage.saveThread(thread('x', 'u2', 40));
      const page = await storage.listThreads({ resourceId: 'u1', limit: 2 });
      expect(page.items.map((item) => item.id)).toEqual(['b', 'c']);
      expect(page).toMatchObject({ total: 3, hasMore: true });
      const rest = await storage.listThreads({ resourceId: 'u1', limit: 2, offset: 2 });
      expect(rest.items.map((item) => item.id)).toEqual(['a']);
      expect((await storage.listThreads({ resourceId: 'nobody' })).total).toBe(0);
    });

    it('pages threads and documents newest first across many resources and tied timestamps', async () => {
      // 3 resources × 30 threads; timestamps tie in threes, so ties must break by id (descending).
      const expected = new Map<string, ThreadRecord[]>();
      for (const resourceId of ['r0', 'r1', 'r2']) {
        const threads = Array.from({ length: 30 }, (_, index) =>
          thread(`${resourceId}-t${String(index).padStart(2, '0')}`, resourceId, Math.floor(index / 3)),
        );
        for (const record of [...threads].reverse()) await storage.saveThread(record);
        expected.set(
          resourceId,
          [...threads].sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : -1)),
        );
      }
      for (const [resourceId, sorted] of expected) {
        const seen: string[] = [];
        for (let offset = 0; ; offset += 7) {
          const page = await storage.listThreads({ resourceId, limit: 7, offset });
          expect(page.total).toBe(30);
          expect(page.hasMore).toBe(offset + 7 < 30);
          seen.push(...page.items.map((item) => item.id));
          if (!page.hasMore) break;
        }
        expect(seen).toEqual(sorted.map((item) => item.id));
      }
      expect((await storage.listThreads({ resourceId: 'r1', limit: 1 })).items[0]?.id).toBe('r1-t29');
      expect(await storage.listThreads({ resourceId: 'r1', offset: 30 })).toEqual({
        items: [],
        total: 30,
        hasMore: false,
      });

      // Documents: two resources and some without one; listed per resource and all together.
      const documents = Array.from({ length: 25 }, (_, index) =>
        documentOf(`doc${String(index).padStart(2, '0')}`, {
          updatedAt: Math.floor(index / 4),
          ...(index % 5 === 4 ? {} : { resourceId: index % 2 === 0 ? 'r0' : 'r1' }),
        }),
      );
      for (const document of documents) await storage.saveDocument(document, []);
      const newestFirst = (list: DocumentRecord[]) =>
        list.sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : -1)).map((item) => item.id);
      const pages = async (resourceId: string | undefined) => {
        const ids: string[] = [];
        for (let offset = 0; ; offset += 4) {
          const page = await storage.listDocuments({
            limit: 4,
            offset,
            ...(resourceId === undefined ? {} : { resourceId }),
          });
          ids.push(...page.items.map((item) => item.id));
          if (!page.hasMore) return { ids, total: page.total };
        }
      };
      expect(await pages(undefined)).toEqual({ ids: newestFirst([...documents]), total: 25 });
      const ofR0 = documents.filter((document) => document.resourceId === 'r0');
      expect(await pages('r0')).toEqual({ ids: newestFirst(ofR0), total: ofR0.length });
    });

    it('appends messages with sequence numbers and returns the last N oldest first', async () => {
      await storage.saveThread(thread('t', 'u1'));
      const user: ChatMessage = { role: 'user', content: 'What is the weather?' };
      const call: ChatMessage = {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call-1', name: 'weather', arguments: '{"city":"Oslo"}' }],
      };
      const result: ChatMessage = { role: 'tool', toolCallId: 'call-1', name: 'weather', content: '{"c":3}' };
      const answer: ChatMessage = { role: 'assistant', content: '3 °C in Oslo.' };
      const saved = await storage.appendMessages(
        [user, call, result, answer].map((m) => newMessage('t', 'u1', m)),
      );
      expect(saved.map((message) => message.seq)).toEqual([0, 1, 2, 3]);
      const last = await storage.getLastMessages('t', 3);
      expect(last.map((message) => message.message)).toEqual([call, result, answer]);
      expect(await storage.getLastMessages('t', 10)).toHaveLength(4);
      expect(await storage.getLastMessages('t', 0)).toEqual([]);
      expect(await storage.countMessages('t')).toBe(4);
      const updatedThread = await storage.getThread('t');
      expect(updatedThread?.nextSeq).toBe(4);
      expect(updatedThread?.updatedAt).toBe(saved[3]?.createdAt);
    });

    it('keeps nextSeq when a thread is re-saved with a stale copy', async () => {
      await storage.saveThread(thread('t', 'u1'));
      const stale = (await storage.getThread('t')) as ThreadRecord;
      await storage.appendMessages([newMessage('t', 'u1', { role: 'user', content: 'one' })]);
      await storage.saveThread({ ...stale, title: 'renamed' });
      const [message] = await storage.appendMessages([
        newMessage('t', 'u1', { role: 'user', content: 'two' }),
      ]);
      expect(message?.seq).toBe(1);
      expect((await storage.getThread('t'))?.title).toBe('renamed');
    });

    it('pages messages, reads ranges and by id, updates and deletes', async () => {
      await storage.saveThread(thread('t', 'u1'));
      const saved = await storage.appendMessages(
        Array.from({ length: 6 }, (_, index) =>
          newMessage('t', 'u1', { role: 'user', content: `m${index}` }),
        ),
      );
      const page = await storage.listMessages({ threadId: 't', limit: 4, offset: 1 });
      expect(page.items.map(text)).toEqual(['m1', 'm2', 'm3', 'm4']);
      expect(page).toMatchObject({ total: 6, hasMore: true });
      const range = await storage.listMessages({ threadId: 't', fromSeq: 2, toSeq: 3 });
      expect(range.items.map(text)).toEqual(['m2', 'm3']);
      const ranges = await storage.getMessageRanges([
        { threadId: 't', fromSeq: 4, toSeq: 9 },
        { threadId: 't', fromSeq: 0, toSeq: 1 },
        { threadId: 'missing', fromSeq: 0, toSeq: 3 },
      ]);
      expect(ranges.map((range) => range.map(text))).toEqual([['m4', 'm5'], ['m0', 'm1'], []]);
      const ids = saved.map((message) => message.id);
      const byId = await storage.getMessages([ids[4] as string, 'missing', ids[0] as string]);
      expect(byId.map(text)).toEqual(['m4', 'm0']);
      const first = saved[0];
      if (!first) throw new Error('no message');
      await storage.updateMessages([{ ...first, message: { role: 'user', content: 'edited' }, seq: 99 }]);
      expect((await storage.getMessages([first.id]))[0]).toMatchObject({
        seq: 0,
        message: { content: 'edited' },
      });
      await expect(
        storage.updateMessages([{ ...first, id: 'missing', message: { role: 'user', content: 'x' } }]),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
      await storage.deleteMessages([ids[5] as string, ids[4] as string, 'missing']);
      expect((await storage.getLastMessages('t', 2)).map(text)).toEqual(['m2', 'm3']);
      expect(await storage.countMessages('t')).toBe(4);
    });

    it('refuses messages for a missing thread or another resource and writes nothing', async () => {
      await storage.saveThread(thread('t', 'u1'));
      const good = newMessage('t', 'u1', { role: 'user', content: 'fine' });
      const foreign = newMessage('t', 'u2', { role: 'user', content: 'intruder' });
      await expect(storage.appendMessages([good, foreign])).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        storage.appendMessages([newMessage('missing', 'u1', { role: 'user', content: 'x' })]),
      ).rejects.toBeInstanceOf(NotFoundError);
      expect(await storage.countMessages('t')).toBe(0);
      await storage.appendMessages([good]);
      await expect(storage.appendMessages([{ ...good }])).rejects.toBeInstanceOf(ConflictError);
      const twin = newMessage('t', 'u1', { role: 'user', content: 'twin' });
      await expect(storage.appendMessages([twin, { ...twin }])).rejects.toBeInstanceOf(ConflictError);
      expect(await storage.countMessages('t')).toBe(1);
    });

    it('loses no message when writers interleave on one thread', async () => {
      await storage.saveThread(thread('t', 'u1'));
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          storage.appendMessages([newMessage('t', 'u1', { role: 'user', content: `w${index}` })]),
        ),
      );
      const all = await storage.listMessages({ threadId: 't', limit: 100 });
      expect(all.total).toBe(20);
      expect(new Set(all.items.map((message) => message.seq)).size).toBe(20);
      expect(new Set(all.items.map(text))).toEqual(
        new Set(Array.from({ length: 20 }, (_, index) => `w${index}`)),
      );
    });

    it('deletes a thread with its messages', async () => {
      await storage.saveThread(thread('t', 'u1'));
      await storage.saveThread(thread('keep', 'u1'));
      const [message] = await storage.appendMessages([
        newMessage('t', 'u1', { role: 'user', content: 'bye' }),
      ]);
      await storage.appendMessages([newMessage('keep', 'u1', { role: 'user', content: 'stay' })]);
      await storage.deleteThread('t');
      await storage.deleteThread('t');
      expect(await storage.getThread('t')).toBeUndefined();
      expect(await storage.getMessages([message?.id as string])).toEqual([]);
      expect(await storage.countMessages('t')).toBe(0);
      expect(await storage.countMessages('keep')).toBe(1);
    });

    it('saves documents with chunks, finds by hash and replaces chunks', async () => {
      await storage.saveDocument(documentOf('d1', { resourceId: 'u1', updatedAt: 5 }), chunksOf('d1'));
      await storage.saveDocument(documentOf('d2', { updatedAt: 9 }), chunksOf('d2'));
      expect((await storage.getChunks('d1')).map((chunk) => chunk.text)).toEqual(['alpha beta', 'gamma']);
      expect(await storage.findDocumentByHash('hash-d2')).toMatchObject({ id: 'd2' });
      expect(await storage.findDocumentByHash('nope')).toBeUndefined();
      expect((await storage.listDocuments({})).items.map((document) => document.id)).toEqual(['d2', 'd1']);
      expect(
        (await storage.listDocuments({ resourceId: 'u1' })).items.map((document) => document.id),
      ).toEqual(['d1']);
      expect((await storage.getChunksByIds(['d2#1', 'x', 'd1#0'])).map((chunk) => chunk.id)).toEqual([
        'd2#1',
        'd1#0',
      ]);
      const replacement: ChunkRecord = {
        id: 'd1#new',
        documentId: 'd1',
        index: 0,
        text: 'new',
        start: 0,
        end: 3,
        metadata: {},
      };
      await storage.saveDocument(documentOf('d1', { chunkCount: 1 }), [replacement]);
      expect((await storage.getChunks('d1')).map((chunk) => chunk.id)).toEqual(['d1#new']);
      await expect(storage.saveDocument(documentOf('d3'), chunksOf('d1'))).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      expect(await storage.getDocument('d3')).toBeUndefined();
      await storage.deleteDocument('d1');
      expect(await storage.getDocument('d1')).toBeUndefined();
      expect(await storage.getChunks('d1')).toEqual([]);
      expect(await storage.getChunks('d2')).toHaveLength(2);
    });

    it('stores packed vector shards and index records', async () => {
      await storage.saveVectorIndex({
        indexName: 'docs',
        dimension: 2,
        metric: 'cosine',
        count: 3,
        updatedAt: 1,
      });
      const shard = (shardId: number, ids: string[]) => ({
        indexName: 'docs',
        shardId,
        ids,
        vectors: new Float32Array(ids.length * 2).map((_, index) => index + shardId),
        metadata: ids.map((id) => ({ id })),
      });
      await storage.saveVectorShards([shard(1, ['c']), shard(0, ['a', 'b'])]);
      const shards = await storage.loadVectorShards('docs');
      expect(shards.map((item) => item.shardId)).toEqual([0, 1]);
      expect(shards[0]?.vectors).toBeInstanceOf(Float32Array);
      expect([...(shards[0]?.vectors ?? [])]).toEqual([0, 1, 2, 3]);
      await expect(
        storage.saveVectorShards([{ ...shard(2, ['x', 'y']), vectors: new Float32Array(3) }]),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
      expect((await storage.listVectorIndexes()).map((index) => index.indexName)).toEqual(['docs']);
      await storage.deleteVectorShards('docs', [1]);
      expect((await storage.loadVectorShards('docs')).map((item) => item.shardId)).toEqual([0]);
      await storage.deleteVectorShards('docs');
      expect(await storage.loadVectorShards('docs')).toEqual([]);
      expect(await storage.loadVectorIndex('docs')).toBeUndefined();
    });

    it('deletes everything a resource owns and nothing else', async () => {
      await storage.saveResource({ id: 'u1', createdAt: 1, updatedAt: 1 });
      await storage.saveResource({ id: 'u2', createdAt: 1, updatedAt: 1 });
      await storage.saveThread(thread('t1', 'u1'));
      await storage.saveThread(thread('t2', 'u2'));
      await storage.appendMessages([newMessage('t1', 'u1', { role: 'user', content: 'a' })]);
      await storage.appendMessages([newMessage('t2', 'u2', { role: 'user', content: 'b' })]);
      await storage.saveDocument(documentOf('d1', { resourceId: 'u1' }), chunksOf('d1'));
      await storage.saveDocument(documentOf('d2', { resourceId: 'u2' }), chunksOf('d2'));
      await storage.saveWorkflowSnapshot({
        workflowId: 'wf',
        runId: 'r1',
        status: 'running',
        snapshot: {},
        resourceId: 'u1',
        createdAt: 1,
        updatedAt: 1,
      });
      await storage.deleteAll({ resourceId: 'u1' });
      expect(await storage.getResource('u1')).toBeUndefined();
      expect(await storage.getThread('t1')).toBeUndefined();
      expect(await storage.countMessages('t1')).toBe(0);
      expect(await storage.getDocument('d1')).toBeUndefined();
      expect(await storage.getChunks('d1')).toEqual([]);
      expect(await storage.loadWorkflowSnapshot({ workflowId: 'wf', runId: 'r1' })).toBeUndefined();
      expect(await storage.getResource('u2')).toBeDefined();
      expect(await storage.countMessages('t2')).toBe(1);
      expect(await storage.getChunks('d2')).toHaveLength(2);
    });

    it('notifies subscribers of committed changes and stops after unsubscribe', async () => {
      const changes: StorageChange[] = [];
      const unsubscribe = storage.subscribe((change) => changes.push(change));
      await storage.saveThread(thread('t', 'u1'));
      await storage.appendMessages([newMessage('t', 'u1', { role: 'user', content: 'hi' })]);
      unsubscribe();
      await storage.deleteThread('t');
      expect(changes.map((change) => [change.store, change.type, change.threadId, change.origin])).toEqual([
        ['threads', 'put', 't', 'local'],
        ['messages', 'put', 't', 'local'],
      ]);
    });

    it('throws StorageClosedError after close', async () => {
      await storage.close();
      await expect(storage.getThread('t')).rejects.toBeInstanceOf(StorageClosedError);
      await expect(storage.setValue('a', 'b', 1)).rejects.toBeInstanceOf(StorageClosedError);
    });
  });
}
