import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ConflictError, InvalidArgumentError, WorkflowStateError } from '../errors/index.js';
import { InMemoryStorage } from '../storage/in-memory-storage.js';
import type { Page, PageOptions, WorkflowSnapshotStore } from '../storage/types.js';
import type { Tracer } from '../telemetry/index.js';
import { checkId } from './create-step.js';
import { definitionKey, type RetryConfig, runnablesOf, type WorkflowDefinition } from './definition.js';
import {
  type Condition,
  conditionName,
  type FlowContext,
  type FlowNode,
  type MappingSource,
} from './graph.js';
import { Run, type RunServices } from './run.js';
import { platformLocks, type RunLocks, systemClock } from './runtime.js';
import type { SchemaInput, SchemaOutput } from './schema.js';
import { type SerializedWorkflow, serializeWorkflow } from './serialize.js';
import type { Runnable, RunnableInput, RunnableOutput } from './step.js';
import type {
  WorkflowClock,
  WorkflowEvent,
  WorkflowRunResult,
  WorkflowRunSnapshot,
  WorkflowRunSummary,
} from './types.js';

/** Options of {@link createWorkflow}. */
export interface CreateWorkflowOptions<
  TId extends string,
  TInputSchema extends StandardSchemaV1,
  TOutputSchema extends StandardSchemaV1,
  TStateSchema extends StandardSchemaV1 | undefined,
> {
  /** Names the workflow in storage, events and errors; keep it stable across releases. */
  id: TId;
  description?: string;
  inputSchema: TInputSchema;
  outputSchema: TOutputSchema;
  /** Validates `initialState` and every `setState`. @default no validation, state starts as `{}` */
  stateSchema?: TStateSchema;
  /** Retries for every step that does not set its own `retries`. @default { attempts: 0, delay: 0 } */
  retryConfig?: RetryConfig;
  /**
   * Where snapshots go, one write per step. Pass an `IndexedDBStorage` for runs that survive a
   * reload. @default a new `InMemoryStorage` (runs live as long as the page)
   */
  storage?: WorkflowSnapshotStore;
  /** @default real time (`Date.now`, `setTimeout`) */
  clock?: WorkflowClock;
  /**
   * Keeps two tabs or workers from executing the same run; `null` turns cross-context locking off.
   * @default `navigator.locks` when the platform has it
   */
  locks?: RunLocks | null;
  /**
   * Traces every run: a `workflow` span per execution and a `workflow-step` span per step
   * (`run.start({ tracer })` overrides it per run). @default none
   */
  tracer?: Tracer;
}

type Accepts<TPrev, TRunnable> = [TPrev] extends [RunnableInput<TRunnable>]
  ? unknown
  : {
      readonly 'step input does not accept the previous output': {
        expected: RunnableInput<TRunnable>;
        previous: TPrev;
      };
    };

type Mismatched<TPrev, TSteps extends readonly Runnable[]> = {
  [K in keyof TSteps]: [TPrev] extends [RunnableInput<TSteps[K]>] ? never : TSteps[K]['id'];
}[number];

type AllAccept<TPrev, TSteps extends readonly Runnable[]> = [Mismatched<TPrev, TSteps>] extends [never]
  ? unknown
  : { readonly 'steps whose input does not accept the previous output': Mismatched<TPrev, TSteps> };

type Element<T> = T extends readonly (infer E)[] ? E : never;

type MappedValue<TSource> = TSource extends { value: infer V } ? V : unknown;

type BranchOutput<TBranches extends readonly (readonly [Condition, Runnable])[]> = {
  [R in TBranches[number][1] as R['id']]?: RunnableOutput<R>;
};

type StateOf<TStateSchema> = TStateSchema extends StandardSchemaV1
  ? SchemaOutput<TStateSchema>
  : Record<string, unknown>;

/**
 * A durable workflow: a typed flow of steps built with `.then`, `.parallel`, `.branch`, loops,
 * `.foreach`, `.map` and sleeps, finished with `.commit()`. Every step's result is written to
 * `storage`, so a run continues after a reload from its last completed step.
 */
export class Workflow<
  TId extends string = string,
  TInputSchema extends StandardSchemaV1 = StandardSchemaV1,
  TOutputSchema extends StandardSchemaV1 = StandardSchemaV1,
  TStateSchema extends StandardSchemaV1 | undefined = StandardSchemaV1 | undefined,
  TPrev = SchemaOutput<TInputSchema>,
