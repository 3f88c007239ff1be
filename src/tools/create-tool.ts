import type { StandardSchemaV1 } from '@standard-schema/spec';
import { InvalidArgumentError } from '../errors/index.js';
import type { SpanContext } from '../telemetry/types.js';
import type { InferSchemaOutput, Schema } from './schema.js';

/** Lets a running tool push progress data into the agent's stream (`tool-output` events). */
export interface ToolStreamWriter {
  write(data: unknown): void;
}

/** What a tool's `execute` receives besides its input. */
export interface ToolExecutionContext {
  /** Fires when the run is aborted or the tool's timeout elapses; pass it to `fetch` and friends. */
  abortSignal: AbortSignal;
  runId: string;
  toolCallId: string;
  /** The memory thread of the run, when the caller gave one. */
  threadId: string | undefined;
  /** The memory resource (user) of the run, when the caller gave one. */
  resourceId: string | undefined;
  writer: ToolStreamWriter;
  /**
   * The serialisable context of this call's `tool` span when the agent run is traced. Pass it as
   * `parent` to spans started elsewhere (e.g. sent with the call to a worker whose tracer exports
   * back to the page) so they nest under the call.
   */
  traceContext?: SpanContext;
}

/** The input type `execute` receives: the schema's output, or a plain object for raw JSON Schema. */
export type InferToolInput<S> = S extends StandardSchemaV1 ? InferSchemaOutput<S> : Record<string, unknown>;

/** A tool an agent can call. Build one with {@link createTool}. */
export interface Tool<TInput = unknown, TOutput = unknown> {
  readonly id: string;
  readonly description: string;
  readonly inputSchema: Schema;
  readonly outputSchema: Schema | undefined;
  /** When true, a call suspends the run until `agent.approveToolCall` or `declineToolCall`. */
  readonly requireApproval: boolean;
  /** Milliseconds before a call is abandoned with a `timeout` error result. */
  readonly timeoutMs: number | undefined;
  execute(input: TInput, context: ToolExecutionContext): Promise<TOutput>;
}

/** Options of {@link createTool}. */
export interface CreateToolOptions<
  TInputSchema extends Schema,
  TOutputSchema extends Schema | undefined,
  TResult,
> {
  /** Stable identifier, also the default name the model sees. */
  id: string;
  /** Tells the model what the tool does and when to use it. */
  description: string;
  /** zod 4 schema, any Standard Schema with JSON Schema support, or raw JSON Schema. */
  inputSchema: TInputSchema;
  /** Validates what `execute` returns; a mismatch becomes an error result. */
  outputSchema?: TOutputSchema;
  /** @default false */
  requireApproval?: boolean;
  /** @default undefined (no timeout) */
  timeoutMs?: number;
  execute(input: InferToolInput<TInputSchema>, context: ToolExecutionContext): Promise<TResult>;
}

type ToolOutputOf<TOutputSchema, TResult> = [TOutputSchema] extends [Schema]
  ? TOutputSchema extends StandardSchemaV1
    ? InferSchemaOutput<TOutputSchema>
    : TResult
  : TResult;

/**
 * Defines a tool. Input and output types are inferred from the schemas:
 *
 * ```ts
 * const weather = createTool({
 *   id: 'weather',
 *   description: 'Current weather of a city',
 *   inputSchema: z.object({ city: z.string() }),
 *   execute: async ({ city }) => ({ city, celsius: 21 }),
 * });
 * ```
 */
export function createTool<
  TInputSchema extends Schema,
  TResult,
  TOutputSchema extends Schema | undefined = undefined,
>(
  options: CreateToolOptions<TInputSchema, TOutputSchema, TResult>,
): Tool<InferToolInput<TInputSchema>, ToolOutputOf<TOutputSchema, TResult>> {
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(options.id)) {
    throw new InvalidArgumentError(`Tool id "${options.id}" is not a valid tool name.`, {
      hint: 'Use 1-64 letters, digits, "_" or "-" (what OpenAI-compatible endpoints accept).',
    });
  }
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
    throw new InvalidArgumentError(`Tool "${options.id}" has timeoutMs ${options.timeoutMs}.`, {
      hint: 'Pass a positive number of milliseconds, or leave it out for no timeout.',
    });
  }
  return {
    id: options.id,
    description: options.description,
    inputSchema: options.inputSchema,
    outputSchema: options.outputSchema,
    requireApproval: options.requireApproval ?? false,
    timeoutMs: options.timeoutMs,
    execute: (input, context) =>
      options.execute(input, context) as Promise<ToolOutputOf<TOutputSchema, TResult>>,
  };
}

/** True when `value` looks like a {@link Tool}. */
export function isTool(value: unknown): value is Tool {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Tool).execute === 'function' &&
    'inputSchema' in value &&
    typeof (value as Tool).id === 'string'
  );
}
