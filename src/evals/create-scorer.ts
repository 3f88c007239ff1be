import type { z } from 'zod';
import { AbortedError, InvalidArgumentError } from '../errors/index.js';
import { askJudge, type JudgeOptions } from './judge.js';
import type { ScoreOptions, ScoreResult, Scorer, ScorerRun } from './types.js';

export interface StepContext<TOutput> {
  run: ScorerRun<TOutput>;
  signal: AbortSignal | undefined;
}

export interface AnalyzeContext<TOutput, TPre> extends StepContext<TOutput> {
  results: { preprocessStepResult: TPre };
}

export interface ScoreContext<TOutput, TPre, TAnalysis> extends StepContext<TOutput> {
  results: { preprocessStepResult: TPre; analyzeStepResult: TAnalysis };
}

export interface ReasonContext<TOutput, TPre, TAnalysis> extends ScoreContext<TOutput, TPre, TAnalysis> {
  score: number;
}

/** A step answered by the judge model: a prompt built from the context and a schema for its JSON verdict. */
export interface PromptStep<TContext, T> {
  description: string;
  outputSchema: z.ZodType<T>;
  createPrompt(context: TContext): string;
}

/** A pipeline step: a function (sync or async) or, when the scorer has a `judge`, a prompt step. */
export type Step<TContext, T> = ((context: TContext) => T | Promise<T>) | PromptStep<TContext, T>;

/** A reason step: a function, or a prompt whose plain-text answer is the reason. */
export type ReasonStep<TContext> =
  | ((context: TContext) => string | undefined | Promise<string | undefined>)
  | { description: string; createPrompt(context: TContext): string };

export interface CreateScorerOptions {
  /** Stable id, stored with every result (e.g. `'answer-relevancy'`). */
  id: string;
  description: string;
  /** The model that answers prompt steps. Required when any step is a prompt step. */
  judge?: JudgeOptions;
  /** @default 'higher' */
  better?: 'higher' | 'lower';
}

interface Pipeline {
  options: CreateScorerOptions;
  preprocess?: Step<never, unknown>;
  analyze?: Step<never, unknown>;
  score?: (context: never) => number | Promise<number>;
  reason?: ReasonStep<unknown>;
}

/** Builds a scorer step by step: `.preprocess()` and `.analyze()` are optional, `.generateScore()` finishes it. */
export interface ScorerBuilder<TOutput, TPre, TAnalysis> {
  /** Prepares the run (e.g. extracts statements); its result reaches later steps as `results.preprocessStepResult`. */
  preprocess<T>(step: Step<StepContext<TOutput>, T>): ScorerBuilder<TOutput, T, TAnalysis>;
  /** Judges the run (e.g. one verdict per statement); its result is `results.analyzeStepResult`. */
  analyze<T>(step: Step<AnalyzeContext<TOutput, TPre>, T>): ScorerBuilder<TOutput, TPre, T>;
  /** Turns the results into a number in [0, 1]; the scorer is usable from here. */
  generateScore(
    step: (context: ScoreContext<TOutput, TPre, TAnalysis>) => number | Promise<number>,
  ): ScorerWithReason<TOutput, TPre, TAnalysis>;
}

/** A finished scorer that may still get a reason step. */
export interface ScorerWithReason<TOutput, TPre, TAnalysis> extends Scorer<TOutput> {
  /** Explains the score in words; the result is `reason` on every score. */
  generateReason(step: ReasonStep<ReasonContext<TOutput, TPre, TAnalysis>>): Scorer<TOutput>;
}

function isPromptStep(
  step: unknown,
): step is { description: string; createPrompt(context: unknown): string } {
  return typeof step === 'object' && step !== null && 'createPrompt' in step;
}

function requireJudge(pipeline: Pipeline, stepName: string): JudgeOptions {
  if (pipeline.options.judge) return pipeline.options.judge;
  throw new InvalidArgumentError(
    `Scorer "${pipeline.options.id}" has a prompt ${stepName} step but no judge.`,
    {
      hint: 'Pass `judge: { model, instructions }` to createScorer, or make the step a function.',
    },
  );
}

async function runStep(
  pipeline: Pipeline,
  name: string,
  step: Step<never, unknown>,
  context: StepContext<unknown>,
) {
  if (!isPromptStep(step)) return (step as (context: unknown) => unknown)(context);
  const judge = requireJudge(pipeline, name);
  const prompt = step as PromptStep<unknown, unknown>;
  const call: Parameters<typeof askJudge>[1] = {
    prompt: prompt.createPrompt(context),
    schema: prompt.outputSchema,
    name: `${pipeline.options.id}_${name}`.replace(/[^a-zA-Z0-9_-]/g, '_'),
  };
  if (context.signal) call.signal = context.signal;
  return askJudge(judge, call);
}

