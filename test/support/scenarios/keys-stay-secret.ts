import { expect } from 'vitest';
import { z } from 'zod';
import { Agent } from '../../../src/agent/index.js';
import { serializeError } from '../../../src/errors/index.js';
import { openaiCompatible } from '../../../src/llm/index.js';
import { Memory } from '../../../src/memory/index.js';
import { IndexedDBStorage } from '../../../src/storage/index.js';
import {
  createConsoleExporter,
  createLogger,
  createMemoryExporter,
  createOtlpHttpExporter,
  createTracer,
  createTraceStoreExporter,
  traceChatModel,
} from '../../../src/telemetry/index.js';
import { connectTestServer } from '../../../src/test/index.js';
import { createTool } from '../../../src/tools/index.js';
import { createStep, createWorkflow } from '../../../src/workflow/index.js';

const secret = 'sk-lumos-test-4f9a1c2e8b7d6a5f3e2d1c0b9a8f7e6d';

/** Every record of every object store of a database, as text. */
async function dumpDatabase(name: string): Promise<string> {
  const database = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const out: unknown[] = [];
  for (const storeName of database.objectStoreNames) {
    const records = await new Promise<unknown[]>((resolve, reject) => {
      const request = database.transaction(storeName).objectStore(storeName).getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    out.push({ storeName, records });
  }
  database.close();
  return JSON.stringify(out, (_key, value: unknown) =>
    ArrayBuffer.isView(value) ? new TextDecoder().decode(value as Uint8Array) : value,
  );
}

/**
 * A traced agent run with a real API key: tool calls, memory, a pending approval, a workflow
 * snapshot, an auth failure whose provider message repeats the key, logs and every exporter.
 * Afterwards the key must appear nowhere that Lumos persisted, exported, logged or threw — while
 * the server proves it was sent.
 */
export async function keysStaySecretScenario(serverUrl: string): Promise<void> {
  const session = await connectTestServer(serverUrl).session();
  const databaseName = `lumos-keys-${crypto.randomUUID()}`;
  const storage = await IndexedDBStorage.open({ name: databaseName });
  const written: string[] = [];
  const otlpBodies: string[] = [];
  const logs: string[] = [];
  const exported = createMemoryExporter();
  const tracer = createTracer({
    exporters: [
      exported,
      createTraceStoreExporter({ store: storage }),
      createConsoleExporter({ write: (line) => written.push(line), attributes: true }),
      createOtlpHttpExporter({
        url: `${serverUrl}/otlp`,
        fetch: async (_url, init) => {
          otlpBodies.push(String(init?.body));
          return new Response('{}', { status: 200 });
        },
      }),
    ],
  });
  const logger = createLogger({ level: 'debug', sink: (entry) => logs.push(JSON.stringify(entry)) });

  const model = traceChatModel(
    openaiCompatible({
      name: 'keyed',
      baseURL: session.baseURL,
      apiKey: secret,
      model: 'test-model',
      dangerouslyAllowBrowser: true,
    }),
    tracer,
  );
  const memory = new Memory({ storage, options: { lastMessages: 10 } });
  const agent = new Agent({
    name: 'keeper',
    instructions: 'Help the user.',
    model,
    memory,
    storage,
    tools: {
      lookup: createTool({
        id: 'lookup',
        description: 'Looks a word up',
        inputSchema: z.object({ word: z.string() }),
        execute: async ({ word }) => ({ meaning: `${word} means something` }),
      }),
      publish: createTool({
        id: 'publish',
        description: 'Publishes',
        inputSchema: z.object({ text: z.string() }),
        requireApproval: true,
        execute: async () => ({ ok: true }),
      }),
    },
  });

  await session.enqueue(
    { toolCalls: [{ name: 'lookup', arguments: { word: 'lumos' } }] },
    { text: 'Lumos means light.' },
    { toolCalls: [{ id: 'pub-1', name: 'publish', arguments: { text: 'hello' } }] },
    {
      error: {
        status: 401,
        body: {
          error: {
            message: `Incorrect API key provided: ${secret}.`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        },
      },
    },
  );
  const memoryOptions = { memory: { thread: 'thread-1', resource: 'user-1' } };
  const first = await agent.generate('What does lumos mean?', memoryOptions);
  expect(first.text).toBe('Lumos means light.');
  const pending = await agent.generate('Publish hello', memoryOptions);
  expect(pending.finishReason).toBe('suspended');
  const failure = await agent.generate('Again', memoryOptions).catch((error: unknown) => error);
  logger.error('model call failed', { error: failure });

  const workflow = createWorkflow({
    id: 'keyed-workflow',
    inputSchema: z.object({ question: z.string() }),
    outputSchema: z.object({ answer: z.string() }),
    storage,
  })
    .then(
      createStep({
        id: 'ask',
        inputSchema: z.object({ question: z.string() }),
        outputSchema: z.object({ answer: z.string() }),
        execute: async ({ inputData }) => ({
          answer: (await model.generate({ messages: [{ role: 'user', content: inputData.question }] })).text,
        }),
      }),
    )
    .commit();
  await session.enqueue({ text: 'Workflow answer.' });
  const run = await workflow.createRun();
  expect((await run.start({ inputData: { question: 'Hi?' } })).status).toBe('success');

  await memory.idle();
  await tracer.flush();
  await tracer.shutdown();

  // The key really was used…
  const requests = await session.requests();
  expect(requests.some((request) => request.headers.authorization === `Bearer ${secret}`)).toBe(true);
  // …and is nowhere else.
  const everything = {
    database: await dumpDatabase(databaseName),
    spans: JSON.stringify(exported.spans()),
    console: written.join('\n'),
    otlp: otlpBodies.join('\n'),
    logs: logs.join('\n'),
    error: `${String(failure)} ${JSON.stringify(serializeError(failure))} ${(failure as Error).stack ?? ''}`,
  };
  expect(everything.spans.length).toBeGreaterThan(100);
  expect(everything.otlp.length).toBeGreaterThan(100);
  for (const [where, text] of Object.entries(everything)) {
    expect(text.includes(secret), `API key found in ${where}`).toBe(false);
    expect(text.includes(secret.slice(8, 30)), `part of the API key found in ${where}`).toBe(false);
  }
  await storage.close();
}
