import type { LumosError } from '../errors/index.js';
import { deserializeError, NotFoundError, WorkflowStateError } from '../errors/index.js';
import type { WorkflowSnapshotStore } from '../storage/types.js';
import type { SpanParent, Tracer } from '../telemetry/index.js';
import { findRunnable, segmentId, type WorkflowDefinition } from './definition.js';
import { RunExecutor, snapshotRecord } from './executor.js';
import { newRunId, type RunLocks, withRunLock } from './runtime.js';
import { validate } from './schema.js';
import type { Runnable, Step } from './step.js';
import { traceWorkflowEvents } from './tracing.js';
import type { WorkflowClock, WorkflowEvent, WorkflowRunResult, WorkflowRunSnapshot } from './types.js';

/** What a run borrows from its workflow. */
export interface RunServices {
  storage: WorkflowSnapshotStore;
  clock: WorkflowClock;
  locks(): RunLocks | undefined;
  definition(): WorkflowDefinition;
  /** Watchers of every run of the workflow (`workflow.watch`). */
  watchers: Set<(event: WorkflowEvent) => void>;
  /** The workflow's tracer (`createWorkflow({ tracer })`), used when a call gives none. */
  tracer: Tracer | undefined;
}

/** Tracing options shared by `run.start()` and `run.resume()`. */
export interface WorkflowTraceOptions {
  /**
   * Emits a `workflow` span for this execution and a `workflow-step` span per step (nested,
   * with retries, suspension and errors). @default the workflow's `tracer`, else none
   */
  tracer?: Tracer;
  /** The span this execution runs inside (e.g. an agent's tool call). @default none: a new trace */
  parentSpan?: SpanParent;
}

/** Options of `run.start()`. */
export interface WorkflowStartOptions<TInput, TState> extends WorkflowTraceOptions {
  inputData: TInput;
  /** @default {} (validated by the workflow's `stateSchema` when it has one) */
  initialState?: TState;
  /** Values steps read from `requestContext`; not persisted. @default empty */
  requestContext?: Map<string, unknown>;
}

/** Options of `run.resume()`. */
export interface WorkflowResumeOptions extends WorkflowTraceOptions {
  /**
   * The suspended step: a step object, its id, its path (`nested/step`) or path segments
   * (`['nested', 'step']`). @default the only suspended step
   */
  step?: Runnable | string | string[];
  /** Validated by the step's `resumeSchema`. */
  resumeData?: unknown;
  /** @default empty */
  requestContext?: Map<string, unknown>;
}

const unfinished = new Set(['pending', 'running', 'waiting', 'suspended']);

/** One execution of a workflow, identified by `runId`; its state lives in storage. */
export class Run<TInput = unknown, TOutput = unknown, TState = unknown> {
  readonly runId: string;
  readonly workflowId: string;
  readonly resourceId: string | undefined;
  readonly #services: RunServices;
  readonly #listeners = new Set<(event: WorkflowEvent) => void>();
  #controller: AbortController | undefined;
  #execution: Promise<WorkflowRunResult<TOutput>> | undefined;

  /** Use `workflow.createRun()` or `workflow.getRun()`. */
  constructor(services: RunServices, workflowId: string, runId?: string, resourceId?: string) {
    this.#services = services;
    this.workflowId = workflowId;
    this.runId = runId ?? newRunId();
    this.resourceId = resourceId;
  }