async function runPipeline(
  pipeline: Pipeline,
  run: ScorerRun<unknown>,
  options: ScoreOptions = {},
): Promise<ScoreResult> {
  const signal = options.signal;
  const checkAborted = () => {
    if (signal?.aborted) throw new AbortedError(`Scoring with "${pipeline.options.id}" was aborted.`);
  };
  checkAborted();
  const base = { run, signal };
  const preprocessStepResult = pipeline.preprocess
    ? await runStep(pipeline, 'preprocess', pipeline.preprocess, base)
    : undefined;
  checkAborted();
  const analyzeStepResult = pipeline.analyze
    ? await runStep(pipeline, 'analyze', pipeline.analyze, {
        ...base,
        results: { preprocessStepResult },
      } as StepContext<unknown>)
    : undefined;
  checkAborted();
  const results = { preprocessStepResult, analyzeStepResult };
  const score = await (pipeline.score as (context: unknown) => number | Promise<number>)({
    ...base,
    results,
  });
  if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 1) {
    throw new InvalidArgumentError(
      `Scorer "${pipeline.options.id}" produced ${String(score)}, not a score.`,
      {
        hint: 'generateScore must return a finite number between 0 and 1.',
      },
    );
  }
  const details: Record<string, unknown> = {};
  if (preprocessStepResult !== undefined) details.preprocessStepResult = preprocessStepResult;
  if (analyzeStepResult !== undefined) details.analyzeStepResult = analyzeStepResult;
  const outcome: ScoreResult = { score, details };
  if (pipeline.reason) {
    const reasonContext = { ...base, results, score };
    let reason: string | undefined;
    if (isPromptStep(pipeline.reason)) {
      const judge = requireJudge(pipeline, 'reason');
      const request: Parameters<typeof judge.model.generate>[0] = {
        messages: [
          { role: 'system', content: judge.instructions },
          { role: 'user', content: pipeline.reason.createPrompt(reasonContext) },
        ],
        temperature: judge.temperature ?? 0,
      };
      if (signal) request.signal = signal;
      reason = (await judge.model.generate(request)).text.trim();
    } else {
      reason = await (
        pipeline.reason as (context: unknown) => string | undefined | Promise<string | undefined>
      )(reasonContext);
    }
    if (reason) outcome.reason = reason;
  }
  return outcome;
}

function finished<TOutput, TPre, TAnalysis>(pipeline: Pipeline): ScorerWithReason<TOutput, TPre, TAnalysis> {
  return {
    id: pipeline.options.id,
    description: pipeline.options.description,
    better: pipeline.options.better ?? 'higher',
    run: (run, options) => runPipeline(pipeline, run as ScorerRun<unknown>, options),
    generateReason: (step) => finished({ ...pipeline, reason: step as ReasonStep<unknown> }),
  };
}

function builder<TOutput, TPre, TAnalysis>(pipeline: Pipeline): ScorerBuilder<TOutput, TPre, TAnalysis> {
  return {
    preprocess: (step) => builder({ ...pipeline, preprocess: step as Step<never, unknown> }),
    analyze: (step) => builder({ ...pipeline, analyze: step as Step<never, unknown> }),
    generateScore: (step) => finished({ ...pipeline, score: step as (context: never) => number }),
  };
}

/**
 * Creates a scorer with Mastra's pipeline: preprocess → analyze → generateScore → generateReason.
 * Steps are functions, or prompt steps answered by `judge` with a schema-validated JSON verdict.
 *
 * @example
 * const short = createScorer<string>({ id: 'short', description: 'Answers under 50 words' })
 *   .preprocess(({ run }) => run.output.split(/\s+/).length)
 *   .generateScore(({ results }) => (results.preprocessStepResult <= 50 ? 1 : 0))
 *   .generateReason(({ results }) => `${results.preprocessStepResult} words`);
 */
export function createScorer<TOutput = unknown>(
  options: CreateScorerOptions,
): ScorerBuilder<TOutput, undefined, undefined> {
  if (!options.id)
    throw new InvalidArgumentError('createScorer needs an `id`.', {
      hint: "e.g. createScorer({ id: 'tone', ... })",
    });
  return builder({ options });
}
