import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidArgumentError, NotFoundError, ValidationError } from '../errors/index.js';
import type { ChatMessage, ChatModel, ChatRequest } from '../llm/types.js';
import { InMemoryStorage } from '../storage/index.js';
import {
  defaultWorkingMemoryTemplate,
  Memory,
  type MemoryOptions,
  TokenLimiter,
  ToolCallFilter,
} from './index.js';
import { ExactVectorStore } from './testing/exact-vector-store.js';
import { HashEmbedder } from './testing/hash-embedder.js';

function setup(options: MemoryOptions = {}, extra: Partial<ConstructorParameters<typeof Memory>[0]> = {}) {
  const storage = new InMemoryStorage();
  const embedder = new HashEmbedder();
  const vector = new ExactVectorStore();
  let clock = 1_000;
  let ids = 0;
  const memory = new Memory({
    storage,
    embedder,
    vector,
    options,
    now: () => (clock += 10),
    generateId: () => `id${ids++}`,
    ...extra,
  });
  return { memory, storage, embedder, vector };
}

const user = (content: string): ChatMessage => ({ role: 'user', content });
const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });
const texts = (messages: ChatMessage[]) => messages.map((message) => message.content);

const topics = [
  'my cat Miso loves tuna and sleeping on the sofa',
  'the garden needs tomatoes basil and more water',
  'planning a trip to Lisbon in October by train',
  'learning rust ownership and borrowing rules',
  'the car needs new winter tyres before December',
  'my sister Ana is getting married in Porto',
];

