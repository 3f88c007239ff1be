// biome-ignore-all lint/suspicious/noExplicitAny: `Step`'s defaults must accept any step (its type parameters sit in both variances).
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { SpanContext } from '../telemetry/types.js';
import type { SchemaOutput } from './schema.js';
import type { StepWriter } from './types.js';

/** Anything a workflow can run at one position: a step or a committed workflow. */
export interface Runnable<TId extends string = string> {
  readonly id: TId;
  readonly description?: string | undefined;
  readonly inputSchema: StandardSchemaV1;
  readonly outputSchema: StandardSchemaV1;
}

/** The value a runnable works on (its input schema's output; what the previous node must produce). */
export type RunnableInput<TRunnable> = TRunnable extends { inputSchema: infer S } ? SchemaOutput<S> : never;
/** The value a runnable produces. */
export type RunnableOutput<TRunnable> = TRunnable extends { outputSchema: infer S } ? SchemaOutput<S> : never;

/** Reads the output of an earlier step of the same run. */
export interface GetStepResult {
  <TRunnable extends Runnable>(step: TRunnable): RunnableOutput<TRunnable> | undefined;
  (stepId: string): unknown;
}

/** What `execute` receives. */
export interface StepExecuteContext<
  TInput = unknown,
  TResume = unknown,
  TSuspend = unknown,
  TState = unknown,
> {
  runId: string;
  workflowId: string;
  stepId: string;
  /** Where this execution sits in the run (`nested/step`, `step#2`, `step[0]`). */
  path: string;
  /** The validated input. */
  inputData: TInput;
  /** Set (and validated by `resumeSchema`) when the run is resumed at this step. */
  resumeData: TResume | undefined;
  /** The run state as this step started. */
  state: TState;
  /** Replaces the run state (validated by the state schema); persisted with the step's snapshot. */
  setState(state: TState): Promise<void>;
  getStepResult: GetStepResult;
  /** The input of the (innermost) workflow this step runs in. */
  getInitData<T = unknown>(): T;
  /**
   * Ends the step as suspended with `payload` (validated by `suspendSchema`). The run stops after
   * the other running branches settle and waits, in storage only, for `run.resume()`.
   */
  suspend(payload: TSuspend): Promise<never>;
  /** Ends the workflow now, successfully, with `result` as its output. */
  bail(result: unknown): never;
  /** Fires when the run is canceled. */
  abortSignal: AbortSignal;
  /** Sends `step-output` events to watchers. */
  writer: StepWriter;
  /** 0 on the first attempt. */
  retryCount: number;
  /** Per-call values given to `start`/`resume` (not persisted). */
  requestContext: Map<string, unknown>;
  /**
   * The serialisable context of this step's span when the run is traced: pass it as `parent`
   * (or an agent's `parentSpan`) so work the step starts nests under it. @default undefined
   */
  traceContext?: SpanContext | undefined;
}

/** A unit of work with typed, validated input and output. */
export interface Step<
  TId extends string = string,
  TInput = any,
  TOutput = any,
  TResume = any,
  TSuspend = any,
  TState = any,
> extends Runnable<TId> {
  readonly inputSchema: StandardSchemaV1<unknown, TInput>;
  readonly outputSchema: StandardSchemaV1<unknown, TOutput>;
  readonly resumeSchema?: StandardSchemaV1<unknown, TResume> | undefined;
  readonly suspendSchema?: StandardSchemaV1<unknown, TSuspend> | undefined;
  readonly stateSchema?: StandardSchemaV1<unknown, TState> | undefined;
  /** Extra attempts after a failure; overrides the workflow's `retryConfig.attempts`. */
  readonly retries?: number | undefined;
  execute(context: StepExecuteContext<TInput, TResume, TSuspend, TState>): Promise<TOutput>;
}