> implements Runnable<TId>
{
  readonly id: TId;
  readonly description: string | undefined;
  readonly inputSchema: TInputSchema;
  readonly outputSchema: TOutputSchema;
  readonly stateSchema: TStateSchema | undefined;
  readonly #flow: FlowNode[] = [];
  readonly #retryConfig: Required<RetryConfig>;
  readonly #services: RunServices;
  #committed = false;

  constructor(options: CreateWorkflowOptions<TId, TInputSchema, TOutputSchema, TStateSchema>) {
    checkId(options.id, 'createWorkflow');
    this.id = options.id;
    this.description = options.description;
    this.inputSchema = options.inputSchema;
    this.outputSchema = options.outputSchema;
    this.stateSchema = options.stateSchema;
    const attempts = options.retryConfig?.attempts ?? 0;
    const delay = options.retryConfig?.delay ?? 0;
    if (!(Number.isInteger(attempts) && attempts >= 0) || !(delay >= 0)) {
      throw new InvalidArgumentError(
        `Workflow "${options.id}" has retryConfig ${JSON.stringify(options.retryConfig)}.`,
        {
          hint: 'attempts is a whole number ≥ 0 and delay a number of ms ≥ 0.',
        },
      );
    }
    this.#retryConfig = { attempts, delay };
    const locks = options.locks;
    this.#services = {
      storage: options.storage ?? new InMemoryStorage(),
      clock: options.clock ?? systemClock,
      locks: () => (locks === null ? undefined : (locks ?? platformLocks())),
      definition: () => this.#definition(),
      watchers: new Set(),
      tracer: options.tracer,
    };
  }

  /**
   * Runs `step` on the previous output. (A workflow is not a promise: `await`ing one, or returning
   * it from an async function, calls this with a resolver and gets an `InvalidArgumentError`.)
   */
  // biome-ignore lint/suspicious/noThenProperty: Mastra's builder name; `then(resolve)` from await is rejected below.
  then<S extends Runnable>(
    step: S & Accepts<TPrev, S>,
  ): Workflow<TId, TInputSchema, TOutputSchema, TStateSchema, RunnableOutput<S>> {
    if (typeof step === 'function') {
      throw new InvalidArgumentError(
        `Workflow "${this.id}" was awaited like a promise, or .then() got a function.`,
        {
          hint: 'Pass a step to .then(); to return a workflow from an async function, wrap it: return { workflow }.',
        },
      );
    }
    return this.#add({ type: 'step', id: step.id, step }, [step]);
  }

  /** Runs steps side by side on the previous output; output `{ [stepId]: output }`. */
  parallel<const S extends readonly Runnable[]>(
    steps: S & AllAccept<TPrev, S>,
  ): Workflow<
    TId,
    TInputSchema,
    TOutputSchema,
    TStateSchema,
    { [R in S[number] as R['id']]: RunnableOutput<R> }
  > {
    return this.#add({ type: 'parallel', id: this.#nodeId('parallel'), steps: [...steps] }, steps);
  }

  /**
   * Runs every step whose condition holds (side by side); output `{ [stepId]?: output }` of those
   * that ran. Conditions are evaluated once per run and stored.
   */
  branch<const B extends readonly (readonly [Condition<TPrev, StateOf<TStateSchema>>, Runnable])[]>(
    branches: B,
  ): Workflow<TId, TInputSchema, TOutputSchema, TStateSchema, BranchOutput<B>> {
    const id = this.#nodeId('branch');
    const entries = branches.map(([condition, step], index) => ({
      condition: condition as Condition,
      name: conditionName(condition as Condition, `${id}-condition-${index}`),
      step,
    }));
    return this.#add(
      { type: 'branch', id, branches: entries },
      entries.map((entry) => entry.step),
    );
  }

  /** Runs `step` (on its own previous output after the first time) while `condition` holds. */
  dowhile<S extends Runnable>(
    step: S & Accepts<TPrev, S>,
    condition: Condition<RunnableOutput<S>, StateOf<TStateSchema>>,
  ): Workflow<TId, TInputSchema, TOutputSchema, TStateSchema, RunnableOutput<S>> {
    return this.#loop('dowhile', step, condition);
  }

  /** Runs `step` (on its own previous output after the first time) until `condition` holds. */
  dountil<S extends Runnable>(
    step: S & Accepts<TPrev, S>,
    condition: Condition<RunnableOutput<S>, StateOf<TStateSchema>>,
  ): Workflow<TId, TInputSchema, TOutputSchema, TStateSchema, RunnableOutput<S>> {
    return this.#loop('dountil', step, condition);
  }

  /** Runs `step` once per element of the previous output (an array), at most `concurrency` at a time. */
  foreach<S extends Runnable>(
    step: S &
      (TPrev extends readonly unknown[]
        ? Accepts<Element<TPrev>, S>
        : { readonly 'foreach needs an array before it': TPrev }),
    options: { /** @default 1 */ concurrency?: number } = {},
  ): Workflow<TId, TInputSchema, TOutputSchema, TStateSchema, RunnableOutput<S>[]> {
    const concurrency = options.concurrency ?? 1;
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new InvalidArgumentError(`foreach("${step.id}") got concurrency ${concurrency}.`, {
        hint: 'Pass a whole number ≥ 1.',
      });
    }
    return this.#add({ type: 'foreach', id: this.#nodeId('foreach'), step, concurrency }, [step]);
  }

  /** Reshapes the previous output with a function (deterministic: it may run again on replay). */
  map<TNext>(
    mapping: (context: FlowContext<TPrev, StateOf<TStateSchema>>) => Promise<TNext>,
    options?: { id?: string },
  ): Workflow<TId, TInputSchema, TOutputSchema, TStateSchema, TNext>;
  /**
   * Builds an object from fields: `{ step, path }` (an earlier step's output), `{ initData: true, path }`
   * or `{ value }`.
   */
  map<M extends Record<string, MappingSource>>(
    mapping: M,
    options?: { id?: string },
  ): Workflow<TId, TInputSchema, TOutputSchema, TStateSchema, { [K in keyof M]: MappedValue<M[K]> }>;
  map(
    mapping: ((context: never) => Promise<unknown>) | Record<string, MappingSource>,
    options: { id?: string } = {},
  ): unknown {
    const id = options.id ?? this.#nodeId('map');
    checkId(id, 'map');
    return this.#add(
      { type: 'map', id, mapping: mapping as Extract<FlowNode, { type: 'map' }>['mapping'] },
      [],
    );
  }

  /** Waits `duration` ms (or what the function returns); the wake-up time is stored, so it survives reloads. */
  sleep(
    duration: number | ((context: FlowContext<TPrev, StateOf<TStateSchema>>) => Promise<number>),
    options: { id?: string } = {},
  ): this {
    const id = options.id ?? this.#nodeId('sleep');
    checkId(id, 'sleep');
    return this.#add({ type: 'sleep', id, duration: duration as number }, []) as this;
  }

  /** Waits until `date` (or what the function returns); survives reloads like `sleep`. */
  sleepUntil(
    date: Date | ((context: FlowContext<TPrev, StateOf<TStateSchema>>) => Promise<Date>),
    options: { id?: string } = {},
  ): this {
    const id = options.id ?? this.#nodeId('sleepUntil');
    checkId(id, 'sleepUntil');
    return this.#add({ type: 'sleepUntil', id, date: date as Date }, []) as this;
  }

  /** Ends building; runs can be created afterwards. */
  commit(): this {
    if (this.#flow.length === 0) {
      throw new InvalidArgumentError(`Workflow "${this.id}" has no steps.`, {
        hint: 'Add steps with .then() before .commit().',
      });
    }
    this.#committed = true;
    return this;
  }

  /** A new run (or the stored one when `runId` exists). Call `start()` on it. */
  async createRun(
    options: { runId?: string; resourceId?: string } = {},
  ): Promise<Run<SchemaInput<TInputSchema>, SchemaOutput<TOutputSchema>, StateOf<TStateSchema>>> {
    this.#requireCommitted();
    return new Run(this.#services, this.id, options.runId, options.resourceId);
  }

  /** Alias of {@link createRun} (Mastra 0.x name). */
  createRunAsync(
    options: { runId?: string; resourceId?: string } = {},
  ): Promise<Run<SchemaInput<TInputSchema>, SchemaOutput<TOutputSchema>, StateOf<TStateSchema>>> {
    return this.createRun(options);
  }

  /** The stored run `runId`, or `undefined`. */
  async getRun(
    runId: string,
  ): Promise<Run<SchemaInput<TInputSchema>, SchemaOutput<TOutputSchema>, StateOf<TStateSchema>> | undefined> {
    this.#requireCommitted();
    const stored = await this.#services.storage.loadWorkflowSnapshot({ workflowId: this.id, runId });
    if (!stored) return undefined;
    const snapshot = stored.snapshot as WorkflowRunSnapshot;
    return new Run(this.#services, this.id, runId, snapshot.resourceId);
  }

  /** Stored runs of this workflow, newest first. */
  async listRuns(
    options: PageOptions & { status?: WorkflowRunSnapshot['status']; resourceId?: string } = {},
  ): Promise<Page<WorkflowRunSummary>> {
    const page = await this.#services.storage.listWorkflowSnapshots({ ...options, workflowId: this.id });
    return {
      ...page,
      items: page.items.map((record) => {
        const summary: WorkflowRunSummary = {
          runId: record.runId,
          workflowId: record.workflowId,
          status: record.status as WorkflowRunSnapshot['status'],
          createdAt: record.createdAt,
          updatedAt: record.updatedAt,
          snapshot: record.snapshot as WorkflowRunSnapshot,
        };
        if (record.resourceId !== undefined) summary.resourceId = record.resourceId;
        return summary;
      }),
    };
  }

  /**
   * Continues every stored run that was interrupted while `running` or `waiting` (a reload, a
   * crash, a killed worker) and settles when they do. Runs executing in another tab or worker are
   * skipped. Suspended runs wait for `resume()` with data and are not touched.
   */
  async resumeAll(): Promise<WorkflowRunResult<SchemaOutput<TOutputSchema>>[]> {
    this.#requireCommitted();
    const interrupted: string[] = [];
    for (const status of ['running', 'waiting'] as const) {
      for (let offset = 0; ; ) {
        const page = await this.#services.storage.listWorkflowSnapshots({
          workflowId: this.id,
          status,
          offset,
          limit: 100,
        });
        interrupted.push(...page.items.map((record) => record.runId));
        if (!page.hasMore) break;
        offset += page.items.length;
      }
    }
    const settled = await Promise.allSettled(
      interrupted.map(
        (runId) =>
          new Run(this.#services, this.id, runId).resume() as Promise<
            WorkflowRunResult<SchemaOutput<TOutputSchema>>
          >,
      ),
    );
    const results: WorkflowRunResult<SchemaOutput<TOutputSchema>>[] = [];
    for (const outcome of settled) {
      if (outcome.status === 'fulfilled') results.push(outcome.value);
      else if (!ConflictError.isInstance(outcome.reason)) throw outcome.reason;
    }
    return results;
  }

  /**
   * Calls `listener` with the events of every run of this workflow executing in this context
   * (including runs continued by `resumeAll()`); returns the unsubscribe function.
   */
  watch(listener: (event: WorkflowEvent) => void): () => void {
    this.#services.watchers.add(listener);
    return () => this.#services.watchers.delete(listener);
  }

  /** The step graph for drawing: nodes (ids match event paths) and edges with condition names. */
  serialize(): SerializedWorkflow {
    return serializeWorkflow(this.#definition());
  }

  /** Lets a parent workflow run this one as a step. */
  [definitionKey](): WorkflowDefinition {
    return this.#definition();
  }

  #definition(): WorkflowDefinition {
    return {
      id: this.id,
      inputSchema: this.inputSchema,
      outputSchema: this.outputSchema,
      stateSchema: this.stateSchema,
      retryConfig: this.#retryConfig,
      flow: this.#flow,
    };
  }

  #loop(mode: 'dowhile' | 'dountil', step: Runnable, condition: Condition) {
    const id = this.#nodeId('loop');
    const node: FlowNode = {
      type: 'loop',
      id,
      mode,
      step,
      condition,
      conditionName: conditionName(condition, `${id}-condition`),
    };
    return this.#add(node, [step]);
  }

  #nodeId(kind: string): string {
    return `${kind}-${this.#flow.length}`;
  }

  // biome-ignore lint/suspicious/noExplicitAny: the builder changes its output type parameter as nodes are added.
  #add(node: FlowNode, steps: readonly Runnable[]): any {
    if (this.#committed) {
      throw new WorkflowStateError(`Workflow "${this.id}" is committed; it cannot take more steps.`, {
        hint: 'Add every step before calling .commit().',
      });
    }
    const taken = new Set([
      ...runnablesOf(this.#definition()).map((step) => step.id),
      ...this.#flow.map((entry) => entry.id),
    ]);
    for (const candidate of [...steps.map((step) => step.id), ...(steps.length ? [] : [node.id])]) {
      checkId(candidate, `Workflow "${this.id}"`);
      if (taken.has(candidate)) {
        throw new InvalidArgumentError(`Workflow "${this.id}" already has a step "${candidate}".`, {
          hint: 'Step ids name snapshot entries, so each use needs its own id: createStep({ ...step, id: "other-id" }).',
        });
      }
      taken.add(candidate);
    }
    this.#flow.push(node);
    return this;
  }

  #requireCommitted(): void {
    if (!this.#committed) {
      throw new WorkflowStateError(`Workflow "${this.id}" is not committed.`, {
        hint: 'Call .commit() after adding steps.',
      });
    }
  }
}

/** Defines a workflow; add steps, then `.commit()`. */
export function createWorkflow<
  const TId extends string,
  TInputSchema extends StandardSchemaV1,
  TOutputSchema extends StandardSchemaV1,
  TStateSchema extends StandardSchemaV1 | undefined = undefined,
>(
  options: CreateWorkflowOptions<TId, TInputSchema, TOutputSchema, TStateSchema>,
): Workflow<TId, TInputSchema, TOutputSchema, TStateSchema> {
  return new Workflow(options);
}
