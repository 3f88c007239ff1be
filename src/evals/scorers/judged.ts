import type { z } from 'zod';
import { InvalidArgumentError } from '../../errors/index.js';
import type { ChatModel } from '../../llm/types.js';
import { createScorer } from '../create-scorer.js';
import { askJudge } from '../judge.js';
import { asText } from '../text.js';
import type { Scorer, ScorerRun } from '../types.js';

/** Options every LLM-judged scorer takes. */
export interface JudgedScorerOptions {
  /** The judge model (any `ChatModel`, e.g. `openai({ model: 'gpt-4o-mini' })`). */
  model: ChatModel;
  /** Replaces the scorer's default judge instructions. */
  instructions?: string;
  /** Extra attempts after a malformed verdict before the item is reported as an `EvalJudgeError`. @default 2 */
  maxRetries?: number;
}

export type Ask = <T>(prompt: string, schema: z.ZodType<T>) => Promise<T>;

interface JudgedSpec<T> {
  id: string;
  description: string;
  better?: 'higher' | 'lower';
  instructions: string;
  analyze(run: ScorerRun, ask: Ask): Promise<T>;
  score(analysis: T): number;
  reason(analysis: T, score: number): string;
}

/** Builds an LLM-judged scorer: one structured judge call in `analyze`, a pure score and reason. */
export function judgedScorer<T>(options: JudgedScorerOptions, spec: JudgedSpec<T>): Scorer {
  const judge = {
    model: options.model,
    instructions: options.instructions ?? spec.instructions,
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
  };
  return createScorer({ id: spec.id, description: spec.description, judge, better: spec.better ?? 'higher' })
    .analyze(({ run, signal }) =>
      spec.analyze(run, (prompt, schema) =>
        askJudge(judge, {
          prompt,
          schema,
          name: spec.id.replace(/[^a-zA-Z0-9_-]/g, '_'),
          ...(signal ? { signal } : {}),
        }),
      ),
    )
    .generateScore(({ results }) => spec.score(results.analyzeStepResult))
    .generateReason(({ results, score }) => spec.reason(results.analyzeStepResult, score));
}

/** The run's context passages, or an error naming the scorer that needs them. */
export function requireContext(id: string, run: ScorerRun): string[] {
  if (!run.context || run.context.length === 0) {
    throw new InvalidArgumentError(
      `Scorer "${id}" needs \`context\` (the passages the answer should rely on).`,
      {
        hint: 'Give each dataset item `context: [...]`, or return it from the target.',
      },
    );
  }
  return run.context;
}

export function requireGroundTruthText(id: string, run: ScorerRun): string {
  if (run.groundTruth === undefined) {
    throw new InvalidArgumentError(
      `Scorer "${id}" needs a groundTruth (the expected answer) for every item.`,
    );
  }
  return asText(run.groundTruth);
}

/** Numbered passages for a prompt. */
export function numbered(passages: string[]): string {
  return passages.map((passage, index) => `[${index}] ${passage}`).join('\n');
}

/** Share of `count` in `total`, or `empty` when there is nothing to count. */
export function share(count: number, total: number, empty: number): number {
  return total === 0 ? empty : count / total;
}

/** "2 of 5 (a; b)" with at most three quoted examples. */
export function listed(items: string[], total: number): string {
  const examples = items.slice(0, 3).map((item) => `"${item.slice(0, 80)}"`);
  return `${items.length} of ${total}${examples.length ? ` (${examples.join('; ')})` : ''}`;
}