describe('Memory threads', () => {
  it('creates, gets, lists newest first, updates, clones and deletes threads', async () => {
    const { memory } = setup();
    const first = await memory.createThread({ resourceId: 'u1', threadId: 't1', title: 'First' });
    await memory.createThread({ resourceId: 'u1', threadId: 't2' });
    await memory.createThread({ resourceId: 'u2', threadId: 'other' });
    expect(first).toMatchObject({ id: 't1', resourceId: 'u1', title: 'First', nextSeq: 0 });
    await memory.saveMessages({
      threadId: 't1',
      resourceId: 'u1',
      messages: [user('hello'), assistant('hi')],
    });
    const listed = await memory.listThreads({ resourceId: 'u1' });
    expect(listed.items.map((thread) => thread.id)).toEqual(['t1', 't2']);
    expect(
      (await memory.listThreads({ resourceId: 'u1', limit: 1, offset: 1 })).items.map((thread) => thread.id),
    ).toEqual(['t2']);
    const renamed = await memory.updateThread({
      threadId: 't2',
      resourceId: 'u1',
      title: 'Renamed',
      metadata: { pinned: true },
    });
    expect(renamed).toMatchObject({ title: 'Renamed', metadata: { pinned: true } });
    const clone = await memory.cloneThread({ threadId: 't1', resourceId: 'u1', newThreadId: 'copy' });
    expect(clone).toMatchObject({ id: 'copy', title: 'First (copy)', metadata: { clonedFrom: 't1' } });
    expect(
      texts(
        (await memory.listMessages({ threadId: 'copy', resourceId: 'u1' })).items.map(
          (record) => record.message,
        ),
      ),
    ).toEqual(['hello', 'hi']);
    await memory.deleteThread({ threadId: 't1', resourceId: 'u1' });
    await expect(memory.getThread({ threadId: 't1', resourceId: 'u1' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect((await memory.listMessages({ threadId: 'copy', resourceId: 'u1' })).total).toBe(2);
  });

  it('creates a new thread once when several first appends arrive together, keeping every message', async () => {
    const { memory, storage } = setup();
    let threadSaves = 0;
    const saveThread = storage.saveThread.bind(storage);
    storage.saveThread = async (record) => {
      threadSaves += 1;
      return saveThread(record);
    };
    await Promise.all(
      ['a', 'b', 'c', 'd'].map((content) =>
        memory.saveMessages({ threadId: 'fresh', resourceId: 'u1', messages: [user(content)] }),
      ),
    );
    expect(threadSaves).toBe(1);
    const page = await memory.listMessages({ threadId: 'fresh', resourceId: 'u1' });
    expect(page.items.map((record) => record.seq)).toEqual([0, 1, 2, 3]);
    expect(new Set(texts(page.items.map((record) => record.message)))).toEqual(new Set(['a', 'b', 'c', 'd']));
    // Another resource joining the same first-append burst still gets NotFoundError.
    await expect(
      Promise.all([
        memory.saveMessages({ threadId: 'burst', resourceId: 'u1', messages: [user('mine')] }),
        memory.saveMessages({ threadId: 'burst', resourceId: 'u2', messages: [user('theirs')] }),
      ]),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(
      texts((await memory.listMessages({ threadId: 'burst', resourceId: 'u1' })).items.map((r) => r.message)),
    ).toEqual(['mine']);
  });

  it('never lets one resource read or write the thread of another', async () => {
    const { memory, storage } = setup({
      semanticRecall: true,
      workingMemory: { enabled: true, scope: 'thread' },
    });
    await memory.saveMessages({
      threadId: 'private',
      resourceId: 'alice',
      messages: [user('my secret is 42')],
    });
    const scope = { threadId: 'private', resourceId: 'mallory' };
    const attempts: Promise<unknown>[] = [
      memory.getThread(scope),
      memory.updateThread({ ...scope, title: 'pwned' }),
      memory.deleteThread(scope),
      memory.cloneThread(scope),
      memory.listMessages(scope),
      memory.saveMessages({ ...scope, messages: [user('injected')] }),
      memory.getContext({ ...scope, query: 'secret' }),
      memory.getWorkingMemory(scope),
      memory.updateWorkingMemory({ ...scope, memory: 'pwned' }),
      memory.deleteMessages({ ...scope, messageIds: ['id0'] }),
      memory.createThread({ resourceId: 'mallory', threadId: 'private' }),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    await memory.idle();
    const thread = await memory.getThread({ threadId: 'private', resourceId: 'alice' });
    expect(thread.title).toBeUndefined();
    expect(thread.workingMemory).toBeUndefined();
    expect(await storage.countMessages('private')).toBe(1);
    // Semantic recall in mallory's own thread with resource scope finds nothing of alice's.
    const { memory: shared, storage: sharedStorage } = setup({
      semanticRecall: { scope: 'resource', topK: 5 },
    });
    await shared.saveMessages({ threadId: 'a', resourceId: 'alice', messages: [user('my secret is 42')] });
    await shared.saveMessages({ threadId: 'm', resourceId: 'mallory', messages: [user('hello')] });
    await shared.idle();
    const context = await shared.getContext({
      threadId: 'm',
      resourceId: 'mallory',
      query: 'what is the secret',
    });
    expect(context.recalled).toEqual([]);
    expect(context.systemMessages).toEqual([]);
    expect(await sharedStorage.countMessages('a')).toBe(1);
  });
});

describe('Memory history', () => {
  it('stores tool calls and results and returns the last messages in order', async () => {
    const { memory } = setup({ lastMessages: 4 });
    const exchange: ChatMessage[] = [
      user('weather in Oslo?'),
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'c1', name: 'weather', arguments: '{"city":"Oslo"}' }],
      },
      { role: 'tool', toolCallId: 'c1', name: 'weather', content: '{"celsius":3}' },
      assistant('3 °C'),
    ];
    await memory.saveMessages({
      threadId: 't',
      resourceId: 'u',
      messages: [user('old one'), assistant('old reply')],
    });
    await memory.saveMessages({ threadId: 't', resourceId: 'u', messages: exchange });
    const context = await memory.getContext({ threadId: 't', resourceId: 'u' });
    expect(context.messages).toEqual(exchange);
    expect(context.systemMessages).toEqual([]);
  });

  it('gives an empty context for a new thread and none with lastMessages: false', async () => {
    const { memory } = setup({ lastMessages: false });
    expect((await memory.getContext({ threadId: 'new', resourceId: 'u' })).messages).toEqual([]);
    await memory.saveMessages({ threadId: 'new', resourceId: 'u', messages: [user('hi')] });
    expect((await memory.getContext({ threadId: 'new', resourceId: 'u' })).messages).toEqual([]);
  });

  it('keeps the history within the token budget and runs processors first', async () => {
    const { memory } = setup({ lastMessages: 50, tokenLimit: 40 }, { processors: [new ToolCallFilter()] });
    const messages = Array.from({ length: 20 }, (_, index) =>
      user(`message number ${index} with a few extra words`),
    );
    await memory.saveMessages({ threadId: 't', resourceId: 'u', messages });
    const context = await memory.getContext({ threadId: 't', resourceId: 'u' });
    const kept = await new TokenLimiter(40).process(messages);
    expect(context.messages).toEqual(kept);
    expect(context.messages.length).toBeGreaterThan(0);
    expect(context.messages.length).toBeLessThan(20);
    expect(context.messages.at(-1)).toEqual(messages.at(-1));
  });
});

describe('Memory semantic recall', () => {
  async function seeded(options: MemoryOptions) {
    const context = setup({ lastMessages: 2, ...options });
    for (const topic of topics) {
      await context.memory.saveMessages({
        threadId: 't',
        resourceId: 'u',
        messages: [user(topic), assistant(`noted: ${topic}`)],
      });
    }
    await context.memory.idle();
    return context;
  }

  it('recalls similar past messages with their neighbours, deduplicated against the history', async () => {
    const { memory } = await seeded({ semanticRecall: { topK: 1, messageRange: 1 } });
    const context = await memory.getContext({
      threadId: 't',
      resourceId: 'u',
      input: [user('what did I say about Lisbon trip?')],
    });
    const recalledTexts = context.recalled.map((record) => record.message.content);
    // The hit is the Lisbon message (seq 4); messageRange 1 adds seq 3 and 5 around it.
    expect(context.recalled.map((record) => record.seq)).toEqual([3, 4, 5]);
    expect(recalledTexts).toEqual([`noted: ${topics[1]}`, topics[2], `noted: ${topics[2]}`]);
    // History (last 2) comes after the recalled ones, and nothing is duplicated.
    expect(texts(context.messages.slice(-2))).toEqual([topics[5], `noted: ${topics[5]}`]);
    expect(new Set(texts(context.messages)).size).toBe(context.messages.length);
  });

  it('does not recall what is already in the recent history', async () => {
    const { memory } = await seeded({ semanticRecall: { topK: 1, messageRange: 0 } });
    const context = await memory.getContext({
      threadId: 't',
      resourceId: 'u',
      query: 'sister Ana married in Porto',
    });
    expect(context.recalled.map((record) => record.message.content)).not.toContain(topics[5]);
    expect(context.messages.filter((message) => message.content === topics[5])).toHaveLength(1);
  });

  it('recalls across threads of the resource as a system message when scope is resource', async () => {
    const { memory } = await seeded({ semanticRecall: { topK: 1, messageRange: 0, scope: 'resource' } });
    await memory.saveMessages({ threadId: 'fresh', resourceId: 'u', messages: [user('new chat')] });
    await memory.idle();
    const context = await memory.getContext({
      threadId: 'fresh',
      resourceId: 'u',
      query: 'winter tyres for the car',
    });
    expect(context.recalled.map((record) => record.threadId)).toEqual(['t']);
    expect(context.systemMessages.join('\n')).toContain('winter tyres');
    expect(texts(context.messages)).toEqual(['new chat']);
  });

  it('embeds in the background without blocking saves, and idle() waits for it', async () => {
    const { memory, embedder, vector } = setup({ semanticRecall: true });
    const gate: { resolve: () => void } = { resolve: () => undefined };
    embedder.gate = new Promise<void>((resolve) => {
      gate.resolve = resolve;
    });
    const saved = await memory.appendMessages({
      threadId: 't',
      resourceId: 'u',
      messages: [user('alpha'), user('beta')],
    });
    expect(saved).toHaveLength(2);
    // Not even started: the drain begins a task after the append resolved.
    expect(embedder.calls).toBe(0);
    expect(embedder.embedded).toBe(0);
    let idle = false;
    const waiting = memory.idle().then(() => {
      idle = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(idle).toBe(false);
    gate.resolve();
    await waiting;
    expect(embedder.embedded).toBe(2);
    expect((await vector.describeIndex({ indexName: 'lumos_memory_messages' })).count).toBe(2);
  });

  it('reports background failures through idle()', async () => {
    const { memory, embedder } = setup({ semanticRecall: true });
    embedder.gate = Promise.reject(new Error('embedder crashed'));
    embedder.gate.catch(() => undefined);
    await memory.saveMessages({ threadId: 't', resourceId: 'u', messages: [user('alpha')] });
    await expect(memory.idle()).rejects.toThrow('embedder crashed');
    await expect(memory.idle()).resolves.toBeUndefined();
  });

  it('deletes vectors with the thread and with deleted messages', async () => {
    const { memory, vector } = await seeded({ semanticRecall: true });
    const indexName = 'lumos_memory_messages';
    expect((await vector.describeIndex({ indexName })).count).toBe(12);
    const page = await memory.listMessages({ threadId: 't', resourceId: 'u', limit: 2 });
    await memory.deleteMessages({
      threadId: 't',
      resourceId: 'u',
      messageIds: page.items.map((record) => record.id),
    });
    expect((await vector.describeIndex({ indexName })).count).toBe(10);
    await memory.deleteThread({ threadId: 't', resourceId: 'u' });
    expect((await vector.describeIndex({ indexName })).count).toBe(0);
  });

  it('writes no vector for messages deleted before their background embedding started', async () => {
    const { memory, vector } = setup({ semanticRecall: true });
    await memory.saveMessages({ threadId: 'keep', resourceId: 'u', messages: [user('kept note')] });
    await memory.idle();
    const [doomed] = await memory.appendMessages({
      threadId: 'keep',
      resourceId: 'u',
      messages: [user('secret note')],
    });
    await memory.saveMessages({ threadId: 'gone', resourceId: 'u', messages: [user('gone note')] });
    await memory.deleteMessages({
      threadId: 'keep',
      resourceId: 'u',
      messageIds: [(doomed as { id: string }).id],
    });
    await memory.deleteThread({ threadId: 'gone', resourceId: 'u' });
    await memory.idle();
    // Only the note embedded before stays; neither deleted message got a vector.
    expect((await vector.describeIndex({ indexName: 'lumos_memory_messages' })).count).toBe(1);
  });

  it('needs an embedder and a vector store', () => {
    expect(() => new Memory({ storage: new InMemoryStorage(), options: { semanticRecall: true } })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('Memory working memory', () => {
  it('shows the template, updates through the tool and shares it across threads of a resource', async () => {
    const { memory } = setup({ workingMemory: { enabled: true } });
    const before = await memory.getContext({ threadId: 't1', resourceId: 'u' });
    expect(before.systemMessages[0]).toContain(defaultWorkingMemoryTemplate.trim());
    expect(before.workingMemory).toBeUndefined();
    const tool = memory.workingMemoryTool();
    expect(tool.id).toBe('updateWorkingMemory');
    expect(tool.inputSchema.safeParse({ memory: '# Name: Ada' }).success).toBe(true);
    const result = await tool.execute(
      { memory: '# User\n- **First Name**: Ada' },
      { threadId: 't1', resourceId: 'u' },
    );
    expect(result).toEqual({ success: true, workingMemory: '# User\n- **First Name**: Ada' });
    const other = await memory.getContext({ threadId: 't2', resourceId: 'u' });
    expect(other.workingMemory).toContain('Ada');
    expect(other.systemMessages[0]).toContain('<working_memory_data>\n# User\n- **First Name**: Ada');
    await expect(
      tool.execute({ memory: 'x' }, { threadId: undefined, resourceId: 'u' }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('keeps thread-scoped working memory per thread', async () => {
    const { memory } = setup({ workingMemory: { enabled: true, scope: 'thread', template: '# Task\n' } });
    const tool = memory.workingMemoryTool({ threadId: 't1', resourceId: 'u' });
    await tool.execute({ memory: '# Task\nship it' });
    expect(await memory.getWorkingMemory({ threadId: 't1', resourceId: 'u' })).toBe('# Task\nship it');
    expect(await memory.getWorkingMemory({ threadId: 't2', resourceId: 'u' })).toBeUndefined();
  });

  it('merges schema working memory and rejects updates that do not match', async () => {
    const schema = z.object({ name: z.string(), city: z.string(), likes: z.array(z.string()) });
    const { memory } = setup({ workingMemory: { enabled: true, schema } });
    const tool = memory.workingMemoryTool({ threadId: 't', resourceId: 'u' });
    await expect(tool.execute({ memory: { name: 'Ada' } })).rejects.toBeInstanceOf(ValidationError);
    await tool.execute({ memory: { name: 'Ada', city: 'Oslo', likes: ['tea'] } });
    await tool.execute({ memory: { city: 'Rome' } });
    const stored = JSON.parse((await memory.getWorkingMemory({ threadId: 't', resourceId: 'u' })) ?? '{}');
    expect(stored).toEqual({ name: 'Ada', city: 'Rome', likes: ['tea'] });
    await expect(tool.execute({ memory: { likes: 'not a list' } })).rejects.toBeInstanceOf(ValidationError);
    const context = await memory.getContext({ threadId: 't', resourceId: 'u' });
    expect(context.systemMessages[0]).toContain('<working_memory_schema>');
    expect(context.systemMessages[0]).toContain('"city": "Rome"');
  });

  it('refuses working memory calls when it is disabled', () => {
    const { memory } = setup();
    expect(() => memory.workingMemoryTool()).toThrow(InvalidArgumentError);
  });
});

describe('Memory titles', () => {
  it('titles a new thread from its first user message', async () => {
    const { memory } = setup({ generateTitle: true });
    await memory.saveMessages({
      threadId: 't',
      resourceId: 'u',
      messages: [user('Plan a weekend in Lisbon\nwith kids')],
    });
    await memory.idle();
    expect((await memory.getThread({ threadId: 't', resourceId: 'u' })).title).toBe(
      'Plan a weekend in Lisbon',
    );
  });

  it('asks the model for a title when given one, once', async () => {
    const requests: ChatRequest[] = [];
    const model: ChatModel = {
      provider: 'fake',
      modelId: 'titles',
      capabilities: { tools: false, jsonSchema: false, streamUsage: false, parallelToolCalls: false },
      async generate(request) {
        requests.push(request);
        return {
          text: '"Lisbon family weekend."',
          toolCalls: [],
          finishReason: 'stop',
          usage: undefined,
          modelId: 'titles',
        };
      },
      stream() {
        throw new Error('not used');
      },
    };
    const { memory } = setup({ generateTitle: { model } });
    await memory.saveMessages({
      threadId: 't',
      resourceId: 'u',
      messages: [user('Plan a weekend in Lisbon')],
    });
    await memory.idle();
    await memory.saveMessages({ threadId: 't', resourceId: 'u', messages: [user('and restaurants?')] });
    await memory.idle();
    expect((await memory.getThread({ threadId: 't', resourceId: 'u' })).title).toBe('Lisbon family weekend');
    expect(requests).toHaveLength(1);

    // Appends in quick succession to an untitled thread ask once, not once per append.
    await memory.createThread({ threadId: 'busy', resourceId: 'u' });
    await Promise.all(
      ['first', 'second', 'third'].map((text) =>
        memory.saveMessages({ threadId: 'busy', resourceId: 'u', messages: [user(text)] }),
      ),
    );
    await memory.idle();
    expect(requests).toHaveLength(2);
    expect((await memory.getThread({ threadId: 'busy', resourceId: 'u' })).title).toBe(
      'Lisbon family weekend',
    );
  });
});
