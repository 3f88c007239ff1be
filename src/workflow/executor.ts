import {
  AbortedError,
  deserializeError,
  LumosError,
  serializeError,
  ValidationError,
  WorkflowStepError,
} from '../errors/index.js';
import type { WorkflowSnapshotRecord, WorkflowSnapshotStore } from '../storage/types.js';
import type { SpanContext } from '../telemetry/types.js';
import { definitionOf, type WorkflowDefinition } from './definition.js';
import { type FlowContext, type FlowNode, readPath } from './graph.js';
import { validate } from './schema.js';
import type { GetStepResult, Runnable, Step, StepExecuteContext } from './step.js';
import type { StepRecord, WorkflowClock, WorkflowEvent, WorkflowRunSnapshot } from './types.js';

type Outcome = { suspended: false; output: unknown } | { suspended: true };

/** The scope a flow runs in: the workflow (root or nested), its path prefix and its input. */
interface Scope {
  definition: WorkflowDefinition;
  prefix: string;
  initData: unknown;
}

class SuspendSignal extends Error {}
class BailSignal extends Error {
  constructor(
    readonly scope: Scope,
    readonly value: unknown,
  ) {
    super('bail');
  }
}
class CancelSignal extends Error {}

/**
 * Settles like `promise`, or rejects with `CancelSignal` as soon as `signal` fires, so a step that
 * ignores its `abortSignal` cannot keep a canceled run alive (its promise is abandoned).
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new CancelSignal());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelSignal());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

type EventInput = WorkflowEvent extends infer E
  ? E extends WorkflowEvent
    ? Omit<E, 'runId' | 'workflowId' | 'at'>
    : never
  : never;

/** The storage record of a snapshot. */
export function snapshotRecord(snapshot: WorkflowRunSnapshot): WorkflowSnapshotRecord {
  const record: WorkflowSnapshotRecord = {
    workflowId: snapshot.workflowId,
    runId: snapshot.runId,
    status: snapshot.status,
    snapshot,
    createdAt: snapshot.createdAt,
    updatedAt: snapshot.updatedAt,
  };
  if (snapshot.resourceId !== undefined) record.resourceId = snapshot.resourceId;
  return record;
}

/** What one execution of a run needs from outside. */
export interface ExecutorServices {
  storage: WorkflowSnapshotStore;
  clock: WorkflowClock;
  signal: AbortSignal;
  emit(event: WorkflowEvent): void;
  requestContext: Map<string, unknown>;
  /** The context of a step's span by path, when the run is traced. */
  traceContext?: ((path: string) => SpanContext | undefined) | undefined;
}

/**
 * Executes a run by replaying its flow against the snapshot: a path whose record is `success` is
 * not executed again (its stored output is used), stored condition results pick the same route, and
 * the snapshot is written through the port after every step.
 */
export class RunExecutor {
  /** The live error of a failed run (the stored one is serialised). */
  failure: LumosError | undefined;
  #tail: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;

  constructor(
    private readonly root: WorkflowDefinition,
    readonly snapshot: WorkflowRunSnapshot,
    private readonly services: ExecutorServices,
  ) {}

  /** Runs until the run succeeds, fails, suspends or is canceled; the final snapshot is stored. */
  async execute(resumed: boolean): Promise<void> {
    const snapshot = this.snapshot;
    snapshot.status = 'running';
    this.emit({ type: 'workflow-start', input: snapshot.input, resumed });
    try {
      const outcome = await this.runWorkflow(this.root, snapshot.input, '');
      if (outcome.suspended) {
        snapshot.status = 'suspended';
        snapshot.suspended = Object.entries(snapshot.steps)
          .filter(([, record]) => record.status === 'suspended')
          .map(([path]) => path);
      } else {
        snapshot.status = 'success';
        snapshot.result = outcome.output;
        snapshot.suspended = [];
      }
    } catch (error) {
      if (error instanceof CancelSignal || this.services.signal.aborted) {
        snapshot.status = 'canceled';
      } else {
        const failure = LumosError.isInstance(error) ? error : deserializeError(serializeError(error));
        this.failure = failure;
        snapshot.status = 'failed';
        snapshot.error = serializeError(failure);
      }
    }
    await this.persist();
    const finish: EventInput = { type: 'workflow-finish', status: snapshot.status };
    if (snapshot.status === 'success') finish.result = snapshot.result;
    if (snapshot.error && snapshot.status === 'failed') finish.error = snapshot.error;
    this.emit(finish);
  }

