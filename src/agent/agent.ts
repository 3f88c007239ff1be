import { ConflictError, InvalidArgumentError, NotFoundError } from '../errors/index.js';
import type { ChatMessage, ChatModel, ToolDefinition } from '../llm/types.js';
import { isTool, type Tool } from '../tools/create-tool.js';
import { neverAborted } from '../tools/run-tool.js';
import { type InferSchemaOutput, type Schema, toJsonSchema } from '../tools/schema.js';
import { type AgentStream, EventBroadcaster } from './agent-stream.js';
import type { AgentMemory } from './memory.js';
import { MapKeyValueStore, PendingRunStore, type RunState } from './pending-runs.js';
import {
  completeSuspendedStep,
  type RunDependencies,
  type RunHooks,
  runLoop,
  runResult,
} from './run-loop.js';
import { planStructuredOutput } from './structured-output.js';
import { startSpan } from './tracer.js';
import type {
  AgentCallOptions,
  AgentConfig,
  AgentInput,
  AgentStreamEvent,
  AgentToolCall,
  GenerateOptions,
  GenerateResult,
  RequestContext,
  StructuredOutputOptions,
  ToolLike,
} from './types.js';

/** Options of `approveToolCall` / `declineToolCall`: the per-call hooks of the continued run. */
export type ResumeOptions<S extends Schema = Schema> = Pick<
  GenerateOptions<S>,
  'abortSignal' | 'onStepFinish' | 'tracer' | 'structuredOutput'
>;

/** What memory contributes to a run's starting state. */
interface MemoryContext {
  memory: NonNullable<RunState['options']['memory']>;
  systemMessages: string[];
  history: ChatMessage[];
}

/**
 * An LLM with instructions and tools that runs the tool loop until it has an answer.
 *
 * ```ts
 * const agent = new Agent({ name: 'helper', instructions: 'Be brief.', model, tools: { weather } });
 * const { text } = await agent.generate('Weather in Paris?');
 * ```
 */
export class Agent {
  readonly id: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly model: ChatModel;
  readonly memory: AgentMemory | undefined;
  private readonly config: AgentConfig;
  private readonly tools = new Map<string, Tool>();
  private readonly definitions: ToolDefinition[] = [];
  private readonly pendingRuns: PendingRunStore;
  private readonly runLocks = new Map<string, Promise<unknown>>();

