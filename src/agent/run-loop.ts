import { AbortedError, LumosError } from '../errors/index.js';
import type { ChatModel, ChatRequest, ChatResult, ToolDefinition, Usage } from '../llm/types.js';
import type { Tool } from '../tools/create-tool.js';
import {
  type ExecuteToolContext,
  executeTool,
  type PreparedToolCall,
  prepareToolCall,
  type ToolResult,
  toolResultContent,
} from '../tools/run-tool.js';
import type { Schema } from '../tools/schema.js';
import type { AgentMemory } from './memory.js';
import type { PendingRunStore, PendingToolCall, RunState } from './pending-runs.js';
import { parseStructuredOutput, type StructuredOutputPlan } from './structured-output.js';
import { type AgentSpan, type AgentTracer, startSpan } from './tracer.js';
import type { AgentStreamEvent, AgentToolCall, GenerateResult, StepResult } from './types.js';

/** What a run needs from its agent. */
export interface RunDependencies {
  agentId: string;
  model: ChatModel;
  tools: ReadonlyMap<string, Tool>;
  toolDefinitions(activeTools: string[] | undefined): ToolDefinition[] | undefined;
  memory: AgentMemory | undefined;
  pendingRuns: PendingRunStore;
}

/** Per-call hooks that are not persisted with the run. */
export interface RunHooks {
  /** The caller's signal, or one that never aborts. */
  signal: AbortSignal;
  /** The caller's own signal, if any: only then is one handed to the model (the LLM layer listens on it). */
  callerSignal: AbortSignal | undefined;
  streaming: boolean;
  /**
   * Receives stream events; `undefined` for `generate`, so no event objects are built for nobody
   * (`hooks.emit?.(…)` skips evaluating its argument).
   */
  emit: ((event: AgentStreamEvent) => void) | undefined;
  onStepFinish: ((step: StepResult) => Promise<void> | void) | undefined;
  tracer: AgentTracer | undefined;
  structured: { schema: Schema; plan: StructuredOutputPlan } | undefined;
}

const zeroUsage = (): Usage => ({ promptTokens: 0, completionTokens: 0, totalTokens: 0 });

function addUsage(total: Usage, step: Usage): Usage {
  return {
    promptTokens: total.promptTokens + step.promptTokens,
    completionTokens: total.completionTokens + step.completionTokens,
    totalTokens: total.totalTokens + step.totalTokens,
  };
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AbortedError('The agent run was aborted.', { cause: signal.reason });
}

/** Calls the model once, streaming text deltas through `emit` when the run streams. */
async function callModel(model: ChatModel, request: ChatRequest, hooks: RunHooks): Promise<ChatResult> {
  try {
    if (!hooks.streaming) return await model.generate(request);
    // Read to the end rather than returning at `finish`: leaving the body unread would stop the
    // HTTP connection from being reused for the next step.
    let result: ChatResult | undefined;
    for await (const event of model.stream(request)) {
      if (event.type === 'text-delta') hooks.emit?.({ type: 'text-delta', delta: event.delta });
      else if (event.type === 'finish') result = event.result;
    }
    if (result !== undefined) return result;
    throw new LumosError('invalid_response', 'The model stream ended without a finish event.');
  } catch (error) {
    if (hooks.signal.aborted && !AbortedError.isInstance(error)) {
      throw new AbortedError('The agent run was aborted during a model call.', { cause: error });
    }
    throw error;
  }
}

function toAgentToolCall(
  prepared: PreparedToolCall,
  rawArguments: string,
  name: string,
  id: string,
): AgentToolCall {
  if (prepared.ok)
    return { toolCallId: prepared.toolCallId, toolName: prepared.toolName, args: prepared.args };
  return { toolCallId: id, toolName: name, args: prepared.result.args ?? rawArguments };
}

/** Runs the validated calls concurrently; returns results keyed by call id. */
async function runTools(
  calls: { tool: Tool; prepared: Extract<PreparedToolCall, { ok: true }> }[],
  state: RunState,
  hooks: RunHooks,
  parentSpan: AgentSpan | undefined,
): Promise<ToolResult[]> {
  const runOne = async ({ tool, prepared }: (typeof calls)[number]): Promise<ToolResult> => {
    const span = startSpan(hooks.tracer, 'tool.call', 'tool', parentSpan, {
      'tool.name': prepared.toolName,
    });
    try {
      const context: ExecuteToolContext = {
        abortSignal: hooks.signal,
        runId: state.runId,
        toolCallId: prepared.toolCallId,
        threadId: state.options.memory?.threadId,
        resourceId: state.options.memory?.resourceId,
        writer: {
          write: (data) => hooks.emit?.({ type: 'tool-output', toolCallId: prepared.toolCallId, data }),
        },
      };
      const traceContext = span?.context?.();
      if (traceContext !== undefined) context.traceContext = traceContext;
      const result = await executeTool(tool, prepared, context);
      span?.recordInput?.(prepared.args);
      span?.recordOutput?.(result.result);
      if (result.isError) span?.setAttributes({ 'tool.error': JSON.stringify(result.result) });
      else span?.setStatus?.('ok');
      hooks.emit?.({ type: 'tool-result', toolResult: result });
      return result;
    } catch (error) {
      span?.recordError(error);
      throw error;
    } finally {
      span?.end();
    }
  };
  if (calls.length === 1) return [await runOne(calls[0]!)];
  return Promise.all(calls.map(runOne));
}