  /**
   * Starts the run and settles when it succeeds, fails, suspends or is canceled (a failed step is a
   * `failed` result, not a rejection). Rejects with `ValidationError` when `inputData` or
   * `initialState` does not match the schemas, and with `WorkflowStateError` when the run exists.
   */
  start(options: WorkflowStartOptions<TInput, TState>): Promise<WorkflowRunResult<TOutput>> {
    return this.#execute(false, options, async () => {
      const definition = this.#services.definition();
      const existing = await this.#load();
      if (existing) {
        throw new WorkflowStateError(
          `Run "${this.runId}" of workflow "${this.workflowId}" was already started (${existing.status}).`,
          {
            hint: 'Use run.resume() to continue it, or createRun() for a new run.',
            data: { runId: this.runId, status: existing.status },
          },
        );
      }
      const input = await validate(definition.inputSchema, options.inputData, {
        what: `input of workflow "${definition.id}"`,
        data: { workflowId: definition.id, boundary: 'workflow-input' },
        hint: "Pass inputData that matches the workflow's inputSchema.",
      });
      const initialState = options.initialState ?? {};
      const state = definition.stateSchema
        ? await validate(definition.stateSchema, initialState, {
            what: `initial state of workflow "${definition.id}"`,
            data: { workflowId: definition.id, boundary: 'state' },
            hint: "Pass initialState that matches the workflow's stateSchema.",
          })
        : initialState;
      const now = this.#services.clock.now();
      const snapshot: WorkflowRunSnapshot = {
        version: 1,
        workflowId: this.workflowId,
        runId: this.runId,
        status: 'running',
        input,
        state,
        steps: {},
        decisions: {},
        loops: {},
        suspended: [],
        createdAt: now,
        updatedAt: now,
      };
      if (this.resourceId !== undefined) snapshot.resourceId = this.resourceId;
      // Stored before the first step so resumeAll() finds a run that dies inside it.
      await this.#services.storage.saveWorkflowSnapshot(snapshotRecord(snapshot));
      return snapshot;
    });
  }

  /**
   * Starts the run and returns its events as a stream (closed after `workflow-finish`) beside the
   * result promise.
   */
  stream(options: WorkflowStartOptions<TInput, TState>): {
    stream: ReadableStream<WorkflowEvent>;
    result: Promise<WorkflowRunResult<TOutput>>;
  } {
    let stop = () => {};
    let controller!: ReadableStreamDefaultController<WorkflowEvent>;
    const stream = new ReadableStream<WorkflowEvent>({
      start: (streamController) => {
        controller = streamController;
        stop = this.watch((event) => {
          streamController.enqueue(event);
          if (event.type === 'workflow-finish') {
            stop();
            streamController.close();
          }
        });
      },
      cancel: () => stop(),
    });
    const result = this.start(options);
    result.catch((error: unknown) => {
      stop();
      controller.error(error);
    });
    return { stream, result };
  }

  /** Calls `listener` with every event of this run object's executions; returns the unsubscribe function. */
  watch(listener: (event: WorkflowEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Continues the run from storage. A suspended run needs the step (unless only one is suspended)
   * and its `resumeData`; a run interrupted while `running` or `waiting` continues after its last
   * completed step. Rejects with `ValidationError` (bad resume data; the run stays suspended),
   * `NotFoundError` or `WorkflowStateError` (finished run, unknown step).
   */
  resume(options: WorkflowResumeOptions = {}): Promise<WorkflowRunResult<TOutput>> {
    return this.#execute(true, options, async () => {
      const snapshot = await this.#load();
      if (!snapshot) {
        throw new NotFoundError(`Workflow "${this.workflowId}" has no run "${this.runId}".`, {
          hint: 'Check the runId (workflow.listRuns() lists stored runs) and that the workflow uses the same storage.',
        });
      }
      if (!unfinished.has(snapshot.status)) {
        throw new WorkflowStateError(`Run "${this.runId}" already finished (${snapshot.status}).`, {
          hint: 'Only suspended or interrupted runs can be resumed.',
          data: { runId: this.runId, status: snapshot.status },
        });
      }
      if (snapshot.status !== 'suspended') {
        if (options.step !== undefined || options.resumeData !== undefined) {
          throw new WorkflowStateError(
            `Run "${this.runId}" is ${snapshot.status}, not suspended: it takes no resume data.`,
            {
              hint: 'Call resume() without arguments to continue an interrupted run.',
              data: { runId: this.runId, status: snapshot.status },
            },
          );
        }
        return snapshot;
      }
      const path = this.#suspendedPath(snapshot, options.step);
      const step = findRunnable(this.#services.definition(), path) as Step | undefined;
      const record = snapshot.steps[path];
      if (!step || !record) {
        throw new WorkflowStateError(
          `Run "${this.runId}" has no step at "${path}" in this version of the workflow.`,
          {
            hint: 'The workflow changed since the run was suspended; resume it with the version that suspended it.',
          },
        );
      }
      record.resumePayload = step.resumeSchema
        ? await validate(step.resumeSchema, options.resumeData, {
            what: `resume data of step "${step.id}"`,
            data: { stepId: step.id, path, boundary: 'resume' },
            hint: "Pass resumeData that matches the step's resumeSchema.",
          })
        : options.resumeData;
      snapshot.status = 'running';
      snapshot.suspended = snapshot.suspended.filter((entry) => entry !== path);
      snapshot.updatedAt = this.#services.clock.now();
      await this.#services.storage.saveWorkflowSnapshot(snapshotRecord(snapshot));
      return snapshot;
    });
  }

  /**
   * Cancels the run: aborts the running step's `abortSignal` and stops before the next step. A run
   * that is suspended or waiting with nothing executing is marked `canceled` in storage.
   */
  async cancel(): Promise<void> {
    if (this.#execution) {
      this.#controller?.abort();
      await this.#execution.catch(() => undefined);
      return;
    }
    await withRunLock(this, this.#services.locks(), async () => {
      const snapshot = await this.#load();
      if (!snapshot || !unfinished.has(snapshot.status)) return;
      snapshot.status = 'canceled';
      snapshot.updatedAt = this.#services.clock.now();
      await this.#services.storage.saveWorkflowSnapshot(snapshotRecord(snapshot));
    });
  }

  /**
   * The result of the execution in progress here, or of the stored run when it is finished or
   * suspended. Rejects with `WorkflowStateError` when the run is unfinished and not executing here.
   */
  async result(): Promise<WorkflowRunResult<TOutput>> {
    if (this.#execution) return this.#execution;
    const snapshot = await this.#load();
    if (!snapshot) throw new NotFoundError(`Workflow "${this.workflowId}" has no run "${this.runId}".`);
    return toResult<TOutput>(snapshot, undefined);
  }

  /** The stored snapshot (status, per-step records, state), or `undefined` before `start()`. */
  async getSnapshot(): Promise<WorkflowRunSnapshot | undefined> {
    return this.#load();
  }

  async #load(): Promise<WorkflowRunSnapshot | undefined> {
    const record = await this.#services.storage.loadWorkflowSnapshot({
      workflowId: this.workflowId,
      runId: this.runId,
    });
    return record?.snapshot as WorkflowRunSnapshot | undefined;
  }

  #suspendedPath(snapshot: WorkflowRunSnapshot, step: WorkflowResumeOptions['step']): string {
    const suspended = snapshot.suspended;
    let matches: string[];
    if (step === undefined) matches = suspended;
    else if (Array.isArray(step)) matches = suspended.filter((path) => path === step.join('/'));
    else {
      const wanted = typeof step === 'string' ? step : step.id;
      const exact = suspended.filter((path) => path === wanted);
      matches = exact.length
        ? exact
        : suspended.filter((path) => segmentId(path.split('/').at(-1) as string) === wanted);
    }
    if (matches.length !== 1) {
      throw new WorkflowStateError(
        matches.length === 0
          ? `Run "${this.runId}" has no suspended step matching ${JSON.stringify(step ?? null)}.`
          : `Run "${this.runId}" has several suspended steps matching ${JSON.stringify(step ?? null)}.`,
        { hint: `Pass step as one of: ${suspended.join(', ') || '(none)'}.`, data: { suspended } },
      );
    }
    return matches[0] as string;
  }

  #execute(
    resumed: boolean,
    options: WorkflowTraceOptions & { requestContext?: Map<string, unknown> | undefined },
    prepare: () => Promise<WorkflowRunSnapshot>,
  ): Promise<WorkflowRunResult<TOutput>> {
    const services = this.#services;
    const tracer = options.tracer ?? services.tracer;
    const trace = tracer && traceWorkflowEvents({ tracer, parent: options.parentSpan }, this.resourceId);
    const execution = withRunLock(this, services.locks(), async () => {
      const snapshot = await prepare();
      const controller = new AbortController();
      this.#controller = controller;
      const executor = new RunExecutor(services.definition(), snapshot, {
        storage: services.storage,
        clock: services.clock,
        signal: controller.signal,
        requestContext: options.requestContext ?? new Map(),
        emit: (event) => {
          trace?.onEvent(event);
          this.#emit(event);
        },
        traceContext: trace?.contextOf,
      });
      await executor.execute(resumed);
      return toResult<TOutput>(snapshot, executor.failure);
    });
    this.#execution = execution;
    const clear = () => {
      if (this.#execution === execution) {
        this.#execution = undefined;
        this.#controller = undefined;
      }
    };
    execution.then(clear, clear);
    return execution;
  }

  #emit(event: WorkflowEvent): void {
    for (const listener of [...this.#listeners, ...this.#services.watchers]) {
      try {
        listener(event);
      } catch (error) {
        // A broken watcher must not break the run; surface its error without stopping us.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

function toResult<TOutput>(
  snapshot: WorkflowRunSnapshot,
  failure: LumosError | undefined,
): WorkflowRunResult<TOutput> {
  const base = { runId: snapshot.runId, steps: snapshot.steps, state: snapshot.state };
  switch (snapshot.status) {
    case 'success':
      return { ...base, status: 'success', result: snapshot.result as TOutput };
    case 'failed':
      return {
        ...base,
        status: 'failed',
        error:
          failure ??
          deserializeError(
            snapshot.error ?? {
              name: 'InternalError',
              code: 'internal',
              message: 'unknown failure',
              data: {},
              retryable: false,
            },
          ),
      };
    case 'suspended':
      return { ...base, status: 'suspended', suspended: snapshot.suspended };
    case 'canceled':
      return { ...base, status: 'canceled' };
    default:
      throw new WorkflowStateError(`Run "${snapshot.runId}" is ${snapshot.status} but not executing here.`, {
        hint: 'Call run.resume() (or workflow.resumeAll()) to continue it.',
        data: { runId: snapshot.runId, status: snapshot.status },
      });
  }
}
