import type { StandardSchemaV1 } from '@standard-schema/spec';
import { z } from 'zod';
import { InvalidArgumentError } from '../errors/index.js';
import type { SpanContext } from '../telemetry/types.js';
import { isStandardSchema, passthroughSchema, type SchemaInput, type SchemaOutput } from './schema.js';
import type { Step, StepExecuteContext } from './step.js';

/** Options of {@link createStep}. */
export interface CreateStepOptions<
  TId extends string,
  TInputSchema extends StandardSchemaV1,
  TOutputSchema extends StandardSchemaV1,
  TResumeSchema extends StandardSchemaV1 | undefined,
  TSuspendSchema extends StandardSchemaV1 | undefined,
  TStateSchema extends StandardSchemaV1 | undefined,
> {
  /** Unique within a workflow; names the step in events, errors and snapshots. */
  id: TId;
  description?: string;
  inputSchema: TInputSchema;
  outputSchema: TOutputSchema;
  /** Validates `run.resume({ resumeData })` for this step. @default no validation */
  resumeSchema?: TResumeSchema;
  /** Validates what the step passes to `suspend()`. @default no validation */
  suspendSchema?: TSuspendSchema;
  /** Validates `setState` from this step. @default the workflow's `stateSchema` */
  stateSchema?: TStateSchema;
  /** Extra attempts after a failure. @default the workflow's `retryConfig.attempts` (0) */
  retries?: number;
  execute(
    context: StepExecuteContext<
      SchemaOutput<TInputSchema>,
      SchemaOutput<TResumeSchema>,
      SchemaInput<TSuspendSchema>,
      SchemaOutput<TStateSchema>
    >,
  ): Promise<SchemaInput<TOutputSchema>>;
}

/** The shape of an agent a step can wrap: `createStep(agent)`. */
export interface StepAgent<TName extends string = string> {
  readonly name: TName;
  /** `parentSpan` is the step's trace context when the run is traced (a Lumos `Agent` nests its run there). */
  generate(
    prompt: string,
    options: { abortSignal: AbortSignal; parentSpan?: unknown },
  ): Promise<{ text: string }>;
}

/** The shape of a tool a step can wrap: `createStep(tool)` (what `createTool` returns). */
// biome-ignore lint/suspicious/noExplicitAny: the defaults accept any tool.
export interface StepTool<TId extends string = string, TInput = any, TOutput = any> {
  readonly id: TId;
  readonly description?: string;
  readonly inputSchema: unknown;
  readonly outputSchema?: unknown;
  execute(input: TInput, context: ToolStepContext): Promise<TOutput>;
}

/** What a tool receives as its second argument when it runs as a workflow step. */
export interface ToolStepContext {
  abortSignal: AbortSignal;
  runId: string;
  toolCallId: string;
  threadId: undefined;
  resourceId: undefined;
  writer: { write(data: unknown): void };
  /** The step's trace context when the run is traced (as agents give their tools). */
  traceContext?: SpanContext;
}

const agentInputSchema = z.object({ prompt: z.string() });
const agentOutputSchema = z.object({ text: z.string() });

type SchemaOrPassthrough<S, TFallback> = S extends StandardSchemaV1
  ? S
  : StandardSchemaV1<TFallback, TFallback>;

/** Defines a step with typed, validated input and output. */
export function createStep<
  const TId extends string,
  TInputSchema extends StandardSchemaV1,
  TOutputSchema extends StandardSchemaV1,
  TResumeSchema extends StandardSchemaV1 | undefined = undefined,
  TSuspendSchema extends StandardSchemaV1 | undefined = undefined,
  TStateSchema extends StandardSchemaV1 | undefined = undefined,
>(
  options: CreateStepOptions<TId, TInputSchema, TOutputSchema, TResumeSchema, TSuspendSchema, TStateSchema>,
): Step<
  TId,
  SchemaOutput<TInputSchema>,
  SchemaOutput<TOutputSchema>,
  SchemaOutput<TResumeSchema>,
  SchemaInput<TSuspendSchema>,
  SchemaOutput<TStateSchema>
>;
/**
 * Wraps an agent (any object with `name` and `generate(prompt, options)`) as a step with input
 * `{ prompt: string }` and output `{ text: string }`; the run's abort signal reaches `generate`.
 */
export function createStep<const TName extends string>(
  agent: StepAgent<TName>,
): Step<TName, { prompt: string }, { text: string }>;
/**
 * Wraps a tool (what `createTool` returns: `{ id, inputSchema, outputSchema?, execute(input, context) }`)
 * as a step. Its schemas guard the step boundary; a raw JSON Schema (not Standard Schema) is not
 * checked here, so the tool's own validation applies.
 */