function appendToolMessages(state: RunState, toolCalls: AgentToolCall[], results: ToolResult[]): void {
  const byId = new Map(results.map((result) => [result.toolCallId, result]));
  for (const call of toolCalls) {
    const result = byId.get(call.toolCallId);
    if (result === undefined) continue;
    state.messages.push({
      role: 'tool',
      toolCallId: call.toolCallId,
      name: call.toolName,
      content: toolResultContent(result.result),
    });
  }
}

/** Builds the result object from the run state. */
export function runResult(
  state: RunState,
  object: unknown,
  finishReason: GenerateResult['finishReason'],
): GenerateResult {
  const steps = state.suspendedStep ? [...state.steps, state.suspendedStep.step] : state.steps;
  return {
    runId: state.runId,
    text: steps.at(-1)?.text ?? '',
    object,
    toolCalls: steps.flatMap((step) => step.toolCalls),
    toolResults: steps.flatMap((step) => step.toolResults),
    steps,
    usage: steps.reduce((total, step) => addUsage(total, step.usage), zeroUsage()),
    finishReason,
    pendingToolCalls: (state.suspendedStep?.pending ?? [])
      .filter((call) => call.decision === undefined)
      .map(({ toolCallId, toolName, args }) => ({ toolCallId, toolName, args })),
    responseMessages: state.messages.slice(state.responseStart),
  };
}

/** Records a finished step; returns a promise only when there is an `onStepFinish` to wait for. */
function finishStep(step: StepResult, state: RunState, hooks: RunHooks): Promise<void> | undefined {
  state.steps.push(step);
  hooks.emit?.({ type: 'step-finish', step });
  return hooks.onStepFinish ? Promise.resolve(hooks.onStepFinish(step)) : undefined;
}

/** Completes a suspended step once every pending call has a decision. */
export async function completeSuspendedStep(
  state: RunState,
  deps: RunDependencies,
  hooks: RunHooks,
  runSpan: AgentSpan | undefined,
): Promise<void> {
  const suspended = state.suspendedStep!;
  const approved = suspended.pending.filter((call) => call.decision === 'approved');
  const declined: ToolResult[] = suspended.pending
    .filter((call) => call.decision === 'declined')
    .map((call) => ({
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      args: call.args,
      isError: true,
      result: {
        error: { code: 'declined', message: call.reason ?? `The user declined to run "${call.toolName}".` },
      },
    }));
  for (const result of declined) hooks.emit?.({ type: 'tool-result', toolResult: result });
  // After a reload the resuming agent may have lost a tool; the model hears about it.
  const missing: ToolResult[] = approved
    .filter((call) => !deps.tools.has(call.toolName))
    .map((call) => ({
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      args: call.args,
      isError: true,
      result: {
        error: { code: 'unknown_tool', message: `The tool "${call.toolName}" is no longer available.` },
      },
    }));
  for (const result of missing) hooks.emit?.({ type: 'tool-result', toolResult: result });
  const executed = await runTools(
    approved.flatMap((call) => {
      const tool = deps.tools.get(call.toolName);
      if (tool === undefined) return [];
      const prepared = {
        ok: true as const,
        toolCallId: call.toolCallId,
        toolName: call.toolName,
        args: call.args,
        input: call.input,
      };
      return [{ tool, prepared }];
    }),
    state,
    hooks,
    runSpan,
  );
  const results = [...suspended.results, ...declined, ...missing, ...executed];
  appendToolMessages(state, suspended.toolCalls, results);
  const order = new Map(suspended.toolCalls.map((call, index) => [call.toolCallId, index]));
  results.sort((left, right) => order.get(left.toolCallId)! - order.get(right.toolCallId)!);
  delete state.suspendedStep;
  await finishStep({ ...suspended.step, toolResults: results }, state, hooks);
}

/**
 * The tool loop: call the model, run the tools it asked for (concurrently), feed the results
 * back, until it answers without tool calls, `maxSteps` is reached, or a call needs approval.
 */
