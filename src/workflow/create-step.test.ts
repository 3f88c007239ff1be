import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidArgumentError } from '../errors/index.js';
import { createStep } from './create-step.js';
import { createWorkflow } from './workflow.js';

describe('createStep', () => {
  it('wraps an agent: { prompt } in, { text } out, with the run abort signal', async () => {
    const calls: { prompt: string; aborted: boolean }[] = [];
    const agent = {
      name: 'writer',
      generate: async (prompt: string, options: { abortSignal: AbortSignal }) => {
        calls.push({ prompt, aborted: options.abortSignal.aborted });
        return { text: `echo: ${prompt}`, usage: { totalTokens: 3 } };
      },
    };
    const step = createStep(agent);
    expect(step.id).toBe('writer');
    const workflow = createWorkflow({
      id: 'agent-flow',
      inputSchema: z.object({ topic: z.string() }),
      outputSchema: z.object({ text: z.string() }),
      locks: null,
    })
      .map(async ({ inputData }) => ({ prompt: `write about ${inputData.topic}` }))
      .then(step)
      .commit();
    const result = await (await workflow.createRun()).start({ inputData: { topic: 'owls' } });
    expect(result).toMatchObject({ status: 'success', result: { text: 'echo: write about owls' } });
    expect(calls).toEqual([{ prompt: 'write about owls', aborted: false }]);
  });

  it('wraps a tool made by createTool: its schemas guard the step and it gets a tool context', async () => {
    const contexts: { runId: string; toolCallId: string; abortSignal: AbortSignal }[] = [];
    const tool = {
      id: 'weather',
      description: 'Weather of a city',
      inputSchema: z.object({ city: z.string() }),
      outputSchema: z.object({ celsius: z.number() }),
      requireApproval: false,
      timeoutMs: undefined,
      execute: async (
        input: { city: string },
        context: { runId: string; toolCallId: string; abortSignal: AbortSignal },
      ) => {
        contexts.push(context);
        return { celsius: input.city.length };
      },
    };
    const step = createStep(tool);
    const workflow = createWorkflow({
      id: 'tool-flow',
      inputSchema: z.object({ city: z.string() }),
      outputSchema: z.object({ celsius: z.number() }),
      locks: null,
    })
      .then(step)
      .commit();
    const result = await (await workflow.createRun({ runId: 'r' })).start({ inputData: { city: 'Oslo' } });
    expect(result).toMatchObject({ status: 'success', result: { celsius: 4 } });
    expect(contexts[0]).toMatchObject({ runId: 'r', toolCallId: 'r:weather' });
    expect(contexts[0]?.abortSignal).toBeInstanceOf(AbortSignal);
    const loose = createWorkflow({
      id: 'loose-tool-flow',
      inputSchema: z.any(),
      outputSchema: z.any(),
      locks: null,
    })
      .then(createStep(tool))
      .commit();
    const bad = await (await loose.createRun()).start({ inputData: { city: 3 } });
    expect(bad.status).toBe('failed');
    if (bad.status !== 'failed') return;
    expect(bad.error.message).toContain('input of step "weather"');
    expect(contexts).toHaveLength(1);
  });

  it('accepts a tool whose input schema is raw JSON Schema (left to the tool to check)', async () => {
    const tool = {
      id: 'echo',
      inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
      execute: async (input: { text: string }, _context: unknown) => input.text.toUpperCase(),
    };
    const workflow = createWorkflow({
      id: 'raw-tool',
      inputSchema: z.any(),
      outputSchema: z.string(),
      locks: null,
    })
      .then(createStep(tool))
      .commit();
    expect(await (await workflow.createRun()).start({ inputData: { text: 'hi' } })).toMatchObject({
      result: 'HI',
    });
  });

  it('rejects bad options with InvalidArgumentError', () => {
    const execute = async () => ({});
    expect(() => createStep({ id: 'a/b', inputSchema: z.any(), outputSchema: z.any(), execute })).toThrow(
      InvalidArgumentError,
    );
    expect(() =>
      createStep({ id: 'x', inputSchema: z.any(), outputSchema: z.any(), retries: -1, execute }),
    ).toThrow(/retries -1/);
    expect(() =>
      createStep({ id: 'x', inputSchema: undefined as never, outputSchema: z.any(), execute }),
    ).toThrow(/needs an inputSchema and an outputSchema/);
  });
});

describe('workflow building', () => {
  const step = createStep({ id: 's', inputSchema: z.any(), outputSchema: z.any(), execute: async () => 1 });

  it('rejects duplicate step ids, empty commits, adding after commit and runs before commit', async () => {
    const base = () => createWorkflow({ id: 'w', inputSchema: z.any(), outputSchema: z.any(), locks: null });
    expect(() => base().then(step).then(step)).toThrow(/already has a step "s"/);
    expect(() => base().commit()).toThrow(/has no steps/);
    expect(() => base().then(step).commit().then(step)).toThrow(/is committed/);
    await expect(base().then(step).createRun()).rejects.toMatchObject({ code: 'workflow_state' });
    expect(() => base().foreach(step, { concurrency: 0 })).toThrow(/concurrency 0/);
    expect(() =>
      createWorkflow({
        id: 'w',
        inputSchema: z.any(),
        outputSchema: z.any(),
        retryConfig: { attempts: 1.5 },
      }),
    ).toThrow(InvalidArgumentError);
  });

  it('explains what went wrong when a workflow is awaited like a promise', async () => {
    const workflow = createWorkflow({ id: 'w', inputSchema: z.any(), outputSchema: z.any() })
      .then(step)
      .commit();
    await expect(Promise.resolve(workflow as unknown)).rejects.toThrow(/awaited like a promise/);
  });
});
