import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RateLimitError, WorkflowStepError } from '../errors/index.js';
import { InMemoryStorage } from '../storage/index.js';
import { createStep } from './create-step.js';
import { createManualClock } from './manual-clock.js';
import type { WorkflowEvent } from './types.js';
import { createWorkflow } from './workflow.js';

const num = z.object({ value: z.number() });

describe('retries', () => {
  it('retries a failing step with exponential backoff, then succeeds', async () => {
    const clock = createManualClock();
    let calls = 0;
    const flaky = createStep({
      id: 'flaky',
      inputSchema: num,
      outputSchema: num,
      execute: async ({ inputData, retryCount }) => {
        calls++;
        if (retryCount < 2) throw new Error(`glitch ${retryCount}`);
        return inputData;
      },
    });
    const workflow = createWorkflow({
      id: 'retry',
      inputSchema: num,
      outputSchema: num,
      retryConfig: { attempts: 3, delay: 100 },
      clock,
      locks: null,
    })
      .then(flaky)
      .commit();
    const run = await workflow.createRun();
    const retries: WorkflowEvent[] = [];
    run.watch((event) => event.type === 'step-retry' && retries.push(event));
    const result = await run.start({ inputData: { value: 1 } });
    expect(result).toMatchObject({ status: 'success', steps: { flaky: { attempts: 3 } } });
    expect(calls).toBe(3);
    expect(clock.sleeps).toEqual([100, 200]);
    expect(retries).toMatchObject([
      { attempt: 1, delayMs: 100, error: { message: 'glitch 0' } },
      { attempt: 2, delayMs: 200, error: { message: 'glitch 1' } },
    ]);
  });

  it('fails the run after the step exhausts its own retries, preserving its error', async () => {
    const storage = new InMemoryStorage();
    const clock = createManualClock();
    let calls = 0;
    const limited = createStep({
      id: 'limited',
      inputSchema: num,
      outputSchema: num,
      retries: 2,
      execute: async () => {
        calls++;
        throw new RateLimitError('slow down', { retryAfterMs: 5 });
      },
    });
    const workflow = createWorkflow({
      id: 'exhaust',
      inputSchema: num,
      outputSchema: num,
      storage,
      clock,
      locks: null,
    })
      .then(limited)
      .commit();
    const run = await workflow.createRun({ runId: 'x' });
    const result = await run.start({ inputData: { value: 1 } });
    expect(calls).toBe(3);
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(WorkflowStepError.isInstance(result.error)).toBe(true);
    expect(result.error.message).toContain('Step "limited" failed after 3 attempts: slow down');
    expect(RateLimitError.isInstance(result.error.cause)).toBe(true);
    expect(result.steps.limited).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: { code: 'rate_limited', message: 'slow down' },
    });
    // Reloaded from storage, the error is rebuilt with the step's error in its data.
    const stored = await (await workflow.getRun('x'))?.result();
    expect(stored?.status).toBe('failed');
    if (stored?.status !== 'failed') return;
    expect(WorkflowStepError.isInstance(stored.error)).toBe(true);
    expect(stored.error.data).toMatchObject({
      stepId: 'limited',
      attempts: 3,
      error: { code: 'rate_limited' },
    });
  });
});

describe('cancel', () => {
  it('aborts the running step and does not start the next one', async () => {
    let sawAbort = false;
    let started = false;
    const after: string[] = [];
    const waits = createStep({
      id: 'waits',
      inputSchema: num,
      outputSchema: num,
      execute: ({ abortSignal }) =>
        new Promise((_, reject) => {
          started = true;
          abortSignal.addEventListener('abort', () => {
            sawAbort = true;
            reject(new Error('aborted'));
          });
        }),
    });
    const next = createStep({
      id: 'next',
      inputSchema: num,
      outputSchema: num,
      execute: async (context) => {
        after.push('next');
        return context.inputData;
      },
    });
    const workflow = createWorkflow({
      id: 'cancel',
      inputSchema: num,
      outputSchema: num,
      locks: null,
      retryConfig: { attempts: 2 },
    })
      .then(waits)
      .then(next)
      .commit();
    const run = await workflow.createRun();
    const result = run.start({ inputData: { value: 1 } });
    while (!started) await new Promise((resolve) => setTimeout(resolve, 1));
    await run.cancel();
    expect(await result).toMatchObject({ status: 'canceled' });
    expect(sawAbort).toBe(true);
    expect(after).toEqual([]);
    expect((await run.getSnapshot())?.status).toBe('canceled');
  });

  it('settles a canceled run even when the running step ignores its abortSignal', async () => {
    let started = false;
    const stubborn = createStep({
      id: 'stubborn',
      inputSchema: num,
      outputSchema: num,
      execute: () => {
        started = true;
        return new Promise(() => {});
      },
    });
    const workflow = createWorkflow({
      id: 'cancel-stubborn',
      inputSchema: num,
      outputSchema: num,
      locks: null,
    })
      .then(stubborn)
      .commit();
    const run = await workflow.createRun();
    const result = run.start({ inputData: { value: 1 } });
    while (!started) await new Promise((resolve) => setTimeout(resolve, 1));
    await run.cancel();
    expect(await result).toMatchObject({ status: 'canceled' });
    expect((await run.getSnapshot())?.status).toBe('canceled');
  });

  it('cancels a run while it sleeps', async () => {
    const clock = createManualClock({ autoAdvance: false });
    const workflow = createWorkflow({
      id: 'cancel-sleep',
      inputSchema: num,
      outputSchema: num,
      clock,
      locks: null,
    })
      .sleep(10_000)
      .commit();
    const run = await workflow.createRun();
    const events: string[] = [];
    run.watch((event) => events.push(event.type));
    const result = run.start({ inputData: { value: 1 } });
    while (!events.includes('step-waiting')) await new Promise((resolve) => setTimeout(resolve, 1));
    await run.cancel();
    expect(await result).toMatchObject({ status: 'canceled' });
  });

  it('marks a suspended run canceled in storage; it cannot be resumed afterwards', async () => {
    const workflow = createWorkflow({
      id: 'cancel-suspended',
      inputSchema: num,
      outputSchema: num,
      locks: null,
    })
      .then(
        createStep({
          id: 'gate',
          inputSchema: num,
          outputSchema: num,
          execute: async ({ suspend }) => suspend({}),
        }),
      )
      .commit();
    const run = await workflow.createRun({ runId: 'c' });
    await run.start({ inputData: { value: 1 } });
    const stored = await workflow.getRun('c');
    await stored?.cancel();
    expect(await stored?.result()).toMatchObject({ status: 'canceled' });
    await expect(stored?.resume({ resumeData: {} })).rejects.toMatchObject({ code: 'workflow_state' });
  });
});