export async function runLoop(
  state: RunState,
  deps: RunDependencies,
  hooks: RunHooks,
  runSpan: AgentSpan | undefined,
): Promise<GenerateResult> {
  let lastFinish: StepResult['finishReason'] = state.steps.at(-1)?.finishReason ?? 'stop';
  while (state.steps.length < state.options.maxSteps) {
    throwIfAborted(hooks.signal);
    const stepNumber = state.steps.length;
    hooks.emit?.({ type: 'step-start', stepNumber });
    let stepFailed = false;
    const stepSpan = startSpan(hooks.tracer, 'agent.step', 'internal', runSpan, {
      'step.number': stepNumber,
    });
    try {
      const request: ChatRequest = { messages: state.messages };
      if (hooks.callerSignal !== undefined) request.signal = hooks.callerSignal;
      // An instrumented model (`traceChatModel`) nests its span under the step through this. The
      // plain context when the span has one: a request may be cloned (a model behind a worker).
      if (stepSpan !== undefined) request.parentSpan = stepSpan.context?.() ?? stepSpan;
      const tools = deps.toolDefinitions(state.options.activeTools);
      if (tools !== undefined) {
        request.tools = tools;
        if (state.options.toolChoice !== undefined) request.toolChoice = state.options.toolChoice;
      }
      if (hooks.structured?.plan.responseFormat)
        request.responseFormat = hooks.structured.plan.responseFormat;
      if (state.options.temperature !== undefined) request.temperature = state.options.temperature;
      if (state.options.maxTokens !== undefined) request.maxTokens = state.options.maxTokens;
      const response = await callModel(deps.model, request, hooks);
      const usage = response.usage ?? zeroUsage();
      stepSpan?.setAttributes({
        'llm.finish_reason': response.finishReason,
        'llm.usage.total_tokens': usage.totalTokens,
      });
      state.messages.push(
        response.toolCalls.length > 0
          ? { role: 'assistant', content: response.text, toolCalls: response.toolCalls }
          : { role: 'assistant', content: response.text },
      );
      lastFinish = response.finishReason;
      const step: StepResult = {
        stepNumber,
        text: response.text,
        toolCalls: [],
        toolResults: [],
        finishReason: response.finishReason,
        usage,
      };
      if (response.toolCalls.length === 0) {
        const finishing = finishStep(step, state, hooks);
        if (finishing) await finishing;
        break;
      }

      const preparing = response.toolCalls.map((call) => prepareToolCall(deps.tools.get(call.name), call));
      // Synchronous schemas validate without a promise; only async ones are awaited.
      const prepared = preparing.some((entry) => entry instanceof Promise)
        ? await Promise.all(preparing)
        : (preparing as PreparedToolCall[]);
      step.toolCalls = prepared.map((entry, index) => {
        const call = response.toolCalls[index]!;
        return toAgentToolCall(entry, call.arguments, call.name, call.id);
      });
      for (const toolCall of step.toolCalls) hooks.emit?.({ type: 'tool-call', toolCall });

      const failed = prepared.flatMap((entry) => (entry.ok ? [] : [entry.result]));
      for (const result of failed) hooks.emit?.({ type: 'tool-result', toolResult: result });
      const runnable: { tool: Tool; prepared: Extract<PreparedToolCall, { ok: true }> }[] = [];
      const pending: PendingToolCall[] = [];
      for (const entry of prepared) {
        if (!entry.ok) continue;
        const tool = deps.tools.get(entry.toolName)!;
        if (tool.requireApproval) {
          const call = {
            toolCallId: entry.toolCallId,
            toolName: entry.toolName,
            args: entry.args,
            input: entry.input,
          };
          pending.push(call);
          hooks.emit?.({
            type: 'tool-approval-required',
            toolCall: { toolCallId: call.toolCallId, toolName: call.toolName, args: call.args },
          });
        } else runnable.push({ tool, prepared: entry });
      }
      const results = [...failed, ...(await runTools(runnable, state, hooks, stepSpan))];

      if (pending.length > 0) {
        state.suspendedStep = {
          step: { ...step, toolResults: results },
          toolCalls: step.toolCalls,
          results,
          pending,
        };
        state.updatedAt = Date.now();
        await deps.pendingRuns.save(state);
        return runResult(state, undefined, 'suspended');
      }
      appendToolMessages(state, step.toolCalls, results);
      step.toolResults = results;
      const finishing = finishStep(step, state, hooks);
      if (finishing) await finishing;
    } catch (error) {
      stepFailed = true;
      stepSpan?.recordError(error);
      throw error;
    } finally {
      if (!stepFailed) stepSpan?.setStatus?.('ok');
      stepSpan?.end();
    }
  }
  throwIfAborted(hooks.signal);

  const lastStep = state.steps.at(-1);
  let object: unknown;
  if (hooks.structured && lastStep !== undefined && lastStep.toolCalls.length === 0) {
    object = await parseStructuredOutput(lastStep.text, hooks.structured.schema);
  }
  if (deps.memory !== undefined && state.options.memory !== undefined) {
    await deps.memory.saveMessages({
      threadId: state.options.memory.threadId,
      resourceId: state.options.memory.resourceId,
      messages: [...state.inputMessages, ...state.messages.slice(state.responseStart)],
    });
  }
  return runResult(state, object, lastFinish);
}
