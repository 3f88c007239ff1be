import { InvalidArgumentError, WorkflowStepError } from '../errors/index.js';
import type { SpanContext } from '../telemetry/index.js';
import type { ToolCallRecord } from './types.js';

/** Anything with Mastra's `agent.generate(input)` returning `{ text, toolCalls? }`. */
export interface AgentLike {
  readonly id?: string;
  readonly name?: string;
  generate(input: never, options?: { signal?: AbortSignal }): Promise<AgentResultLike>;
}

/** The parts of an agent result that scorers read. Tool calls may use Lumos or Mastra/AI SDK field names. */
export interface AgentResultLike {
  text: string;
  toolCalls?: { name?: string; toolName?: string; args?: unknown; arguments?: unknown }[];
}

/** A workflow run as Mastra shapes it: `run.start({ inputData })` → `{ status, result | error }`. */
export interface WorkflowRunLike {
  start(args: { inputData: unknown }): Promise<{ status: string; result?: unknown; error?: unknown }>;
}

/** Anything with `createRun()` (or Mastra's `createRunAsync()`). */
export interface WorkflowLike {
  readonly id?: string;
  createRun?(): WorkflowRunLike | Promise<WorkflowRunLike>;
  createRunAsync?(): Promise<WorkflowRunLike>;
}

/** What a function target may return to also report retrieved context or tool calls. */
export interface TargetResult {
  output: unknown;
  context?: string[];
  toolCalls?: ToolCallRecord[];
}

/** A function target receives the item's input and returns the output (or a `TargetResult`). */
export interface EvalTargetOptions {
  signal?: AbortSignal;
  itemIndex: number;
  /** The item's span when `runEvals` has a tracer: pass it as `parent` to nest the target's spans. */
  parentSpan?: SpanContext;
}

export type EvalFunction<TInput> = (input: TInput, options: EvalTargetOptions) => Promise<unknown>;

export type EvalTarget<TInput> = EvalFunction<TInput> | AgentLike | WorkflowLike;

function isTargetResult(value: unknown): value is TargetResult {
  if (typeof value !== 'object' || value === null || !('output' in value)) return false;
  return Object.keys(value).every((key) => key === 'output' || key === 'context' || key === 'toolCalls');
}

function parseArgs(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A stable label for stored results: the target's `id`/`name`, else `'function'`. */
export function targetIdOf(target: EvalTarget<never>): string {
  if (typeof target === 'function') return target.name || 'function';
  const named = target as { id?: unknown; name?: unknown };
  return typeof named.id === 'string' ? named.id : typeof named.name === 'string' ? named.name : 'target';
}

/** Runs a target on one input and normalises what it returns to `{ output, context?, toolCalls? }`. */
export async function invokeTarget<TInput>(
  target: EvalTarget<TInput>,
  input: TInput,
  options: EvalTargetOptions,
): Promise<TargetResult> {
  if (typeof target === 'function') {
    const value = await target(input, options);
    return isTargetResult(value) ? value : { output: value };
  }
  if ('generate' in target && typeof target.generate === 'function') {
    const result = await (target as AgentLike).generate(
      input as never,
      options.signal ? { signal: options.signal } : {},
    );
    const toolCalls = (result.toolCalls ?? []).map((call) => ({
      name: call.name ?? call.toolName ?? 'unknown',
      args: parseArgs(call.args ?? call.arguments),
    }));
    return { output: result.text, toolCalls };
  }
  const workflow = target as WorkflowLike;
  const create = workflow.createRunAsync ?? workflow.createRun;
  if (typeof create === 'function') {
    const run = await create.call(workflow);
    const outcome = await run.start({ inputData: input });
    if (outcome.status !== 'success') {
      throw new WorkflowStepError(
        `The workflow ended with status "${outcome.status}" instead of "success".`,
        {
          cause: outcome.error,
          data: { status: outcome.status },
        },
      );
    }
    return { output: outcome.result };
  }
  throw new InvalidArgumentError(
    'runEvals needs a target: a function, an agent (generate) or a workflow (createRun).',
  );
}
