import { z } from 'zod';
import type { WorkflowSnapshotStore } from '../../src/storage/types.js';
import { createStep, createWorkflow } from '../../src/workflow/index.js';

/** Per-step milliseconds of each measured run (warm-up runs excluded). */
export interface Samples {
  engine: number[];
  handWritten: number[];
}

const value = z.object({ value: z.number() });
type Value = z.infer<typeof value>;

/** The work every step does, in both contenders. */
const work = async (input: Value): Promise<Value> => ({ value: input.value + 1 });

/**
 * Runs a `steps`-long linear workflow `runs` times on `storage`, and beside it a hand-written
 * async chain doing the same work; with `persistHandWritten` the chain also writes one snapshot
 * per step to the same storage (hand-rolled durability).
 */
export async function measureChain(options: {
  storage: WorkflowSnapshotStore;
  steps: number;
  runs: number;
  warmup: number;
  persistHandWritten: boolean;
  label: string;
}): Promise<Samples> {
  const { storage, steps, runs, warmup } = options;
  let workflow = createWorkflow({
    id: `bench-${options.label}`,
    inputSchema: value,
    outputSchema: value,
    storage,
  });
  for (let index = 0; index < steps; index++) {
    workflow = workflow.then(
      createStep({
        id: `step-${index}`,
        inputSchema: value,
        outputSchema: value,
        execute: ({ inputData }) => work(inputData),
      }),
    );
  }
  workflow.commit();

  const handWritten = async (runId: string) => {
    let current: Value = { value: 0 };
    const results: Record<string, Value> = {};
    for (let index = 0; index < steps; index++) {
      current = await work(current);
      if (options.persistHandWritten) {
        results[`step-${index}`] = current;
        await storage.saveWorkflowSnapshot({
          workflowId: `hand-${options.label}`,
          runId,
          status: index === steps - 1 ? 'success' : 'running',
          snapshot: { results },
          createdAt: 0,
          updatedAt: Date.now(),
        });
      }
    }
    if (current.value !== steps) throw new Error('hand-written chain computed the wrong value');
  };

  const samples: Samples = { engine: [], handWritten: [] };
  for (let round = 0; round < warmup + runs; round++) {
    // Alternate the contenders so drift on a shared machine hits both alike.
    let started = performance.now();
    const run = await workflow.createRun();
    const result = await run.start({ inputData: { value: 0 } });
    const engineMs = performance.now() - started;
    if (result.status !== 'success' || result.result.value !== steps)
      throw new Error(`engine run ${result.status}`);
    // Without persistence the chain takes microseconds, below the page's timer resolution:
    // time many repetitions and divide.
    const repeats = options.persistHandWritten ? 1 : 200;
    started = performance.now();
    for (let repeat = 0; repeat < repeats; repeat++) await handWritten(`hand-${round}`);
    const handMs = (performance.now() - started) / repeats;
    if (round >= warmup) {
      samples.engine.push(engineMs / steps);
      samples.handWritten.push(handMs / steps);
    }
  }
  return samples;
}

/** Nearest-rank percentile. */
export function percentileOf(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}