  constructor(config: AgentConfig) {
    this.config = config;
    this.id = config.id ?? config.name;
    this.name = config.name;
    this.description = config.description;
    this.model = config.model;
    this.memory = config.memory;
    this.pendingRuns = new PendingRunStore(config.storage ?? new MapKeyValueStore());
    for (const [name, value] of Object.entries(config.tools ?? {})) {
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
        throw new InvalidArgumentError(`Tool name "${name}" of agent "${config.name}" is not valid.`, {
          hint: 'Use 1-64 letters, digits, "_" or "-" as the key in `tools` (what OpenAI-compatible endpoints accept).',
        });
      }
      const tool: Tool = isTool(value) ? value : (value as ToolLike).asTool();
      this.tools.set(name, tool);
      this.definitions.push({
        name,
        description: tool.description,
        parameters: toJsonSchema(tool.inputSchema),
      });
    }
    if (config.maxSteps !== undefined && !(config.maxSteps >= 1)) {
      throw new InvalidArgumentError(`maxSteps must be at least 1, got ${config.maxSteps}.`);
    }
  }

  /** The agent's tools by the name the model sees. */
  listTools(): Record<string, Tool> {
    return Object.fromEntries(this.tools);
  }

  /** The system instructions for a request context (resolves dynamic instructions). */
  async getInstructions(requestContext: RequestContext = {}): Promise<string> {
    const { instructions } = this.config;
    return typeof instructions === 'string' ? instructions : await instructions(requestContext);
  }

  /** Runs the agent to completion (or suspension) and resolves with the whole result. */
  generate<S extends Schema = Schema>(
    input: AgentInput,
    options: GenerateOptions<S> = {},
  ): Promise<GenerateResult<InferSchemaOutput<S>>> {
    return this.start(input, options, false, undefined) as Promise<GenerateResult<InferSchemaOutput<S>>>;
  }

  /** Starts a run and returns its event streams and result promises. */
  stream<S extends Schema = Schema>(
    input: AgentInput,
    options: GenerateOptions<S> = {},
  ): AgentStream<InferSchemaOutput<S>> {
    const runId = options.runId ?? this.newId();
    return streamOf(runId, (emit) => this.start(input, { ...options, runId }, true, emit)) as AgentStream<
      InferSchemaOutput<S>
    >;
  }

  /** Approves a pending tool call; once every pending call is decided, the run continues. */
  approveToolCall<S extends Schema = Schema>(
    call: { runId: string; toolCallId: string },
    options: ResumeOptions<S> = {},
  ): Promise<GenerateResult<InferSchemaOutput<S>>> {
    return this.decide(call.runId, call.toolCallId, 'approved', undefined, options) as Promise<
      GenerateResult<InferSchemaOutput<S>>
    >;
  }

  /** Declines a pending tool call; the model gets a `declined` error result instead of running it. */
  declineToolCall<S extends Schema = Schema>(
    call: { runId: string; toolCallId: string; reason?: string },
    options: ResumeOptions<S> = {},
  ): Promise<GenerateResult<InferSchemaOutput<S>>> {
    return this.decide(call.runId, call.toolCallId, 'declined', call.reason, options) as Promise<
      GenerateResult<InferSchemaOutput<S>>
    >;
  }

  /** Like {@link approveToolCall}, streaming the continued run (text deltas, tool events, finish). */
  approveToolCallStream<S extends Schema = Schema>(
    call: { runId: string; toolCallId: string },
    options: ResumeOptions<S> = {},
  ): AgentStream<InferSchemaOutput<S>> {
    return streamOf(call.runId, (emit) =>
      this.decide(call.runId, call.toolCallId, 'approved', undefined, options, emit),
    ) as AgentStream<InferSchemaOutput<S>>;
  }

  /** Like {@link declineToolCall}, streaming the continued run. */
  declineToolCallStream<S extends Schema = Schema>(
    call: { runId: string; toolCallId: string; reason?: string },
    options: ResumeOptions<S> = {},
  ): AgentStream<InferSchemaOutput<S>> {
    return streamOf(call.runId, (emit) =>
      this.decide(call.runId, call.toolCallId, 'declined', call.reason, options, emit),
    ) as AgentStream<InferSchemaOutput<S>>;
  }

  /** Runs of this agent that wait for approval (e.g. to show them again after a reload). */
  async listPendingRuns(): Promise<{ runId: string; pendingToolCalls: AgentToolCall[] }[]> {
    const states = await this.pendingRuns.list(this.id);
    return states.map((state) => ({
      runId: state.runId,
      pendingToolCalls: (state.suspendedStep?.pending ?? [])
        .filter((call) => call.decision === undefined)
        .map(({ toolCallId, toolName, args }) => ({ toolCallId, toolName, args })),
    }));
  }

  /** This agent as a tool another agent can call with `{ prompt }`; it answers `{ text }`. */
  asTool(): Tool<{ prompt: string }, { text: string }> {
    return {
      id: this.id.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64),
      description: this.description ?? `Delegates a task to the agent "${this.name}" and returns its answer.`,
      inputSchema: {
        type: 'object',
        properties: { prompt: { type: 'string', description: 'The task or question for the agent.' } },
        required: ['prompt'],
        additionalProperties: false,
      },
      outputSchema: undefined,
      requireApproval: false,
      timeoutMs: undefined,
      execute: async (input, context) => {
        // Traced when this agent has a tracer (`defaultOptions.tracer`): its run nests under the call.
        const result = await this.generate(
          input.prompt,
          context.traceContext === undefined
            ? { abortSignal: context.abortSignal }
            : { abortSignal: context.abortSignal, parentSpan: context.traceContext },
        );
        return { text: result.text };
      },
    };
  }

  private newId(): string {
    return this.config.generateId?.() ?? crypto.randomUUID();
  }

  private dependencies(): RunDependencies {
    return {
      agentId: this.id,
      model: this.model,
      tools: this.tools,
      toolDefinitions: (activeTools) => {
        const offered =
          activeTools === undefined
            ? this.definitions
            : this.definitions.filter((definition) => activeTools.includes(definition.name));
        return offered.length > 0 ? offered : undefined;
      },
      memory: this.memory,
      pendingRuns: this.pendingRuns,
    };
  }

  private hooks(
    options: ResumeOptions,
    streaming: boolean,
    emit: ((event: AgentStreamEvent) => void) | undefined,
  ): RunHooks {
    const structured = options.structuredOutput as StructuredOutputOptions | undefined;
    return {
      signal: options.abortSignal ?? neverAborted,
      callerSignal: options.abortSignal,
      streaming,
      emit,
      onStepFinish: options.onStepFinish,
      tracer: options.tracer,
      structured: structured && {
        schema: structured.schema,
        plan: planStructuredOutput(structured, this.model),
      },
    };
  }

  private async start(
    input: AgentInput,
    callOptions: GenerateOptions,
    streaming: boolean,
    emit: ((event: AgentStreamEvent) => void) | undefined,
  ): Promise<GenerateResult> {
    const options: GenerateOptions = { ...this.config.defaultOptions, ...callOptions };
    const runId = options.runId ?? this.newId();
    const hooks = this.hooks(options, streaming, emit);
    const span = startSpan(hooks.tracer, 'agent.run', 'agent', options.parentSpan, {
      'agent.name': this.name,
      'agent.run_id': runId,
    });
    try {
      emit?.({ type: 'start', runId });
      const initial = this.initialState(runId, input, options, hooks.structured?.plan.instruction);
      const state = initial instanceof Promise ? await initial : initial;
      span?.recordInput?.(state.inputMessages);
      const result = await runLoop(state, this.dependencies(), hooks, span);
      span?.setAttributes({ 'agent.finish_reason': result.finishReason, 'agent.steps': result.steps.length });
      span?.recordOutput?.(result.text);
      span?.setStatus?.('ok');
      return result;
    } catch (error) {
      span?.recordError(error);
      throw error;
    } finally {
      span?.end();
    }
  }

  /** The run's starting state; synchronous unless instructions are a function or memory is read. */
  private initialState(
    runId: string,
    input: AgentInput,
    options: AgentCallOptions,
    structuredInstruction: string | undefined,
  ): RunState | Promise<RunState> {
    const inputMessages: ChatMessage[] =
      typeof input === 'string' ? [{ role: 'user', content: input }] : [...input];
    const { instructions } = this.config;
    const build = (text: string, fromMemory?: MemoryContext) =>
      this.buildState(runId, inputMessages, options, structuredInstruction, text, fromMemory);
    if (typeof instructions === 'string' && options.memory === undefined) return build(instructions);
    return (async () => {
      const text = await this.getInstructions(options.requestContext);
      return build(text, await this.memoryContext(inputMessages, options));
    })();
  }

  /** What memory adds to a run (history, system messages), or `undefined` without memory options. */
  private async memoryContext(
    inputMessages: ChatMessage[],
    options: AgentCallOptions,
  ): Promise<MemoryContext | undefined> {
    if (options.memory === undefined) return undefined;
    if (this.memory === undefined) {
      throw new InvalidArgumentError(`Agent "${this.name}" got memory options but has no memory.`, {
        hint: 'Pass `memory` to `new Agent({ ... })`, or drop `memory` from the call options.',
      });
    }
    const thread = options.memory.thread;
    const memory = {
      threadId: typeof thread === 'string' ? thread : thread.id,
      resourceId: options.memory.resource,
    };
    const context = await this.memory.getContext({
      ...memory,
      input: inputMessages,
      ...(options.abortSignal ? { signal: options.abortSignal } : {}),
    });
    return { memory, systemMessages: context.systemMessages, history: context.messages };
  }

  private buildState(
    runId: string,
    inputMessages: ChatMessage[],
    options: AgentCallOptions,
    structuredInstruction: string | undefined,
    instructions: string,
    fromMemory: MemoryContext | undefined,
  ): RunState {
    const system: string[] = [];
    if (instructions) system.push(instructions);
    if (options.instructions) system.push(options.instructions);
    if (fromMemory) system.push(...fromMemory.systemMessages);
    if (structuredInstruction) system.push(structuredInstruction);
    const messages: ChatMessage[] = [
      ...(system.length > 0 ? [{ role: 'system' as const, content: system.join('\n\n') }] : []),
      ...(fromMemory?.history ?? []),
      ...inputMessages,
    ];
    const maxSteps = options.maxSteps ?? this.config.maxSteps ?? 5;
    if (!(maxSteps >= 1)) throw new InvalidArgumentError(`maxSteps must be at least 1, got ${maxSteps}.`);
    const persisted: RunState['options'] = { maxSteps };
    if (options.toolChoice !== undefined) persisted.toolChoice = options.toolChoice;
    if (options.activeTools !== undefined) persisted.activeTools = options.activeTools;
    if (options.temperature !== undefined) persisted.temperature = options.temperature;
    if (options.maxTokens !== undefined) persisted.maxTokens = options.maxTokens;
    if (fromMemory !== undefined) persisted.memory = fromMemory.memory;
    return {
      version: 1,
      agentId: this.id,
      runId,
      messages,
      inputMessages,
      responseStart: messages.length,
      steps: [],
      options: persisted,
      updatedAt: Date.now(),
    };
  }

  private decide(
    runId: string,
    toolCallId: string,
    decision: 'approved' | 'declined',
    reason: string | undefined,
    options: ResumeOptions,
    emit?: (event: AgentStreamEvent) => void,
  ): Promise<GenerateResult> {
    // Decisions on one run are serialised so two approvals do not overwrite each other's state.
    const previous = this.runLocks.get(runId) ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(() => this.resume(runId, toolCallId, decision, reason, options, emit));
    this.runLocks.set(runId, next);
    next
      .finally(() => {
        if (this.runLocks.get(runId) === next) this.runLocks.delete(runId);
      })
      .catch(() => {});
    return next;
  }

  private async resume(
    runId: string,
    toolCallId: string,
    decision: 'approved' | 'declined',
    reason: string | undefined,
    options: ResumeOptions,
    emit: ((event: AgentStreamEvent) => void) | undefined,
  ): Promise<GenerateResult> {
    const state = await this.pendingRuns.load(this.id, runId);
    if (state?.suspendedStep === undefined) {
      throw new NotFoundError(`Agent "${this.name}" has no suspended run "${runId}".`, {
        hint: 'The run finished already, or it was suspended with a different storage or agent id.',
      });
    }
    const call = state.suspendedStep.pending.find((pending) => pending.toolCallId === toolCallId);
    if (call === undefined) {
      throw new NotFoundError(`Run "${runId}" has no pending tool call "${toolCallId}".`, {
        hint: 'Use `result.pendingToolCalls` or `agent.listPendingRuns()` for the ids.',
      });
    }
    if (call.decision !== undefined) {
      throw new ConflictError(`Tool call "${toolCallId}" was already ${call.decision}.`);
    }
    call.decision = decision;
    if (reason !== undefined) call.reason = reason;
    const hooks = this.hooks(options, emit !== undefined, emit);
    hooks.emit?.({ type: 'start', runId });
    if (state.suspendedStep.pending.some((pending) => pending.decision === undefined)) {
      await this.pendingRuns.save(state);
      return runResult(state, undefined, 'suspended');
    }
    const span = startSpan(hooks.tracer, 'agent.run', 'agent', undefined, {
      'agent.name': this.name,
      'agent.run_id': runId,
    });
    try {
      const deps = this.dependencies();
      await completeSuspendedStep(state, deps, hooks, span);
      const result = await runLoop(state, deps, hooks, span);
      span?.setAttributes({ 'agent.finish_reason': result.finishReason, 'agent.steps': result.steps.length });
      span?.recordOutput?.(result.text);
      span?.setStatus?.('ok');
      if (result.finishReason !== 'suspended') await this.pendingRuns.delete(this.id, runId);
      return result;
    } catch (error) {
      span?.recordError(error);
      throw error;
    } finally {
      span?.end();
    }
  }
}

