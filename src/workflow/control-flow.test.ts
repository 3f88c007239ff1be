import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError, WorkflowStepError } from '../errors/index.js';
import { InMemoryStorage } from '../storage/index.js';
import { createStep } from './create-step.js';
import { createManualClock } from './manual-clock.js';
import type { WorkflowEvent } from './types.js';
import { createWorkflow } from './workflow.js';

const num = z.object({ value: z.number() });

const addOne = createStep({
  id: 'add-one',
  inputSchema: num,
  outputSchema: num,
  execute: async ({ inputData }) => ({ value: inputData.value + 1 }),
});
const double = createStep({
  id: 'double',
  inputSchema: num,
  outputSchema: num,
  execute: async ({ inputData }) => ({ value: inputData.value * 2 }),
});
const square = createStep({
  id: 'square',
  inputSchema: num,
  outputSchema: num,
  execute: async ({ inputData }) => ({ value: inputData.value ** 2 }),
});

const workflowOf = (id: string) =>
  createWorkflow({
    id,
    inputSchema: num,
    outputSchema: z.any(),
    storage: new InMemoryStorage(),
    locks: null,
  });

describe('control flow', () => {
  it('chains steps with .then and returns per-step results', async () => {
    const workflow = workflowOf('chain').then(addOne).then(double).commit();
    const run = await workflow.createRun();
    const result = await run.start({ inputData: { value: 3 } });
    expect(result.status).toBe('success');
    if (result.status !== 'success') return;
    expect(result.result).toEqual({ value: 8 });
    expect(result.steps['add-one']).toMatchObject({
      status: 'success',
      input: { value: 3 },
      output: { value: 4 },
    });
    expect(result.steps.double).toMatchObject({ status: 'success', output: { value: 8 } });
  });

  it('runs .parallel steps on the same input and keys the output by step id', async () => {
    const workflow = workflowOf('parallel').parallel([addOne, double, square]).commit();
    const result = await (await workflow.createRun()).start({ inputData: { value: 5 } });
    expect(result).toMatchObject({
      status: 'success',
      result: { 'add-one': { value: 6 }, double: { value: 10 }, square: { value: 25 } },
    });
  });

  it('.branch runs only the steps whose condition holds', async () => {
    const isSmall = async ({ inputData }: { inputData: { value: number } }) => inputData.value < 10;
    const isEven = async ({ inputData }: { inputData: { value: number } }) => inputData.value % 2 === 0;
    const isNegative = async ({ inputData }: { inputData: { value: number } }) => inputData.value < 0;
    const workflow = workflowOf('branch')
      .branch([
        [isSmall, addOne],
        [isEven, double],
        [isNegative, square],
      ])
      .commit();
    const small = await (await workflow.createRun()).start({ inputData: { value: 4 } });
    expect(small).toMatchObject({
      status: 'success',
      result: { 'add-one': { value: 5 }, double: { value: 8 } },
    });
    expect(small.steps.square).toBeUndefined();
    const large = await (await workflow.createRun()).start({ inputData: { value: 13 } });
    expect(large).toMatchObject({ status: 'success', result: {} });
  });

  it('.dowhile repeats while the condition holds, feeding each output back in', async () => {
    const seen: number[] = [];
    const below20 = async ({
      inputData,
      iterationCount,
    }: {
      inputData: { value: number };
      iterationCount: number;
    }) => {
      seen.push(iterationCount);
      return inputData.value < 20;
    };
    const workflow = workflowOf('dowhile').dowhile(double, below20).commit();
    const result = await (await workflow.createRun()).start({ inputData: { value: 3 } });
    expect(result).toMatchObject({ status: 'success', result: { value: 24 } });
    expect(seen).toEqual([1, 2, 3]);
    // Finished iterations are folded into the loop's record: the snapshot does not grow per iteration.
    expect(Object.keys(result.steps)).toEqual(['double']);
    expect(result.steps.double).toMatchObject({ status: 'success', output: { value: 24 } });
  });

  it('.dountil runs at least once and stops when the condition holds', async () => {
    const atLeast = async ({ inputData }: { inputData: { value: number } }) => inputData.value >= 3;
    const workflow = workflowOf('dountil').dountil(addOne, atLeast).commit();
    expect(await (await workflow.createRun()).start({ inputData: { value: 0 } })).toMatchObject({
      status: 'success',
      result: { value: 3 },
    });
    expect(await (await workflow.createRun()).start({ inputData: { value: 10 } })).toMatchObject({
      status: 'success',
      result: { value: 11 },
    });
  });

  it('.foreach keeps at most `concurrency` items in flight and keeps the order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = createStep({
      id: 'slow',
      inputSchema: z.number(),
      outputSchema: z.number(),
      execute: async ({ inputData }) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, (7 - inputData) * 2));
        inFlight--;
        return inputData * 10;
      },
    });
    const workflow = createWorkflow({
      id: 'foreach',
      inputSchema: z.array(z.number()),
      outputSchema: z.array(z.number()),
      storage: new InMemoryStorage(),
      locks: null,
    })
      .foreach(slow, { concurrency: 3 })
      .commit();
    const result = await (await workflow.createRun()).start({ inputData: [1, 2, 3, 4, 5, 6, 7] });
    expect(result).toMatchObject({ status: 'success', result: [10, 20, 30, 40, 50, 60, 70] });
    expect(maxInFlight).toBe(3);
    expect(result.steps['slow[6]']).toMatchObject({ status: 'success', output: 70 });
  });

  it('.foreach fails with a ValidationError naming the step when the input is not an array', async () => {
    const workflow = workflowOf('foreach-bad')
      .foreach(addOne as never)
      .commit();
    const result = await (await workflow.createRun()).start({ inputData: { value: 1 } });
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(ValidationError.isInstance(result.error)).toBe(true);
    expect(result.error.message).toContain('foreach step "add-one"');
  });

  it('.map reshapes with a function or a field mapping', async () => {
    const workflow = workflowOf('map')
      .then(addOne)
      .map(async ({ inputData, getInitData }) => ({
        value: inputData.value + getInitData<{ value: number }>().value,
      }))
      .then(double)
      .map({
        doubled: { step: double, path: 'value' },
        original: { initData: true, path: 'value' },
        label: { value: 'done' },
      })
      .commit();
    const result = await (await workflow.createRun()).start({ inputData: { value: 2 } });
    expect(result).toMatchObject({ status: 'success', result: { doubled: 10, original: 2, label: 'done' } });
    expect(result.steps['map-1']).toMatchObject({ status: 'success', output: { value: 5 } });
  });

  it('.sleep and .sleepUntil wait on the clock and pass the value through', async () => {
    const clock = createManualClock({ start: 1_000 });
    const workflow = createWorkflow({
      id: 'sleepy',
      inputSchema: num,
      outputSchema: num,
      storage: new InMemoryStorage(),
      clock,
      locks: null,
    })
      .then(addOne)
      .sleep(500)
      .sleep(async ({ inputData }) => inputData.value * 100)
      .sleepUntil(new Date(5_000))
      .then(double)
      .commit();
    const result = await (await workflow.createRun()).start({ inputData: { value: 1 } });
    expect(result).toMatchObject({ status: 'success', result: { value: 4 } });
    expect(clock.sleeps).toEqual([500, 200, 5_000 - 1_700]);
    expect(result.steps['sleep-1']).toMatchObject({ status: 'success', wakeAt: 1_500 });
  });

  it('runs a committed workflow as a step, with nested paths and its own init data', async () => {
    const seenInit: unknown[] = [];
    const recordInit = createStep({
      id: 'record-init',
      inputSchema: num,
      outputSchema: num,
      execute: async ({ inputData, getInitData }) => {
        seenInit.push(getInitData());
        return inputData;
      },
    });
    const inner = createWorkflow({ id: 'inner', inputSchema: num, outputSchema: num })
      .then(recordInit)
      .then(double)
      .commit();
    const workflow = workflowOf('outer').then(addOne).then(inner).then(square).commit();
    const result = await (await workflow.createRun()).start({ inputData: { value: 1 } });
    expect(result).toMatchObject({ status: 'success', result: { value: 16 } });
    expect(seenInit).toEqual([{ value: 2 }]);
    expect(result.steps['inner/double']).toMatchObject({ status: 'success', output: { value: 4 } });
    expect(result.steps.inner).toMatchObject({ status: 'success', output: { value: 4 } });
  });

  it('shares validated state between steps and reads earlier results', async () => {
    const count = createStep({
      id: 'count',
      inputSchema: num,
      outputSchema: num,
      execute: async ({ inputData, state, setState }) => {
        await setState({ visits: (state as { visits: number }).visits + 1 });
        return inputData;
      },
    });
    const report = createStep({
      id: 'report',
      inputSchema: num,
      outputSchema: z.object({ visits: z.number(), first: z.number() }),
      execute: async ({ state, getStepResult }) => ({
        visits: (state as { visits: number }).visits,
        first: (getStepResult(addOne) as { value: number }).value,
      }),
    });
    const breakState = createStep({
      id: 'break-state',
      inputSchema: num,
      outputSchema: num,
      execute: async ({ inputData, setState }) => {
        await setState({ visits: 'many' } as never);
        return inputData;
      },
    });
    const stateSchema = z.object({ visits: z.number() });
    const build = (id: string) =>
      createWorkflow({ id, inputSchema: num, outputSchema: z.any(), stateSchema, locks: null });
    const ok = build('state').then(addOne).then(count).then(report).commit();
    const result = await (await ok.createRun()).start({
      inputData: { value: 1 },
      initialState: { visits: 5 },
    });
    expect(result).toMatchObject({
      status: 'success',
      result: { visits: 6, first: 2 },
      state: { visits: 6 },
    });

    const bad = build('bad-state').then(breakState).commit();
    const failed = await (await bad.createRun()).start({
      inputData: { value: 1 },
      initialState: { visits: 0 },
    });
    expect(failed.status).toBe('failed');
    if (failed.status !== 'failed') return;
    expect(failed.error.message).toContain('state set by step "break-state"');
  });

  it('bail() ends the workflow successfully with its value', async () => {
    const after: string[] = [];
    const stop = createStep({
      id: 'stop',
      inputSchema: num,
      outputSchema: num,
      execute: async ({ inputData, bail }) => (inputData.value > 1 ? bail({ value: -1 }) : inputData),
    });
    const mark = createStep({
      id: 'mark',
      inputSchema: num,
      outputSchema: num,
      execute: async ({ inputData }) => {
        after.push('mark');
        return inputData;
      },
    });
    const workflow = workflowOf('bail').then(stop).then(mark).commit();
    expect(await (await workflow.createRun()).start({ inputData: { value: 5 } })).toMatchObject({
      status: 'success',
      result: { value: -1 },
    });
    expect(after).toEqual([]);
    expect(await (await workflow.createRun()).start({ inputData: { value: 1 } })).toMatchObject({
      result: { value: 1 },
    });
    expect(after).toEqual(['mark']);
  });
});

