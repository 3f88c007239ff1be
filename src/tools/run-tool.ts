import { AbortedError, LumosError } from '../errors/index.js';
import type { ToolCall } from '../llm/types.js';
import type { Tool, ToolExecutionContext } from './create-tool.js';
import type { SchemaIssue } from './json-schema-validator.js';
import { formatIssues, type SchemaValidation, validateSchemaNow } from './schema.js';

/**
 * The result a tool call returns to the model when it failed. The model sees it as the tool
 * message, so it can fix its arguments and call again instead of the run throwing.
 */
export interface ToolErrorResult {
  error: {
    code: 'validation' | 'timeout' | 'tool_execution' | 'declined' | 'unknown_tool' | (string & {});
    message: string;
    issues?: SchemaIssue[];
  };
}

/** One finished tool call: what the model asked for and what it got back. */
export interface ToolResult {
  toolCallId: string;
  toolName: string;
  /** The parsed arguments, or the raw text when it was not JSON. */
  args: unknown;
  /** The tool's output, or a {@link ToolErrorResult} when `isError`. */
  result: unknown;
  isError: boolean;
}

export type PreparedToolCall =
  | { ok: true; toolCallId: string; toolName: string; args: unknown; input: unknown }
  | { ok: false; result: ToolResult };

function errorResult(call: ToolCall, args: unknown, error: ToolErrorResult['error']): ToolResult {
  return { toolCallId: call.id, toolName: call.name, args, result: { error }, isError: true };
}

/** Parses the model's JSON arguments; `undefined` when they are not JSON. */
export function parseToolArguments(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Parses and validates a call's arguments. Invalid arguments give a ready error result that
 * tells the model what to fix. Synchronous when the schema validates synchronously.
 */
export function prepareToolCall(
  tool: Tool | undefined,
  call: ToolCall,
): PreparedToolCall | Promise<PreparedToolCall> {
  const parsed = parseToolArguments(call.arguments);
  const args = parsed.ok ? parsed.value : call.arguments;
  if (tool === undefined) {
    return {
      ok: false,
      result: errorResult(call, args, {
        code: 'unknown_tool',
        message: `There is no tool named "${call.name}". Call one of the tools you were given.`,
      }),
    };
  }
  if (!parsed.ok) {
    return {
      ok: false,
      result: errorResult(call, args, {
        code: 'validation',
        message: `The arguments of "${call.name}" are not valid JSON. Send one JSON object that matches the tool's parameters.`,
      }),
    };
  }
  const validation = validateSchemaNow(tool.inputSchema, parsed.value);
  return validation instanceof Promise
    ? validation.then((settled) => preparedFrom(call, args, settled))
    : preparedFrom(call, args, validation);
}

function preparedFrom(
  call: ToolCall,
  args: unknown,
  validation: SchemaValidation<unknown>,
): PreparedToolCall {
  if (!validation.success) {
    return {
      ok: false,
      result: errorResult(call, args, {
        code: 'validation',
        message: `Invalid arguments for "${call.name}":\n${formatIssues(validation.issues)}\nFix them and call the tool again.`,
        issues: validation.issues,
      }),
    };
  }
  return { ok: true, toolCallId: call.id, toolName: call.name, args, input: validation.value };
}

/**
 * A signal that never aborts, for runs whose caller gave none: `executeTool` knows it need not
 * watch it.
 */
export const neverAborted: AbortSignal = new AbortController().signal;

/** Context for {@link executeTool}; `abortSignal` is the run's signal (the tool timeout is added here). */
export type ExecuteToolContext = ToolExecutionContext;

/**
 * Runs a validated call. Failures (a throw, a timeout, an output that breaks `outputSchema`)
 * become error results for the model; only an abort of the run itself is thrown.
 */
export async function executeTool(
  tool: Tool,
  prepared: Extract<PreparedToolCall, { ok: true }>,
  context: ExecuteToolContext,
): Promise<ToolResult> {
  const call: ToolCall = { id: prepared.toolCallId, name: prepared.toolName, arguments: '' };
  const runSignal = context.abortSignal;
  if (runSignal.aborted)
    throw new AbortedError('The run was aborted before the tool ran.', { cause: runSignal.reason });
  // Nothing can stop the call (no timeout, a signal that never aborts): run it without the
  // race, the listeners and the promises that watching would take.
  if (tool.timeoutMs === undefined && runSignal === neverAborted) {
    try {
      return await validatedOutput(tool, prepared, call, await tool.execute(prepared.input, context));
    } catch (error) {
      if (AbortedError.isInstance(error)) throw error;
      return failedResult(call, prepared, error);
    }
  }
  // A tool without a timeout gets the run's own signal: creating an AbortController per call
  // shows up in profiles of the agent loop.
  const controller = tool.timeoutMs === undefined ? undefined : new AbortController();
  const signal = controller?.signal ?? runSignal;
  const abortFromRun = () => controller?.abort(runSignal.reason);
  if (controller) runSignal.addEventListener('abort', abortFromRun, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  let onStop: (() => void) | undefined;
  const stopped = new Promise<'timeout' | 'aborted'>((resolve) => {
    onStop = () => resolve(timedOut ? 'timeout' : 'aborted');
    signal.addEventListener('abort', onStop, { once: true });
  });
  if (controller !== undefined) {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`Tool timed out after ${tool.timeoutMs} ms`, 'TimeoutError'));
    }, tool.timeoutMs);
  }
  try {
    const running = tool.execute(prepared.input, { ...context, abortSignal: signal });
    const outcome = await Promise.race([running.then((value) => ({ value })), stopped]);
    if (outcome === 'aborted') {
      running.catch(() => {});
      throw new AbortedError(`The run was aborted while "${prepared.toolName}" was running.`, {
        cause: runSignal.reason,
      });
    }
    if (outcome === 'timeout') {
      running.catch(() => {});
      return errorResult(call, prepared.args, {
        code: 'timeout',
        message: `"${prepared.toolName}" did not finish within ${tool.timeoutMs} ms.`,
      });
    }
    return await validatedOutput(tool, prepared, call, outcome.value);
  } catch (error) {
    if (AbortedError.isInstance(error) || runSignal.aborted) {
      throw AbortedError.isInstance(error)
        ? error
        : new AbortedError(`The run was aborted while "${prepared.toolName}" was running.`, { cause: error });
    }
    return failedResult(call, prepared, error);
  } finally {
    clearTimeout(timer);
    runSignal.removeEventListener('abort', abortFromRun);
    if (onStop) signal.removeEventListener('abort', onStop);
  }
}