/**
 * Wraps a run in the stream object: events are buffered, the run's result closes the streams
 * with `finish` (or `error`), and every promise can be awaited or ignored.
 */
function streamOf(
  runId: string,
  run: (emit: (event: AgentStreamEvent) => void) => Promise<GenerateResult>,
): AgentStream {
  const broadcaster = new EventBroadcaster();
  const result = run((event) => broadcaster.emit(event)).then(
    (value) => {
      broadcaster.emit({ type: 'finish', result: value });
      return value;
    },
    (error: unknown) => {
      broadcaster.emit({ type: 'error', error });
      throw error;
    },
  );
  const field = <K extends keyof GenerateResult>(key: K) => {
    const promise = result.then((value) => value[key]);
    promise.catch(() => {});
    return promise;
  };
  result.catch(() => {});
  return {
    runId,
    get fullStream() {
      return broadcaster.stream((event: AgentStreamEvent) => event);
    },
    get textStream() {
      return broadcaster.stream((event: AgentStreamEvent) =>
        event.type === 'text-delta' ? event.delta : undefined,
      );
    },
    result,
    text: field('text'),
    object: field('object'),
    usage: field('usage'),
    finishReason: field('finishReason'),
    toolCalls: field('toolCalls'),
    steps: field('steps'),
  };
}