describe('schema checks at step boundaries', () => {
  const toText = createStep({
    id: 'to-text',
    inputSchema: num,
    outputSchema: z.object({ text: z.string() }),
    execute: async ({ inputData }) => ({ text: String(inputData.value) }),
  });
  const wantsNumber = createStep({
    id: 'wants-number',
    inputSchema: num,
    outputSchema: num,
    execute: async ({ inputData }) => inputData,
  });
  const liar = createStep({
    id: 'liar',
    inputSchema: num,
    outputSchema: num,
    execute: async () => ({ value: 'seven' }) as never,
  });

  it('fails the run with a ValidationError naming the step whose input does not match', async () => {
    const workflow = workflowOf('bad-input')
      .then(toText)
      .then(wantsNumber as never)
      .commit();
    const result = await (await workflow.createRun()).start({ inputData: { value: 1 } });
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(ValidationError.isInstance(result.error)).toBe(true);
    expect(result.error.message).toContain('input of step "wants-number"');
    expect(result.error.data).toMatchObject({ stepId: 'wants-number', boundary: 'input' });
    expect(result.steps['wants-number']).toMatchObject({ status: 'failed', error: { code: 'validation' } });
  });

  it('fails the run when a step returns what its outputSchema rejects, without retrying', async () => {
    const workflow = createWorkflow({
      id: 'bad-output',
      inputSchema: num,
      outputSchema: num,
      retryConfig: { attempts: 3 },
      locks: null,
    })
      .then(liar)
      .commit();
    const result = await (await workflow.createRun()).start({ inputData: { value: 1 } });
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.error.message).toContain('output of step "liar"');
    expect(result.error.data).toMatchObject({
      stepId: 'liar',
      boundary: 'output',
      issues: [{ path: 'value' }],
    });
    expect(result.steps.liar?.attempts).toBe(1);
  });

  it('rejects start() when inputData does not match the workflow inputSchema', async () => {
    const workflow = workflowOf('bad-start').then(addOne).commit();
    const run = await workflow.createRun();
    await expect(run.start({ inputData: { value: 'x' } as never })).rejects.toThrow(ValidationError);
    expect(await run.getSnapshot()).toBeUndefined();
  });

  it('checks the final output against the workflow outputSchema', async () => {
    const workflow = createWorkflow({
      id: 'bad-final',
      inputSchema: num,
      outputSchema: z.string(),
      locks: null,
    })
      .then(addOne)
      .commit();
    const result = await (await workflow.createRun()).start({ inputData: { value: 1 } });
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.error.message).toContain('output of workflow "bad-final"');
  });

  it('wraps a throwing map in a WorkflowStepError naming it', async () => {
    const workflow = workflowOf('bad-map')
      .map(
        async () => {
          throw new Error('boom');
        },
        { id: 'explode' },
      )
      .commit();
    const result = await (await workflow.createRun()).start({ inputData: { value: 1 } });
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(WorkflowStepError.isInstance(result.error)).toBe(true);
    expect(result.error.message).toContain('map "explode" failed: boom');
  });
});