/** The result of a call whose tool returned `value`, checked against its `outputSchema`. */
async function validatedOutput(
  tool: Tool,
  prepared: Extract<PreparedToolCall, { ok: true }>,
  call: ToolCall,
  value: unknown,
): Promise<ToolResult> {
  if (tool.outputSchema === undefined) return { ...okResult(prepared), result: value };
  const validation = await validateSchemaNow(tool.outputSchema, value);
  if (!validation.success) {
    return errorResult(call, prepared.args, {
      code: 'validation',
      message: `"${prepared.toolName}" returned output that does not match its outputSchema:\n${formatIssues(validation.issues)}`,
      issues: validation.issues,
    });
  }
  return { ...okResult(prepared), result: validation.value };
}

/** The error result of a tool that threw (an abort of the run is handled by the caller). */
function failedResult(
  call: ToolCall,
  prepared: Extract<PreparedToolCall, { ok: true }>,
  error: unknown,
): ToolResult {
  return errorResult(call, prepared.args, {
    code: LumosError.isInstance(error) ? error.code : 'tool_execution',
    message: `"${prepared.toolName}" failed: ${error instanceof Error ? error.message : String(error)}`,
  });
}

function okResult(prepared: Extract<PreparedToolCall, { ok: true }>): Omit<ToolResult, 'result'> {
  return {
    toolCallId: prepared.toolCallId,
    toolName: prepared.toolName,
    args: prepared.args,
    isError: false,
  };
}

/** The text a tool result becomes in the conversation (`role: 'tool'` message content). */
export function toolResultContent(result: unknown): string {
  if (typeof result === 'string') return result;
  return JSON.stringify(result ?? null);
}
