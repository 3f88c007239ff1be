import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AbortedError } from '../errors/index.js';
import { createTool, type ToolExecutionContext } from './create-tool.js';
import { executeTool, prepareToolCall } from './run-tool.js';
import { toJsonSchema } from './schema.js';

const context = (signal = new AbortController().signal): ToolExecutionContext => ({
  abortSignal: signal,
  runId: 'run',
  toolCallId: 'call',
  threadId: undefined,
  resourceId: undefined,
  writer: { write: () => {} },
});

const add = createTool({
  id: 'add',
  description: 'Adds two numbers',
  inputSchema: z.object({ a: z.number(), b: z.number() }),
  outputSchema: z.object({ sum: z.number() }),
  execute: async ({ a, b }) => ({ sum: a + b }),
});

async function run(tool: typeof add, args: string, signal?: AbortSignal) {
  const prepared = await prepareToolCall(tool, { id: 'call', name: tool.id, arguments: args });
  if (!prepared.ok) return prepared.result;
  return executeTool(tool, prepared, context(signal));
}

describe('createTool', () => {
  it('converts zod input schemas to JSON Schema', () => {
    expect(toJsonSchema(add.inputSchema)).toEqual({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
    });
  });

  it('rejects names endpoints would refuse', () => {
    expect(() =>
      createTool({ id: 'bad name', description: '', inputSchema: {}, execute: async () => 1 }),
    ).toThrow(/not a valid tool name/);
  });
});

describe('running a tool call', () => {
  it('validates input, executes and validates output', async () => {
    expect(await run(add, '{"a":2,"b":3}')).toEqual({
      toolCallId: 'call',
      toolName: 'add',
      args: { a: 2, b: 3 },
      result: { sum: 5 },
      isError: false,
    });
  });

  it('turns invalid input into a structured error result', async () => {
    const result = await run(add, '{"a":"two"}');
    expect(result.isError).toBe(true);
    expect(result.result).toMatchObject({
      error: { code: 'validation', issues: [{ path: ['a'] }, { path: ['b'] }] },
    });
    const notJson = await run(add, '{"a":');
    expect(notJson).toMatchObject({
      isError: true,
      args: '{"a":',
      result: { error: { code: 'validation' } },
    });
  });

  it('reports an unknown tool to the model', async () => {
    const prepared = await prepareToolCall(undefined, { id: 'x', name: 'nope', arguments: '{}' });
    expect(prepared).toMatchObject({ ok: false, result: { result: { error: { code: 'unknown_tool' } } } });
  });

  it('rejects output that breaks outputSchema', async () => {
    const broken = createTool({
      id: 'broken',
      description: '',
      inputSchema: z.object({}),
      outputSchema: z.object({ sum: z.number() }),
      execute: async () => ({ sum: 'many' }) as unknown as { sum: number },
    });
    const result = await run(broken as unknown as typeof add, '{}');
    expect(result.result).toMatchObject({ error: { code: 'validation', issues: [{ path: ['sum'] }] } });
  });

  it('turns a throw into an error result', async () => {
    const failing = createTool({
      id: 'failing',
      description: '',
      inputSchema: { type: 'object' },
      execute: async () => {
        throw new Error('disk full');
      },
    });
    const prepared = await prepareToolCall(failing, { id: 'c', name: 'failing', arguments: '{}' });
    if (!prepared.ok) throw new Error('expected valid input');
    const result = await executeTool(failing, prepared, context());
    expect(result).toMatchObject({
      isError: true,
      result: { error: { code: 'tool_execution', message: '"failing" failed: disk full' } },
    });
  });

  it('times out with a typed error result and aborts the tool', async () => {
    let sawAbort = false;
    const slow = createTool({
      id: 'slow',
      description: '',
      inputSchema: z.object({}),
      timeoutMs: 20,
      execute: (_input, { abortSignal }) =>
        new Promise((resolve) => {
          abortSignal.addEventListener('abort', () => {
            sawAbort = true;
          });
          setTimeout(() => resolve('late'), 500);
        }),
    });
    const prepared = await prepareToolCall(slow, { id: 'c', name: 'slow', arguments: '{}' });
    if (!prepared.ok) throw new Error('expected valid input');
    const result = await executeTool(slow, prepared, context());
    expect(result.result).toEqual({
      error: { code: 'timeout', message: '"slow" did not finish within 20 ms.' },
    });
    expect(sawAbort).toBe(true);
  });

  it('throws AbortedError when the run is aborted', async () => {
    const controller = new AbortController();
    const hanging = createTool({
      id: 'hanging',
      description: '',
      inputSchema: z.object({}),
      execute: () => new Promise<never>(() => {}),
    });
    const prepared = await prepareToolCall(hanging, { id: 'c', name: 'hanging', arguments: '{}' });
    if (!prepared.ok) throw new Error('expected valid input');
    const running = executeTool(hanging, prepared, context(controller.signal));
    controller.abort();
    await expect(running).rejects.toSatisfy(AbortedError.isInstance);
  });
});
