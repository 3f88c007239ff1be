import type { ChatMessage, ChatModel, FinishReason, ToolChoice, Usage } from '../llm/types.js';
import type { KeyValueStore } from '../storage/types.js';
import type { Tool } from '../tools/create-tool.js';
import type { ToolResult } from '../tools/run-tool.js';
import type { Schema } from '../tools/schema.js';
import type { AgentMemory } from './memory.js';
import type { AgentTracer } from './tracer.js';

/** Values a caller passes to dynamic instructions (user locale, feature flags, …). */
export type RequestContext = Record<string, unknown>;

/** Something an agent can be given as a tool: a {@link Tool} or another agent (a sub-agent). */
export interface ToolLike {
  asTool(): Tool;
}

export type AgentTools = Record<string, Tool | ToolLike>;

/** Why a run stopped: the model's reason, or `suspended` while tool calls wait for approval. */
export type AgentFinishReason = FinishReason | 'suspended';

/** A tool call as the agent reports it, with arguments parsed when they were JSON. */
export interface AgentToolCall {
  toolCallId: string;
  toolName: string;
  args: unknown;
}

/** One model call and the tool calls it led to. */
export interface StepResult {
  stepNumber: number;
  text: string;
  toolCalls: AgentToolCall[];
  toolResults: ToolResult[];
  finishReason: FinishReason;
  usage: Usage;
}

export interface StructuredOutputOptions<S extends Schema = Schema> {
  schema: S;
  /** Name of the schema sent with JSON-schema mode. @default 'response' */
  name?: string;
  /**
   * `auto` uses the endpoint's JSON-schema mode when `model.capabilities.jsonSchema`, else
   * instructions plus repair. @default 'auto'
   */
  mode?: 'auto' | 'json-schema' | 'instructions';
}

/** Options of one `generate` / `stream` call (also the agent's `defaultOptions`). */
export interface AgentCallOptions {
  /** Model calls in one run, tool steps included. @default the agent's `maxSteps` */
  maxSteps?: number;
  /** @default 'auto' */
  toolChoice?: ToolChoice;
  /** Names of the tools offered in this call. @default all tools */
  activeTools?: string[];
  /** Aborts the model call in flight and the running tools; the run rejects with `AbortedError`. */
  abortSignal?: AbortSignal;
  temperature?: number;
  maxTokens?: number;
  /** Extra system instructions appended for this call. */
  instructions?: string;
  /** Passed to dynamic `instructions`. @default {} */
  requestContext?: RequestContext;
  /** Loads context from and saves the exchange to the agent's memory. */
  memory?: { thread: string | { id: string }; resource: string };
  /** Called after each step, awaited before the next one. */
  onStepFinish?: (step: StepResult) => Promise<void> | void;
  /** Tracing hook; spans are `agent.run`, `agent.step`, `tool.call`. */
  tracer?: AgentTracer;
  /**
   * The span the run's `agent.run` span nests under, passed to the tracer as `parent` (a span or a
   * span context, e.g. the `traceContext` of the tool call that runs this agent as a sub-agent).
   * @default none: the run starts a trace
   */
  parentSpan?: unknown;
  /** Identifies the run; generated when left out. */
  runId?: string;
}

/** Options of `generate` / `stream`: call options plus structured output. */
export interface GenerateOptions<S extends Schema = Schema> extends AgentCallOptions {
  /** Ask for a JSON value matching `schema`; the result's `object` holds it, validated. */
  structuredOutput?: StructuredOutputOptions<S>;
}

export type AgentInput = string | ChatMessage[];

/** What `generate` resolves to. */
export interface GenerateResult<TObject = unknown> {
  runId: string;
  /** The text of the last step. */
  text: string;
  /** The validated structured output, when `structuredOutput` was given. */
  object: TObject | undefined;
  /** Tool calls of every step. */
  toolCalls: AgentToolCall[];
  /** Tool results of every step. */
  toolResults: ToolResult[];
  steps: StepResult[];
  /** Summed over all steps. */
  usage: Usage;
  finishReason: AgentFinishReason;
  /** Calls waiting for `approveToolCall` / `declineToolCall` when `finishReason` is `suspended`. */
  pendingToolCalls: AgentToolCall[];
  /** The messages this run added (assistant and tool messages). */
  responseMessages: ChatMessage[];
}

/** Events of `agent.stream(...).fullStream`. */
export type AgentStreamEvent =
  | { type: 'start'; runId: string }
  | { type: 'step-start'; stepNumber: number }
  | { type: 'text-delta'; delta: string }
  | { type: 'tool-call'; toolCall: AgentToolCall }
  | { type: 'tool-output'; toolCallId: string; data: unknown }
  | { type: 'tool-result'; toolResult: ToolResult }
  | { type: 'tool-approval-required'; toolCall: AgentToolCall }
  | { type: 'step-finish'; step: StepResult }
  | { type: 'finish'; result: GenerateResult }
  | { type: 'error'; error: unknown };

/** Constructor options of {@link Agent}. */
export interface AgentConfig {
  /** Stable id used in persisted run state. @default name */
  id?: string;
  name: string;
  /** What this agent does; shown to a parent agent when used as a sub-agent. */
  description?: string;
  instructions: string | ((requestContext: RequestContext) => string | Promise<string>);
  model: ChatModel;
  /** @default {} */
  tools?: AgentTools;
  memory?: AgentMemory;
  /** Model calls per run. @default 5 */
  maxSteps?: number;
  defaultOptions?: AgentCallOptions;
  /** Where suspended runs (pending approvals) persist. @default an in-memory store */
  storage?: KeyValueStore;
  /** Generates run ids. @default crypto.randomUUID */
  generateId?: () => string;
}