  /** Writes the snapshot; calls made while a write is in flight share the next write. */
  persist(): Promise<void> {
    if (this.#queued) return this.#queued;
    const next = this.#tail.then(() => {
      this.#queued = undefined;
      this.snapshot.updatedAt = this.services.clock.now();
      return this.services.storage.saveWorkflowSnapshot(snapshotRecord(this.snapshot));
    });
    this.#queued = next;
    this.#tail = next.catch(() => undefined);
    return next;
  }

  private emit(event: EventInput): void {
    const { runId, workflowId } = this.snapshot;
    this.services.emit({ ...event, runId, workflowId, at: this.services.clock.now() } as WorkflowEvent);
  }

  private checkCanceled(): void {
    if (this.services.signal.aborted) throw new CancelSignal();
  }

  private async runWorkflow(
    definition: WorkflowDefinition,
    input: unknown,
    prefix: string,
  ): Promise<Outcome> {
    const scope: Scope = { definition, prefix, initData: input };
    let value = input;
    try {
      for (const node of definition.flow) {
        this.checkCanceled();
        const outcome = await this.runNode(node, value, scope);
        if (outcome.suspended) return outcome;
        value = outcome.output;
      }
    } catch (error) {
      if (error instanceof BailSignal && error.scope === scope)
        return { suspended: false, output: error.value };
      throw error;
    }
    const output = await validate(definition.outputSchema, value, {
      what: `output of workflow "${definition.id}"`,
      data: { workflowId: definition.id, path: prefix, boundary: 'workflow-output' },
      hint: "Make the last step (or a final .map()) return what the workflow's outputSchema describes.",
    });
    return { suspended: false, output };
  }

  private runNode(node: FlowNode, input: unknown, scope: Scope): Promise<Outcome> {
    switch (node.type) {
      case 'step':
        return this.runRunnable(node.step, input, scope.prefix + node.step.id, scope);
      case 'parallel':
        return this.runGroup(node.steps, input, scope);
      case 'branch':
        return this.runBranch(node, input, scope);
      case 'loop':
        return this.runLoop(node, input, scope);
      case 'foreach':
        return this.runForeach(node, input, scope);
      case 'map':
        return this.runMap(node, input, scope);
      case 'sleep':
      case 'sleepUntil':
        return this.runSleep(node, input, scope);
    }
  }

  /** Runs steps side by side; output `{ [stepId]: output }` of those that ran. */
  private async runGroup(steps: Runnable[], input: unknown, scope: Scope): Promise<Outcome> {
    const settled = await Promise.allSettled(
      steps.map((step) => this.runRunnable(step, input, scope.prefix + step.id, scope)),
    );
    const rejected = settled.find((result) => result.status === 'rejected');
    if (rejected) throw rejected.reason;
    const outcomes = settled.map((result) => (result as PromiseFulfilledResult<Outcome>).value);
    if (outcomes.some((outcome) => outcome.suspended)) return { suspended: true };
    const output: Record<string, unknown> = {};
    steps.forEach((step, index) => {
      output[step.id] = (outcomes[index] as { output: unknown }).output;
    });
    return { suspended: false, output };
  }

  private async runBranch(
    node: Extract<FlowNode, { type: 'branch' }>,
    input: unknown,
    scope: Scope,
  ): Promise<Outcome> {
    const chosen: Runnable[] = [];
    for (const [index, branch] of node.branches.entries()) {
      const key = `${scope.prefix}${node.id}:${index}`;
      if (await this.decide(key, branch.name, () => branch.condition(this.flowContext(scope, input, 0)))) {
        chosen.push(branch.step);
      }
    }
    return this.runGroup(chosen, input, scope);
  }

  private async runLoop(
    node: Extract<FlowNode, { type: 'loop' }>,
    input: unknown,
    scope: Scope,
  ): Promise<Outcome> {
    const path = scope.prefix + node.step.id;
    const done = this.snapshot.steps[path];
    if (done?.status === 'success') return { suspended: false, output: done.output };
    const loops = this.snapshot.loops;
    // Completed iterations live only in `loops[path]` (count + last output), so a loop that runs
    // for days keeps a snapshot of constant size.
    let iteration = loops[path]?.iteration ?? 0;
    let value = loops[path] ? loops[path].output : input;
    for (;;) {
      if (iteration > 0) {
        const completed = iteration;
        const verdict = await this.decide(
          `${scope.prefix}${node.id}#${completed - 1}`,
          node.conditionName,
          () => node.condition(this.flowContext(scope, value, completed)),
        );
        if (node.mode === 'dowhile' ? !verdict : verdict) break;
      }
      this.checkCanceled();
      const outcome = await this.runRunnable(node.step, value, `${path}#${iteration}`, scope);
      if (outcome.suspended) return outcome;
      value = outcome.output;
      this.forget(`${path}#${iteration}`);
      if (iteration > 0) delete this.snapshot.decisions[`${scope.prefix}${node.id}#${iteration - 1}`];
      iteration++;
      loops[path] = { iteration, output: value };
    }
    delete loops[path];
    this.record(path, { status: 'success', input, output: value, startedAt: this.services.clock.now() });
    return { suspended: false, output: value };
  }

  /** Drops the records of `path` and everything nested under it. */
  private forget(path: string): void {
    const steps = this.snapshot.steps;
    for (const key of Object.keys(steps)) {
      if (key === path || key.startsWith(`${path}/`)) delete steps[key];
    }
  }

  private async runForeach(
    node: Extract<FlowNode, { type: 'foreach' }>,
    input: unknown,
    scope: Scope,
  ): Promise<Outcome> {
    const path = scope.prefix + node.step.id;
    const done = this.snapshot.steps[path];
    if (done?.status === 'success') return { suspended: false, output: done.output };
    if (!Array.isArray(input)) {
      throw new ValidationError(`The input of foreach step "${node.step.id}" is not an array.`, {
        hint: 'Make the previous step return an array (or add a .map() that returns one).',
        data: { stepId: node.step.id, path, workflowId: scope.definition.id, boundary: 'input' },
      });
    }
    const items = input;
    const outputs = new Array<unknown>(items.length);
    let next = 0;
    let failure: { error: unknown } | undefined;
    let suspended = false;
    const lane = async () => {
      while (next < items.length && !failure) {
        const index = next++;
        try {
          const outcome = await this.runRunnable(node.step, items[index], `${path}[${index}]`, scope);
          if (outcome.suspended) suspended = true;
          else outputs[index] = outcome.output;
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(node.concurrency, items.length) }, lane));
    if (failure) throw failure.error;
    if (suspended) return { suspended: true };
    this.record(path, { status: 'success', input, output: outputs, startedAt: this.services.clock.now() });
    return { suspended: false, output: outputs };
  }

  private async runMap(
    node: Extract<FlowNode, { type: 'map' }>,
    input: unknown,
    scope: Scope,
  ): Promise<Outcome> {
    const path = scope.prefix + node.id;
    const done = this.snapshot.steps[path];
    if (done?.status === 'success') return { suspended: false, output: done.output };
    const startedAt = this.services.clock.now();
    this.emit({ type: 'step-start', path, stepId: node.id, input, attempt: 0 });
    let output: unknown;
    try {
      if (typeof node.mapping === 'function') {
        output = await node.mapping(this.flowContext(scope, input, 0));
      } else {
        const mapped: Record<string, unknown> = {};
        for (const [key, source] of Object.entries(node.mapping)) {
          if ('value' in source) mapped[key] = source.value;
          else if ('initData' in source) mapped[key] = readPath(scope.initData, source.path);
          else mapped[key] = readPath(this.stepOutput(scope, source.step.id), source.path);
        }
        output = mapped;
      }
    } catch (error) {
      throw this.nodeFailure(node.id, path, scope, error, 'map');
    }
    // A map is cheap and deterministic: its record rides along with the next step's write.
    this.record(path, { status: 'success', input, output, startedAt, endedAt: this.services.clock.now() });
    this.emit({ type: 'step-result', path, stepId: node.id, status: 'success', output });
    return { suspended: false, output };
  }

  private async runSleep(
    node: Extract<FlowNode, { type: 'sleep' | 'sleepUntil' }>,
    input: unknown,
    scope: Scope,
  ): Promise<Outcome> {
    const path = scope.prefix + node.id;
    const existing = this.snapshot.steps[path];
    if (existing?.status === 'success') return { suspended: false, output: input };
    const clock = this.services.clock;
    let wakeAt = existing?.status === 'waiting' ? existing.wakeAt : undefined;
    if (wakeAt === undefined) {
      try {
        const context = this.flowContext(scope, input, 0);
        wakeAt =
          node.type === 'sleep'
            ? clock.now() + (typeof node.duration === 'number' ? node.duration : await node.duration(context))
            : (node.date instanceof Date ? node.date : await node.date(context)).getTime();
      } catch (error) {
        throw this.nodeFailure(node.id, path, scope, error, node.type);
      }
      this.record(path, { status: 'waiting', input, wakeAt, startedAt: clock.now() });
      this.snapshot.status = 'waiting';
      await this.persist();
    }
    // Resumed mid-sleep: the stored status is already `waiting`; keep the live one in step.
    this.snapshot.status = 'waiting';
    this.emit({ type: 'step-waiting', path, stepId: node.id, wakeAt });
    try {
      await clock.sleep(Math.max(0, wakeAt - clock.now()), this.services.signal);
    } catch (error) {
      if (this.services.signal.aborted) throw new CancelSignal();
      throw error;
    }
    const startedAt = existing?.startedAt ?? clock.now();
    this.record(path, { status: 'success', input, output: input, wakeAt, startedAt, endedAt: clock.now() });
    this.snapshot.status = 'running';
    await this.persist();
    this.emit({ type: 'step-result', path, stepId: node.id, status: 'success', output: input });
    return { suspended: false, output: input };
  }

  private async runRunnable(
    runnable: Runnable,
    input: unknown,
    path: string,
    scope: Scope,
  ): Promise<Outcome> {
    this.checkCanceled();
    const existing = this.snapshot.steps[path];
    if (existing?.status === 'success') {
      if (existing.bailed) throw new BailSignal(scope, existing.output);
      return { suspended: false, output: existing.output };
    }
    const nested = definitionOf(runnable);
    if (nested) return this.runNested(runnable, nested, input, path, scope);
    if (existing?.status === 'suspended' && !('resumePayload' in existing)) return { suspended: true };
    return this.runStep(runnable as Step, input, path, scope, existing);
  }

  private async runNested(
    runnable: Runnable,
    definition: WorkflowDefinition,
    input: unknown,
    path: string,
    scope: Scope,
  ): Promise<Outcome> {
    const startedAt = this.services.clock.now();
    const inputData = await this.checkInput(runnable, input, path, scope, startedAt);
    this.emit({ type: 'step-start', path, stepId: runnable.id, input: inputData, attempt: 0 });
    const outcome = await this.runWorkflow(definition, inputData, `${path}/`);
    if (outcome.suspended) return outcome;
    this.record(path, {
      status: 'success',
      input: inputData,
      output: outcome.output,
      startedAt,
      endedAt: this.services.clock.now(),
    });
    await this.persist();
    this.emit({ type: 'step-result', path, stepId: runnable.id, status: 'success', output: outcome.output });
    return outcome;
  }

  private async checkInput(
    runnable: Runnable,
    input: unknown,
    path: string,
    scope: Scope,
    startedAt: number,
  ) {
    try {
      return await validate(runnable.inputSchema, input, {
        what: `input of step "${runnable.id}"`,
        data: { stepId: runnable.id, path, workflowId: scope.definition.id, boundary: 'input' },
        hint: "Make the previous step (or a .map() before this one) return what this step's inputSchema describes.",
      });
    } catch (error) {
      this.record(path, {
        status: 'failed',
        input,
        error: serializeError(error),
        startedAt,
        endedAt: startedAt,
      });
      throw error;
    }
  }

  private async runStep(
    step: Step,
    input: unknown,
    path: string,
    scope: Scope,
    existing: StepRecord | undefined,
  ) {
    const clock = this.services.clock;
    const startedAt = clock.now();
    const inputData = await this.checkInput(step, input, path, scope, startedAt);
    const resumeData = existing?.status === 'suspended' ? existing.resumePayload : undefined;
    const retries = step.retries ?? scope.definition.retryConfig.attempts;
    for (let attempt = 0; ; attempt++) {
      this.checkCanceled();
      this.emit({ type: 'step-start', path, stepId: step.id, input: inputData, attempt });
      const control: { suspend?: { payload: unknown }; bail?: { value: unknown } } = {};
      let raw: unknown;
      let thrown: { error: unknown } | undefined;
      try {
        raw = await untilAborted(
          step.execute(this.stepContext(step, inputData, resumeData, path, scope, attempt, control)),
          this.services.signal,
        );
      } catch (error) {
        thrown = { error };
      }
      const base = { input: inputData, startedAt, attempts: attempt + 1 };
      if (control.suspend) {
        this.record(path, { ...base, status: 'suspended', suspendPayload: control.suspend.payload });
        await this.persist();
        this.emit({ type: 'step-suspended', path, stepId: step.id, suspendPayload: control.suspend.payload });
        return { suspended: true } as const;
      }
      if (control.bail) {
        const record = {
          ...base,
          status: 'success' as const,
          output: control.bail.value,
          endedAt: clock.now(),
          bailed: true,
        };
        this.record(path, record);
        await this.persist();
        this.emit({
          type: 'step-result',
          path,
          stepId: step.id,
          status: 'success',
          output: control.bail.value,
        });
        throw new BailSignal(scope, control.bail.value);
      }
      if (this.services.signal.aborted) throw new CancelSignal();
      if (!thrown) {
        const output = await this.checkOutput(step, raw, path, scope, base);
        this.record(path, { ...base, status: 'success', output, endedAt: clock.now() });
        await this.persist();
        this.emit({ type: 'step-result', path, stepId: step.id, status: 'success', output });
        return { suspended: false, output } as const;
      }
      const serialized = serializeError(thrown.error);
      if (attempt < retries) {
        const delayMs = scope.definition.retryConfig.delay * 2 ** attempt;
        this.emit({
          type: 'step-retry',
          path,
          stepId: step.id,
          attempt: attempt + 1,
          delayMs,
          error: serialized,
        });
        try {
          await clock.sleep(delayMs, this.services.signal);
        } catch {
          throw new CancelSignal();
        }
        continue;
      }
      this.record(path, { ...base, status: 'failed', error: serialized, endedAt: clock.now() });
      this.emit({ type: 'step-result', path, stepId: step.id, status: 'failed', error: serialized });
      throw new WorkflowStepError(
        `Step "${step.id}" failed after ${attempt + 1} attempt${attempt ? 's' : ''}: ${serialized.message}`,
        {
          cause: thrown.error,
          hint: 'The step error is in error.cause (and in the run snapshot); raise `retries` if it is transient.',
          data: {
            stepId: step.id,
            path,
            workflowId: scope.definition.id,
            attempts: attempt + 1,
            error: serialized,
          },
        },
      );
    }
  }

  private async checkOutput(
    step: Step,
    raw: unknown,
    path: string,
    scope: Scope,
    base: Omit<StepRecord, 'status'>,
  ) {
    try {
      return await validate(step.outputSchema, raw, {
        what: `output of step "${step.id}"`,
        data: { stepId: step.id, path, workflowId: scope.definition.id, boundary: 'output' },
        hint: "Return what the step's outputSchema describes.",
      });
    } catch (error) {
      this.record(path, {
        ...base,
        status: 'failed',
        error: serializeError(error),
        endedAt: this.services.clock.now(),
      });
      throw error;
    }
  }

  private stepContext(
    step: Step,
    inputData: unknown,
    resumeData: unknown,
    path: string,
    scope: Scope,
    attempt: number,
    control: { suspend?: { payload: unknown }; bail?: { value: unknown } },
  ): StepExecuteContext {
    const stateSchema = step.stateSchema ?? scope.definition.stateSchema ?? this.root.stateSchema;
    return {
      runId: this.snapshot.runId,
      workflowId: scope.definition.id,
      stepId: step.id,
      path,
      inputData,
      resumeData,
      state: this.snapshot.state,
      setState: async (state) => {
        this.snapshot.state = stateSchema
          ? await validate(stateSchema, state, {
              what: `state set by step "${step.id}"`,
              data: { stepId: step.id, path, boundary: 'state' },
              hint: "Pass a whole state object that matches the workflow's stateSchema.",
            })
          : state;
      },
      getStepResult: this.stepResultReader(scope),
      getInitData: <T>() => scope.initData as T,
      suspend: async (payload) => {
        const value = step.suspendSchema
          ? await validate(step.suspendSchema, payload, {
              what: `suspend payload of step "${step.id}"`,
              data: { stepId: step.id, path, boundary: 'suspend' },
              hint: "Pass what the step's suspendSchema describes to suspend().",
            })
          : payload;
        control.suspend = { payload: value };
        throw new SuspendSignal('suspended');
      },
      bail: (value) => {
        control.bail = { value };
        throw new BailSignal(scope, value);
      },
      abortSignal: this.services.signal,
      writer: {
        write: async (payload) => this.emit({ type: 'step-output', path, stepId: step.id, payload }),
      },
      retryCount: attempt,
      requestContext: this.services.requestContext,
      traceContext: this.services.traceContext?.(path),
    };
  }

  private flowContext(scope: Scope, inputData: unknown, iterationCount: number): FlowContext {
    return {
      runId: this.snapshot.runId,
      workflowId: scope.definition.id,
      inputData,
      state: this.snapshot.state,
      getStepResult: this.stepResultReader(scope),
      getInitData: <T>() => scope.initData as T,
      iterationCount,
    };
  }

  private stepResultReader(scope: Scope): GetStepResult {
    return ((step: Runnable | string) =>
      this.stepOutput(scope, typeof step === 'string' ? step : step.id)) as GetStepResult;
  }

  private stepOutput(scope: Scope, stepId: string): unknown {
    const record = this.snapshot.steps[scope.prefix + stepId];
    return record?.status === 'success' ? record.output : undefined;
  }

  private async decide(key: string, name: string, evaluate: () => Promise<boolean>): Promise<boolean> {
    const stored = this.snapshot.decisions[key];
    if (stored !== undefined) return stored;
    let verdict: boolean;
    try {
      verdict = Boolean(await evaluate());
    } catch (error) {
      throw new WorkflowStepError(`Condition "${name}" threw: ${serializeError(error).message}`, {
        cause: error,
        hint: 'Conditions must return a boolean (or a promise of one) and not throw.',
        data: { condition: name, path: key },
      });
    }
    this.snapshot.decisions[key] = verdict;
    return verdict;
  }

  private nodeFailure(id: string, path: string, scope: Scope, error: unknown, kind: string): LumosError {
    if (error instanceof AbortedError && this.services.signal.aborted) return error;
    if (LumosError.isInstance(error)) return error;
    const serialized = serializeError(error);
    this.record(path, { status: 'failed', error: serialized, startedAt: this.services.clock.now() });
    return new WorkflowStepError(`The ${kind} "${id}" failed: ${serialized.message}`, {
      cause: error,
      data: { stepId: id, path, workflowId: scope.definition.id, error: serialized },
    });
  }

  private record(path: string, record: StepRecord): void {
    this.snapshot.steps[path] = record;
  }
}
