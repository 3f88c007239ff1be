import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../errors/index.js';
import { InMemoryStorage } from '../storage/index.js';
import type { WorkflowSnapshotStore } from '../storage/types.js';
import type * as WorkflowModule from './index.js';

const num = z.object({ value: z.number() });
const never = () => new Promise<never>(() => {});

/** A fresh copy of the module graph: what a page reload or a new worker starts from. */
async function reload(): Promise<typeof WorkflowModule> {
  vi.resetModules();
  return import('./index.js');
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error('condition not met');
}

/** a → b (hangs while `hang` holds) → c, counting executions. */
function linear(
  module: typeof WorkflowModule,
  storage: WorkflowSnapshotStore,
  counts: Record<string, number>,
  hang: () => boolean,
) {
  const counted = (id: string, wait: boolean) =>
    module.createStep({
      id,
      inputSchema: num,
      outputSchema: num,
      execute: async ({ inputData }) => {
        counts[id] = (counts[id] ?? 0) + 1;
        if (wait && hang()) await never();
        return { value: inputData.value * 10 + 1 };
      },
    });
  return module
    .createWorkflow({ id: 'linear', inputSchema: num, outputSchema: num, storage, locks: null })
    .then(counted('a', false))
    .then(counted('b', true))
    .then(counted('c', false))
    .commit();
}

