import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createStep } from './create-step.js';
import type { WorkflowRunResult } from './types.js';
import { createWorkflow, type Workflow } from './workflow.js';

/** The output type of the last node added so far. */
// biome-ignore lint/suspicious/noExplicitAny: matches any workflow.
type Previous<W> = W extends Workflow<any, any, any, any, infer P> ? P : never;

const toLength = createStep({
  id: 'to-length',
  inputSchema: z.object({ text: z.string() }),
  outputSchema: z.object({ length: z.number() }),
  resumeSchema: z.object({ ok: z.boolean() }),
  execute: async ({ inputData, resumeData }) => {
    expectTypeOf(inputData).toEqualTypeOf<{ text: string }>();
    expectTypeOf(resumeData).toEqualTypeOf<{ ok: boolean } | undefined>();
    return { length: inputData.text.length };
  },
});
const isEven = createStep({
  id: 'is-even',
  inputSchema: z.object({ length: z.number() }),
  outputSchema: z.boolean(),
  execute: async ({ inputData }) => inputData.length % 2 === 0,
});
const label = createStep({
  id: 'label',
  inputSchema: z.object({ length: z.number() }),
  outputSchema: z.string(),
  execute: async ({ inputData }) => `${inputData.length}`,
});
const textOf = z.object({ text: z.string() });

describe('workflow types', () => {
  it('flows each step output into the next step input', () => {
    const workflow = createWorkflow({ id: 'typed', inputSchema: textOf, outputSchema: z.boolean() });
    expectTypeOf<Previous<typeof workflow>>().toEqualTypeOf<{ text: string }>();
    const chained = workflow.then(toLength).then(isEven);
    expectTypeOf<Previous<typeof chained>>().toEqualTypeOf<boolean>();
    // @ts-expect-error is-even wants { length: number }, the workflow input is { text: string }
    workflow.then(isEven);
    // @ts-expect-error to-length wants { text }, the previous step gives { length }
    workflow.then(toLength).then(toLength);
    // @ts-expect-error one of the parallel steps does not take { text }
    workflow.parallel([toLength, label]);
  });

  it('types parallel, branch, foreach, map and loops', () => {
    const base = createWorkflow({ id: 'shapes', inputSchema: textOf, outputSchema: z.any() }).then(toLength);
    expectTypeOf<Previous<ReturnType<typeof base.parallel<[typeof isEven, typeof label]>>>>().toEqualTypeOf<{
      'is-even': boolean;
      label: string;
    }>();
    const parallel = base.parallel([isEven, label]);
    expectTypeOf<Previous<typeof parallel>>().toEqualTypeOf<{ 'is-even': boolean; label: string }>();
    const branched = base.branch([[async ({ inputData }) => inputData.length > 3, label]]);
    expectTypeOf<Previous<typeof branched>>().toEqualTypeOf<{ label?: string }>();
    const listed = base
      .map(async ({ inputData }) => [inputData, inputData])
      .foreach(label, { concurrency: 2 });
    expectTypeOf<Previous<typeof listed>>().toEqualTypeOf<string[]>();
    const mapped = base.map({ fixed: { value: 3 }, from: { step: toLength, path: 'length' } });
    expectTypeOf<Previous<typeof mapped>>().toEqualTypeOf<{ fixed: number; from: unknown }>();
    const looped = base.dowhile(
      createStep({
        id: 'grow',
        inputSchema: z.object({ length: z.number() }),
        outputSchema: z.object({ length: z.number() }),
        execute: async ({ inputData }) => inputData,
      }),
      async ({ inputData }) => {
        expectTypeOf(inputData).toEqualTypeOf<{ length: number }>();
        return inputData.length < 10;
      },
    );
    expectTypeOf<Previous<ReturnType<typeof looped.sleep>>>().toEqualTypeOf<{ length: number }>();
    // @ts-expect-error foreach needs an array before it
    base.foreach(label);
  });

  it('types run inputs and results from the workflow schemas', async () => {
    const workflow = createWorkflow({ id: 'run-types', inputSchema: textOf, outputSchema: z.boolean() })
      .then(toLength)
      .then(isEven)
      .commit();
    const run = await workflow.createRun();
    const result = await run.start({ inputData: { text: 'hi' } });
    expectTypeOf(result).toEqualTypeOf<WorkflowRunResult<boolean>>();
    if (result.status === 'success') expectTypeOf(result.result).toEqualTypeOf<boolean>();
    // @ts-expect-error text must be a string
    run.start({ inputData: { text: 1 } });
  });

  it('uses nested workflows and agents as steps', () => {
    const inner = createWorkflow({
      id: 'inner',
      inputSchema: textOf,
      outputSchema: z.object({ length: z.number() }),
    })
      .then(toLength)
      .commit();
    const agentStep = createStep({ name: 'poet', generate: async () => ({ text: 'ok' }) });
    expectTypeOf(agentStep.id).toEqualTypeOf<'poet'>();
    const outer = createWorkflow({ id: 'outer', inputSchema: textOf, outputSchema: z.any() })
      .then(inner)
      .then(label)
      .map(async ({ inputData }) => ({ prompt: inputData }))
      .then(agentStep);
    expectTypeOf<Previous<typeof outer>>().toEqualTypeOf<{ text: string }>();
  });
});
