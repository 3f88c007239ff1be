import type { GetStepResult, Runnable } from './step.js';

/** What conditions, `map` functions and dynamic sleeps receive. */
export interface FlowContext<TInput = unknown, TState = unknown> {
  runId: string;
  workflowId: string;
  /** The previous node's output (for loop conditions: the loop step's latest output). */
  inputData: TInput;
  state: TState;
  getStepResult: GetStepResult;
  getInitData<T = unknown>(): T;
  /** Completed iterations, for loop conditions; 0 elsewhere. */
  iterationCount: number;
}

/**
 * A branch or loop condition. Its function name is what `serialize()` shows, so prefer named
 * functions (`const isLarge = async (…) => …`). The result is stored, so a replay takes the same route.
 */
// biome-ignore lint/suspicious/noExplicitAny: the default accepts conditions written for any input.
export type Condition<TInput = any, TState = any> = (
  context: FlowContext<TInput, TState>,
) => Promise<boolean>;

/** Where a `map` field comes from. */
export type MappingSource =
  | { step: Runnable; path: string }
  | { initData: true; path: string }
  | { value: unknown };

/** One position in a workflow's flow. */
export type FlowNode =
  | { type: 'step'; id: string; step: Runnable }
  | { type: 'parallel'; id: string; steps: Runnable[] }
  | { type: 'branch'; id: string; branches: { condition: Condition; name: string; step: Runnable }[] }
  | {
      type: 'loop';
      id: string;
      mode: 'dowhile' | 'dountil';
      step: Runnable;
      condition: Condition;
      conditionName: string;
    }
  | { type: 'foreach'; id: string; step: Runnable; concurrency: number }
  | {
      type: 'map';
      id: string;
      mapping: ((context: FlowContext) => Promise<unknown>) | Record<string, MappingSource>;
    }
  | { type: 'sleep'; id: string; duration: number | ((context: FlowContext) => Promise<number>) }
  | { type: 'sleepUntil'; id: string; date: Date | ((context: FlowContext) => Promise<Date>) };

/** The display name of a condition: its function name, or its position. */
export function conditionName(condition: Condition, fallback: string): string {
  return condition.name && condition.name !== 'anonymous' ? condition.name : fallback;
}

/** Reads `a.b.c` out of a value; `''` or `.` is the value itself. */
export function readPath(value: unknown, path: string): unknown {
  if (path === '' || path === '.') return value;
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