describe('durability across a reload', () => {
  it('continues an interrupted run from its last completed step; finished steps do not run again', async () => {
    const storage = new InMemoryStorage();
    const counts: Record<string, number> = {};
    let hang = true;
    const before = linear(await reload(), storage, counts, () => hang);
    void (await before.createRun({ runId: 'r1' })).start({ inputData: { value: 1 } });
    await until(() => counts.b === 1);
    const stored = (await storage.loadWorkflowSnapshot({ workflowId: 'linear', runId: 'r1' }))?.snapshot as {
      status: string;
      steps: Record<string, unknown>;
    };
    expect(stored.status).toBe('running');
    expect(Object.keys(stored.steps)).toEqual(['a']);

    hang = false;
    const after = linear(await reload(), storage, counts, () => hang);
    const seen: string[] = [];
    after.watch((event) => seen.push('path' in event ? `${event.type}:${event.path}` : event.type));
    const results = await after.resumeAll();
    expect(seen).toEqual([
      'workflow-start',
      'step-start:b',
      'step-result:b',
      'step-start:c',
      'step-result:c',
      'workflow-finish',
    ]);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ runId: 'r1', status: 'success', result: { value: 1111 } });
    expect(counts).toEqual({ a: 1, b: 2, c: 1 });
    expect((await after.listRuns()).items[0]).toMatchObject({ runId: 'r1', status: 'success' });
  });

  it('getRun(id).resume() continues one interrupted run', async () => {
    const storage = new InMemoryStorage();
    const counts: Record<string, number> = {};
    let hang = true;
    const before = linear(await reload(), storage, counts, () => hang);
    void (await before.createRun({ runId: 'r2' })).start({ inputData: { value: 2 } });
    await until(() => counts.b === 1);
    hang = false;
    const after = linear(await reload(), storage, counts, () => hang);
    expect(await after.getRun('missing')).toBeUndefined();
    const run = await after.getRun('r2');
    await expect(run?.resume({ resumeData: 1 })).rejects.toMatchObject({ code: 'workflow_state' });
    expect(await run?.resume()).toMatchObject({ status: 'success', result: { value: 2111 } });
    expect(counts).toEqual({ a: 1, b: 2, c: 1 });
    await expect(run?.resume()).rejects.toMatchObject({ code: 'workflow_state' });
  });

  it('re-runs only the unfinished items of a foreach', async () => {
    const storage = new InMemoryStorage();
    const runsPerItem: number[] = [0, 0, 0, 0, 0];
    let hang = true;
    const build = (module: typeof WorkflowModule) =>
      module
        .createWorkflow({
          id: 'items',
          inputSchema: z.array(z.number()),
          outputSchema: z.array(z.number()),
          storage,
          locks: null,
        })
        .foreach(
          module.createStep({
            id: 'item',
            inputSchema: z.number(),
            outputSchema: z.number(),
            execute: async ({ inputData }) => {
              runsPerItem[inputData] = (runsPerItem[inputData] ?? 0) + 1;
              if (inputData === 3 && hang) await never();
              return inputData * 2;
            },
          }),
          { concurrency: 2 },
        )
        .commit();
    void (await build(await reload()).createRun({ runId: 'f' })).start({ inputData: [0, 1, 2, 3, 4] });
    await until(() => runsPerItem[4] === 1 && runsPerItem[3] === 1);
    await until(async () => {
      const record = await storage.loadWorkflowSnapshot({ workflowId: 'items', runId: 'f' });
      return Boolean((record?.snapshot as { steps: Record<string, unknown> } | undefined)?.steps['item[4]']);
    });
    hang = false;
    const [result] = await build(await reload()).resumeAll();
    expect(result).toMatchObject({ status: 'success', result: [0, 2, 4, 6, 8] });
    expect(runsPerItem).toEqual([1, 1, 1, 2, 1]);
  });

  it('replays loop conditions from the snapshot instead of evaluating them again', async () => {
    const storage = new InMemoryStorage();
    let conditionCalls = 0;
    let stepCalls = 0;
    let hang = true;
    const build = (module: typeof WorkflowModule) => {
      const grow = module.createStep({
        id: 'grow',
        inputSchema: num,
        outputSchema: num,
        execute: async ({ inputData }) => {
          stepCalls++;
          if (inputData.value === 4 && hang) await never();
          return { value: inputData.value + 1 };
        },
      });
      const belowSix = async ({ inputData }: { inputData: { value: number } }) => {
        conditionCalls++;
        return inputData.value < 6;
      };
      return module
        .createWorkflow({ id: 'loop', inputSchema: num, outputSchema: num, storage, locks: null })
        .dowhile(grow, belowSix)
        .commit();
    };
    void (await build(await reload()).createRun({ runId: 'l' })).start({ inputData: { value: 1 } });
    await until(() => stepCalls === 4);
    expect(conditionCalls).toBe(3);
    hang = false;
    const [result] = await build(await reload()).resumeAll();
    expect(result).toMatchObject({ status: 'success', result: { value: 6 } });
    expect(stepCalls).toBe(6);
    // Decisions ride along with the next step's write: the two persisted ones (iterations 0, 1) are
    // replayed; the one taken just before the crash is evaluated again, then iterations 3 and 4.
    expect(conditionCalls).toBe(6);
  });

  it('a sleep keeps its stored wake-up time across a reload', async () => {
    const storage = new InMemoryStorage();
    const counts: Record<string, number> = {};
    const build = (module: typeof WorkflowModule, clock: WorkflowModule.WorkflowClock) =>
      module
        .createWorkflow({ id: 'nap', inputSchema: num, outputSchema: num, storage, clock, locks: null })
        .then(
          module.createStep({
            id: 'a',
            inputSchema: num,
            outputSchema: num,
            execute: async ({ inputData }) => {
              counts.a = (counts.a ?? 0) + 1;
              return inputData;
            },
          }),
        )
        .sleep(1_000, { id: 'nap' })
        .commit();
    const first = await reload();
    void (
      await build(first, first.createManualClock({ autoAdvance: false })).createRun({ runId: 's' })
    ).start({
      inputData: { value: 1 },
    });
    await until(
      async () =>
        (await storage.loadWorkflowSnapshot({ workflowId: 'nap', runId: 's' }))?.status === 'waiting',
    );
    const second = await reload();
    const laterClock = second.createManualClock({ start: 600 });
    const [result] = await build(second, laterClock).resumeAll();
    expect(result).toMatchObject({ status: 'success', result: { value: 1 } });
    expect(laterClock.sleeps).toEqual([400]);
    expect(counts.a).toBe(1);
  });

  it('refuses to execute the same run twice at once', async () => {
    const storage = new InMemoryStorage();
    const counts: Record<string, number> = {};
    let hang = true;
    const module = await reload();
    const workflow = linear(module, storage, counts, () => hang);
    const run = await workflow.createRun({ runId: 'busy' });
    void run.start({ inputData: { value: 1 } });
    await until(() => counts.b === 1);
    const again = await workflow.getRun('busy');
    await expect(again?.resume()).rejects.toMatchObject({ code: 'conflict' });
    expect(await workflow.resumeAll()).toEqual([]);
    hang = false;
  });

  it('honours a cross-context lock held elsewhere (Web Locks shape)', async () => {
    const module = await reload();
    const heldElsewhere: WorkflowModule.RunLocks = {
      request: async (_name, _options, callback) => callback(null),
    };
    const workflow = module
      .createWorkflow({ id: 'locked', inputSchema: num, outputSchema: num, locks: heldElsewhere })
      .then(
        module.createStep({
          id: 'a',
          inputSchema: num,
          outputSchema: num,
          execute: async ({ inputData }) => inputData,
        }),
      )
      .commit();
    const run = await workflow.createRun();
    await expect(run.start({ inputData: { value: 1 } })).rejects.toMatchObject({ code: 'conflict' });
    await expect(run.cancel()).rejects.toMatchObject({ code: 'conflict' });
  });

  it('lists runs newest first, paged', async () => {
    const module = await reload();
    const clock = module.createManualClock({ start: 10 });
    const workflow = module
      .createWorkflow({ id: 'paged', inputSchema: num, outputSchema: num, clock, locks: null })
      .then(
        module.createStep({
          id: 'a',
          inputSchema: num,
          outputSchema: num,
          execute: async ({ inputData }) => inputData,
        }),
      )
      .commit();
    for (const runId of ['one', 'two', 'three']) {
      await (await workflow.createRun({ runId })).start({ inputData: { value: 1 } });
      clock.advance(5);
    }
    const first = await workflow.listRuns({ limit: 2 });
    expect(first.items.map((item) => item.runId)).toEqual(['three', 'two']);
    expect(first).toMatchObject({ total: 3, hasMore: true });
    const second = await workflow.listRuns({ limit: 2, offset: 2 });
    expect(second.items.map((item) => item.runId)).toEqual(['one']);
    expect(second.hasMore).toBe(false);
  });
});

