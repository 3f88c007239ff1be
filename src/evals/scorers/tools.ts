import { createScorer } from '../create-scorer.js';
import type { Scorer, ScorerRun, ToolCallRecord } from '../types.js';

/** The tool calls of a run: `run.toolCalls`, or `output.toolCalls` when the output is an agent result. */
export function toolCallsOf(run: ScorerRun): ToolCallRecord[] {
  if (run.toolCalls) return run.toolCalls;
  const output = run.output as { toolCalls?: unknown } | null;
  return output && typeof output === 'object' && Array.isArray(output.toolCalls)
    ? (output.toolCalls as ToolCallRecord[])
    : [];
}

export interface ToolCalledOptions {
  /** The tool that must be called. */
  name: string;
  /** @default 1 */
  minTimes?: number;
}

/** Tool called: 1 when the run called `name` at least `minTimes` times, else 0. */
export function createToolCalledScorer(options: ToolCalledOptions): Scorer {
  const minTimes = options.minTimes ?? 1;
  return createScorer({
    id: 'tool-called',
    description: `Calls ${options.name} at least ${minTimes} time(s)`,
  })
    .analyze(({ run }) => {
      const names = toolCallsOf(run).map((call) => call.name);
      return { names, times: names.filter((name) => name === options.name).length };
    })
    .generateScore(({ results }) => (results.analyzeStepResult.times >= minTimes ? 1 : 0))
    .generateReason(
      ({ results }) =>
        `${options.name} was called ${results.analyzeStepResult.times} time(s); calls: ${results.analyzeStepResult.names.join(', ') || 'none'}.`,
    );
}

export interface ToolOrderOptions {
  /** Expected tool names in order. */
  order: string[];
  /** `true`: the calls must be exactly this sequence; `false`: it must appear in order, other calls allowed between. @default false */
  strict?: boolean;
}

function isSubsequence(expected: string[], actual: string[]): boolean {
  let next = 0;
  for (const name of actual) if (name === expected[next]) next++;
  return next === expected.length;
}

/** Tool order: 1 when the tools were called in the expected order, else 0. */
export function createToolOrderScorer(options: ToolOrderOptions): Scorer {
  return createScorer({ id: 'tool-order', description: `Calls ${options.order.join(' → ')} in order` })
    .analyze(({ run }) => ({ actual: toolCallsOf(run).map((call) => call.name) }))
    .generateScore(({ results }) => {
      const { actual } = results.analyzeStepResult;
      const ok = options.strict
        ? actual.length === options.order.length &&
          actual.every((name, index) => name === options.order[index])
        : isSubsequence(options.order, actual);
      return ok ? 1 : 0;
    })
    .generateReason(
      ({ results, score }) =>
        `${score === 1 ? 'Order respected' : 'Order not respected'}: expected ${options.order.join(' → ')}, got ${results.analyzeStepResult.actual.join(' → ') || 'no calls'}.`,
    );
}

/** Max tool calls: 1 when the run made at most `max` tool calls, else 0. */
export function createMaxToolCallsScorer(options: { max: number }): Scorer {
  return createScorer({ id: 'max-tool-calls', description: `At most ${options.max} tool call(s)` })
    .analyze(({ run }) => ({ count: toolCallsOf(run).length }))
    .generateScore(({ results }) => (results.analyzeStepResult.count <= options.max ? 1 : 0))
    .generateReason(
      ({ results }) => `${results.analyzeStepResult.count} tool call(s), limit ${options.max}.`,
    );
}