export function createStep<const TId extends string, TInputSchema, TOutputSchema, TInput, TOutput>(
  tool: StepTool<TId, TInput, TOutput> & { inputSchema: TInputSchema; outputSchema?: TOutputSchema },
): Step<
  TId,
  SchemaOutput<SchemaOrPassthrough<TInputSchema, TInput>>,
  SchemaOutput<SchemaOrPassthrough<TOutputSchema, TOutput>>
>;
export function createStep(source: unknown): Step {
  if (isAgentLike(source)) return agentStep(source);
  if (isToolLike(source)) return toolStep(source);
  const options = source as CreateStepOptions<
    string,
    StandardSchemaV1,
    StandardSchemaV1,
    undefined,
    undefined,
    undefined
  >;
  checkId(options?.id, 'createStep');
  if (!isStandardSchema(options.inputSchema) || !isStandardSchema(options.outputSchema)) {
    throw new InvalidArgumentError(`Step "${options.id}" needs an inputSchema and an outputSchema.`, {
      hint: 'Pass zod schemas (or any Standard Schema), e.g. inputSchema: z.object({ … }).',
    });
  }
  if (options.retries !== undefined && !(Number.isInteger(options.retries) && options.retries >= 0)) {
    throw new InvalidArgumentError(`Step "${options.id}" has retries ${options.retries}.`, {
      hint: 'Pass a whole number of extra attempts (0 or more).',
    });
  }
  return {
    id: options.id,
    description: options.description,
    inputSchema: options.inputSchema,
    outputSchema: options.outputSchema,
    resumeSchema: options.resumeSchema,
    suspendSchema: options.suspendSchema,
    stateSchema: options.stateSchema,
    retries: options.retries,
    execute: options.execute as Step['execute'],
  };
}

/** Throws unless `id` is a usable step id (no `/`, `#`, `[` that would clash with paths). */
export function checkId(id: unknown, where: string): asserts id is string {
  if (typeof id !== 'string' || !/^[^/#[\]]+$/.test(id)) {
    throw new InvalidArgumentError(`${where} got id ${JSON.stringify(id)}.`, {
      hint: 'Use a non-empty string without "/", "#", "[" or "]" (they separate parts of step paths).',
    });
  }
}

function isAgentLike(value: unknown): value is StepAgent {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as StepAgent).name === 'string' &&
    typeof (value as StepAgent).generate === 'function' &&
    !('execute' in value)
  );
}

/**
 * Step options take one argument (the context); tools take `(input, context)` and `createTool`
 * adds `requireApproval`. A one-argument hand-written tool needs `createTool` to be told apart.
 */
function isToolLike(value: unknown): value is StepTool {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as StepTool & { requireApproval?: unknown };
  if (typeof candidate.execute !== 'function' || typeof candidate.id !== 'string') return false;
  return (
    'requireApproval' in candidate ||
    candidate.execute.length >= 2 ||
    !isStandardSchema(candidate.outputSchema)
  );
}

function agentStep(agent: StepAgent): Step {
  checkId(agent.name, 'createStep(agent)');
  return {
    id: agent.name,
    description: `Agent ${agent.name}`,
    inputSchema: agentInputSchema,
    outputSchema: agentOutputSchema,
    execute: async ({ inputData, abortSignal, traceContext }) => {
      const prompt = (inputData as { prompt: string }).prompt;
      const result = await agent.generate(
        prompt,
        traceContext === undefined ? { abortSignal } : { abortSignal, parentSpan: traceContext },
      );
      return { text: result.text };
    },
  };
}

function toolStep(tool: StepTool): Step {
  checkId(tool.id, 'createStep(tool)');
  return {
    id: tool.id,
    description: tool.description,
    inputSchema: isStandardSchema(tool.inputSchema) ? tool.inputSchema : passthroughSchema(),
    outputSchema: isStandardSchema(tool.outputSchema) ? tool.outputSchema : passthroughSchema(),
    execute: ({ inputData, abortSignal, runId, path, writer, traceContext }) =>
      tool.execute(inputData, {
        abortSignal,
        runId,
        toolCallId: `${runId}:${path}`,
        threadId: undefined,
        resourceId: undefined,
        writer: { write: (data) => void writer.write(data) },
        ...(traceContext === undefined ? {} : { traceContext }),
      }),
  };
}