describe('events', () => {
  it('streams workflow and step events in order, with writer output', async () => {
    const talk = createStep({
      id: 'talk',
      inputSchema: num,
      outputSchema: num,
      execute: async ({ inputData, writer }) => {
        await writer.write({ progress: 0.5 });
        return inputData;
      },
    });
    const workflow = workflowOf('events').then(addOne).then(talk).commit();
    const run = await workflow.createRun({ runId: 'events-1' });
    const watched: string[] = [];
    run.watch((event) => watched.push(event.type));
    const { stream, result } = run.stream({ inputData: { value: 1 } });
    const events: WorkflowEvent[] = [];
    for await (const event of stream as unknown as AsyncIterable<WorkflowEvent>) events.push(event);
    expect((await result).status).toBe('success');
    expect(events.map((event) => `${event.type}${'path' in event ? `:${event.path}` : ''}`)).toEqual([
      'workflow-start',
      'step-start:add-one',
      'step-result:add-one',
      'step-start:talk',
      'step-output:talk',
      'step-result:talk',
      'workflow-finish',
    ]);
    expect(events.every((event) => event.runId === 'events-1' && event.workflowId === 'events')).toBe(true);
    expect(events.find((event) => event.type === 'step-output')).toMatchObject({
      payload: { progress: 0.5 },
    });
    expect(watched).toEqual(events.map((event) => event.type));
  });

  it('errors the stream when start() rejects', async () => {
    const workflow = workflowOf('events-bad').then(addOne).commit();
    const { stream, result } = (await workflow.createRun()).stream({ inputData: {} as never });
    await expect(result).rejects.toThrow(ValidationError);
    await expect(stream.getReader().read()).rejects.toThrow(ValidationError);
  });
});

describe('nesting', () => {
  it('bail() inside a nested workflow ends only the nested workflow', async () => {
    const early = createStep({
      id: 'early',
      inputSchema: num,
      outputSchema: num,
      execute: async ({ bail }) => bail({ value: 100 }),
    });
    const inner = createWorkflow({ id: 'inner-bail', inputSchema: num, outputSchema: num })
      .then(early)
      .then(double)
      .commit();
    const workflow = workflowOf('outer-bail').then(inner).then(addOne).commit();
    const result = await (await workflow.createRun()).start({ inputData: { value: 1 } });
    expect(result).toMatchObject({ status: 'success', result: { value: 101 } });
    expect(result.steps['inner-bail/double']).toBeUndefined();
  });
});
