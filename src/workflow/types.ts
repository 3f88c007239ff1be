import type { LumosError, SerializedError } from '../errors/index.js';

/** Status of a run. `waiting` means sleeping until a stored wake-up time. */
export type WorkflowRunStatus =
  | 'pending'
  | 'running'
  | 'success'
  | 'failed'
  | 'suspended'
  | 'canceled'
  | 'waiting';

/** Status of one step execution inside a run. */
export type StepStatus = 'success' | 'failed' | 'suspended' | 'waiting';

/** What the snapshot keeps about one step execution, keyed by its path. */
export interface StepRecord {
  status: StepStatus;
  input?: unknown;
  output?: unknown;
  /** The step's own error, as thrown on its last attempt. */
  error?: SerializedError;
  suspendPayload?: unknown;
  /** Resume data handed to the step on its next execution. */
  resumePayload?: unknown;
  /** Epoch ms a `sleep` node wakes up at. */
  wakeAt?: number;
  /** Attempts made (1 + retries used). */
  attempts?: number;
  /** The step ended the workflow early with `bail(output)`. */
  bailed?: boolean;
  startedAt: number;
  endedAt?: number;
}

/**
 * The whole durable state of a run: everything needed to continue it in another page load or
 * worker. Stored as `WorkflowSnapshotRecord.snapshot`.
 */
export interface WorkflowRunSnapshot {
  version: 1;
  workflowId: string;
  runId: string;
  status: WorkflowRunStatus;
  input: unknown;
  state: unknown;
  /**
   * Step records by path: `step`, `nested/step`, `step#2` (loop iteration), `step[3]` (foreach item).
   * A path with a `success` record is never executed again.
   */
  steps: Record<string, StepRecord>;
  /** Branch and loop condition results by path, so a replay takes the same route. */
  decisions: Record<string, boolean>;
  /** Progress of unfinished loops by path: completed iterations and the last output. */
  loops: Record<string, { iteration: number; output: unknown }>;
  /** Paths of suspended steps. */
  suspended: string[];
  result?: unknown;
  error?: SerializedError;
  resourceId?: string;
  createdAt: number;
  updatedAt: number;
}

interface EventBase {
  runId: string;
  workflowId: string;
  /** Epoch ms. */
  at: number;
}

interface StepEventBase extends EventBase {
  /** Where the step sits in the run: matches the node ids of `workflow.serialize()` after stripping `#n`/`[n]`. */
  path: string;
  stepId: string;
}

/** Events a run emits to `watch` callbacks and `stream()` readers. Not persisted. */
export type WorkflowEvent =
  | (EventBase & { type: 'workflow-start'; input: unknown; resumed: boolean })
  | (StepEventBase & { type: 'step-start'; input: unknown; attempt: number })
  | (StepEventBase & { type: 'step-result'; status: 'success'; output: unknown })
  | (StepEventBase & { type: 'step-result'; status: 'failed'; error: SerializedError })
  | (StepEventBase & { type: 'step-retry'; attempt: number; delayMs: number; error: SerializedError })
  | (StepEventBase & { type: 'step-suspended'; suspendPayload: unknown })
  | (StepEventBase & { type: 'step-waiting'; wakeAt: number })
  | (StepEventBase & { type: 'step-output'; payload: unknown })
  | (EventBase & {
      type: 'workflow-finish';
      status: WorkflowRunStatus;
      result?: unknown;
      error?: SerializedError;
    });

interface RunResultBase {
  runId: string;
  steps: Record<string, StepRecord>;
  state: unknown;
}

/** What `run.start()` / `run.resume()` settle with. */
export type WorkflowRunResult<TOutput = unknown> =
  | (RunResultBase & { status: 'success'; result: TOutput })
  | (RunResultBase & { status: 'failed'; error: LumosError })
  | (RunResultBase & { status: 'suspended'; suspended: string[] })
  | (RunResultBase & { status: 'canceled' });

/** One row of `workflow.listRuns()`. */
export interface WorkflowRunSummary {
  runId: string;
  workflowId: string;
  status: WorkflowRunStatus;
  resourceId?: string;
  createdAt: number;
  updatedAt: number;
  snapshot: WorkflowRunSnapshot;
}

/** Lets a step send custom events (`step-output`) to watchers while it runs. */
export interface StepWriter {
  write(payload: unknown): Promise<void>;
}

/** Time and waiting, injectable so tests control retries and sleeps. */
export interface WorkflowClock {
  /** Epoch ms. @default Date.now */
  now(): number;
  /** Resolves after `ms`, rejects with `AbortedError` when `signal` fires. @default setTimeout */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}