describe('suspend and resume', () => {
  const approvalParts = (module: typeof WorkflowModule, counts: Record<string, number>) => {
    const prepare = module.createStep({
      id: 'prepare',
      inputSchema: num,
      outputSchema: num,
      execute: async ({ inputData }) => {
        counts.prepare = (counts.prepare ?? 0) + 1;
        return inputData;
      },
    });
    const approve = module.createStep({
      id: 'approve',
      inputSchema: num,
      outputSchema: z.object({ value: z.number(), approvedBy: z.string() }),
      suspendSchema: z.object({ reason: z.string() }),
      resumeSchema: z.object({ approvedBy: z.string() }),
      execute: async ({ inputData, resumeData, suspend }) => {
        counts.approve = (counts.approve ?? 0) + 1;
        if (!resumeData) return suspend({ reason: `approve ${inputData.value}?` });
        return { value: inputData.value, approvedBy: resumeData.approvedBy };
      },
    });
    return { prepare, approve };
  };

  it('suspends with a validated payload, holds only storage, and resumes with validated data', async () => {
    const storage = new InMemoryStorage();
    const counts: Record<string, number> = {};
    const build = (module: typeof WorkflowModule) => {
      const { prepare, approve } = approvalParts(module, counts);
      return module
        .createWorkflow({ id: 'approval', inputSchema: num, outputSchema: z.any(), storage, locks: null })
        .then(prepare)
        .then(approve)
        .commit();
    };
    const run = await build(await reload()).createRun({ runId: 'p' });
    const suspended = await run.start({ inputData: { value: 7 } });
    expect(suspended).toMatchObject({ status: 'suspended', suspended: ['approve'] });
    expect(suspended.steps.approve).toMatchObject({
      status: 'suspended',
      suspendPayload: { reason: 'approve 7?' },
    });

    // Days later, in another page: only storage is left.
    const later = build(await reload());
    expect(await later.resumeAll()).toEqual([]);
    const stored = await later.getRun('p');
    await expect(stored?.resume({ step: 'approve', resumeData: { approvedBy: 42 } })).rejects.toThrow(
      /resume data of step "approve"/,
    );
    expect((await stored?.getSnapshot())?.status).toBe('suspended');
    await expect(stored?.resume({ step: 'nope', resumeData: {} })).rejects.toMatchObject({
      code: 'workflow_state',
    });
    const done = await stored?.resume({ step: 'approve', resumeData: { approvedBy: 'ada' } });
    expect(done).toMatchObject({ status: 'success', result: { value: 7, approvedBy: 'ada' } });
    expect(counts).toEqual({ prepare: 1, approve: 2 });
  });

  it('fails the run when the suspend payload does not match suspendSchema', async () => {
    const module = await reload();
    const workflow = module
      .createWorkflow({ id: 'bad-suspend', inputSchema: num, outputSchema: num, locks: null })
      .then(
        module.createStep({
          id: 'wait',
          inputSchema: num,
          outputSchema: num,
          suspendSchema: z.object({ reason: z.string() }),
          execute: async ({ suspend }) => suspend({ reason: 5 } as never),
        }),
      )
      .commit();
    const result = await (await workflow.createRun()).start({ inputData: { value: 1 } });
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(ValidationError.isInstance(result.error.cause)).toBe(true);
    expect(result.error.code).toBe('workflow_step');
    expect(result.error.message).toContain('suspend payload of step "wait"');
  });

  it('resumes a step suspended inside a nested workflow by its path', async () => {
    const module = await reload();
    const counts: Record<string, number> = {};
    const { prepare, approve } = approvalParts(module, counts);
    const inner = module
      .createWorkflow({ id: 'inner', inputSchema: num, outputSchema: z.any() })
      .then(approve)
      .commit();
    const workflow = module
      .createWorkflow({ id: 'outer', inputSchema: num, outputSchema: z.any(), locks: null })
      .then(prepare)
      .then(inner)
      .commit();
    const run = await workflow.createRun();
    expect(await run.start({ inputData: { value: 3 } })).toMatchObject({
      status: 'suspended',
      suspended: ['inner/approve'],
    });
    const done = await run.resume({ step: ['inner', 'approve'], resumeData: { approvedBy: 'bo' } });
    expect(done).toMatchObject({ status: 'success', result: { value: 3, approvedBy: 'bo' } });
  });

  it('keeps the run suspended until every suspended parallel step is resumed', async () => {
    const module = await reload();
    const gate = (id: string) =>
      module.createStep({
        id,
        inputSchema: num,
        outputSchema: z.string(),
        resumeSchema: z.string(),
        execute: async ({ resumeData, suspend }) => resumeData ?? suspend(undefined),
      });
    const workflow = module
      .createWorkflow({ id: 'gates', inputSchema: num, outputSchema: z.any(), locks: null })
      .parallel([gate('left'), gate('right')])
      .commit();
    const run = await workflow.createRun();
    expect(await run.start({ inputData: { value: 1 } })).toMatchObject({ suspended: ['left', 'right'] });
    await expect(run.resume({ resumeData: 'x' })).rejects.toThrow(/several suspended steps/);
    expect(await run.resume({ step: 'left', resumeData: 'L' })).toMatchObject({
      status: 'suspended',
      suspended: ['right'],
    });
    expect(await run.resume({ step: 'right', resumeData: 'R' })).toMatchObject({
      status: 'success',
      result: { left: 'L', right: 'R' },
    });
  });

  it('resumes one suspended foreach item by its path; finished items do not run again', async () => {
    const module = await reload();
    const runs: number[] = [0, 0, 0];
    const workflow = module
      .createWorkflow({
        id: 'review-items',
        inputSchema: z.array(z.number()),
        outputSchema: z.any(),
        locks: null,
      })
      .foreach(
        module.createStep({
          id: 'review',
          inputSchema: z.number(),
          outputSchema: z.string(),
          resumeSchema: z.string(),
          execute: async ({ inputData, resumeData, suspend }) => {
            runs[inputData] = (runs[inputData] ?? 0) + 1;
            if (inputData === 1 && !resumeData) return suspend({ item: inputData });
            return resumeData ?? `auto ${inputData}`;
          },
        }),
        { concurrency: 3 },
      )
      .commit();
    const run = await workflow.createRun();
    expect(await run.start({ inputData: [0, 1, 2] })).toMatchObject({
      status: 'suspended',
      suspended: ['review[1]'],
    });
    expect(await run.resume({ step: 'review', resumeData: 'checked' })).toMatchObject({
      status: 'success',
      result: ['auto 0', 'checked', 'auto 2'],
    });
    expect(runs).toEqual([1, 2, 1]);
  });

  it('takes the stored branch after a reload even when the condition would now choose otherwise', async () => {
    const storage = new InMemoryStorage();
    const counts: Record<string, number> = {};
    let flag = true;
    let hang = true;
    const build = (module: typeof WorkflowModule) => {
      const step = (id: string) =>
        module.createStep({
          id,
          inputSchema: num,
          outputSchema: num,
          execute: async ({ inputData }) => {
            counts[id] = (counts[id] ?? 0) + 1;
            return inputData;
          },
        });
      const flagIsSet = async () => flag;
      const flagIsClear = async () => !flag;
      return module
        .createWorkflow({ id: 'route', inputSchema: num, outputSchema: z.any(), storage, locks: null })
        .branch([
          [flagIsSet, step('when-set')],
          [flagIsClear, step('when-clear')],
        ])
        .then(
          module.createStep({
            id: 'after',
            inputSchema: z.any(),
            outputSchema: z.any(),
            execute: async ({ inputData }) => {
              counts.after = (counts.after ?? 0) + 1;
              if (hang) await never();
              return inputData;
            },
          }),
        )
        .commit();
    };
    void (await build(await reload()).createRun({ runId: 'b' })).start({ inputData: { value: 1 } });
    await until(() => counts.after === 1);
    hang = false;
    flag = false;
    const [result] = await build(await reload()).resumeAll();
    expect(result).toMatchObject({ status: 'success', result: { 'when-set': { value: 1 } } });
    expect(counts).toEqual({ 'when-set': 1, after: 2 });
  });

  it('resumes a step suspended inside a loop iteration', async () => {
    const module = await reload();
    const storage = new InMemoryStorage();
    const build = (target: typeof module) =>
      target
        .createWorkflow({ id: 'loop-approval', inputSchema: num, outputSchema: num, storage, locks: null })
        .dountil(
          target.createStep({
            id: 'tick',
            inputSchema: num,
            outputSchema: num,
            resumeSchema: z.object({ add: z.number() }),
            execute: async ({ inputData, resumeData, suspend }) => {
              if (inputData.value === 2 && !resumeData) return suspend({ at: inputData.value });
              return { value: inputData.value + (resumeData?.add ?? 1) };
            },
          }),
          async ({ inputData }) => inputData.value >= 10,
        )
        .commit();
    const run = await build(module).createRun({ runId: 'tick' });
    expect(await run.start({ inputData: { value: 0 } })).toMatchObject({
      status: 'suspended',
      suspended: ['tick#2'],
    });
    const later = await build(await reload()).getRun('tick');
    expect(await later?.resume({ resumeData: { add: 5 } })).toMatchObject({
      status: 'success',
      result: { value: 10 },
    });
    expect(Object.keys((await later?.getSnapshot())?.steps ?? {})).toEqual(['tick']);
  });
});
