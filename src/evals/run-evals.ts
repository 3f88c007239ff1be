import { AbortedError, InvalidArgumentError, LumosError } from '../errors/index.js';
import type { EvalResultRecord, EvalResultStore } from '../storage/types.js';
import type { Span, Tracer } from '../telemetry/index.js';
import { type ItemScore, type ScorerSummary, summarise } from './summary.js';
import { type EvalTarget, invokeTarget, targetIdOf } from './targets.js';
import type { Scorer, ScorerRun } from './types.js';

/** One dataset row. */
export interface EvalItem<TInput = unknown> {
  input: TInput;
  groundTruth?: unknown;
  context?: string[];
}

export interface EvalProgress {
  done: number;
  total: number;
  itemIndex: number;
  /** Whether the target failed on this item. */
  targetFailed: boolean;
}

export interface RunEvalsOptions<TInput> {
  /** What is evaluated: a function, an agent (`generate`) or a workflow (`createRun().start`). */
  target: EvalTarget<TInput>;
  data: EvalItem<TInput>[];
  scorers: Scorer[];
  /** Items evaluated at once (each item runs its scorers in parallel). @default 4 */
  concurrency?: number;
  /** Stops starting items; results so far are persisted, then `AbortedError` is thrown. */
  signal?: AbortSignal;
  onProgress?: (progress: EvalProgress) => void;
  /** Where per-item results go (`IndexedDBStorage`, `InMemoryStorage`, any `EvalResultStore`). */
  storage?: EvalResultStore;
  /** Stored with the results. @default the target's id/name, else 'function' */
  targetId?: string;
  /** Groups this run's stored results. @default a random UUID */
  evalRunId?: string;
  /** A score below this (above, for lower-is-better scorers) is listed as a failure. @default 0.5 */
  passThreshold?: number;
  /** Results written per storage call. @default 50 */
  persistBatchSize?: number;
  /** @default Date.now */
  now?: () => number;
  /**
   * Traces the run: an `eval` root span, one child span per item with its scores; function
   * targets get the item span's context as `parentSpan` to nest their own spans.
   */
  tracer?: Tracer;
}

export interface EvalItemResult {
  itemIndex: number;
  input: unknown;
  output: unknown;
  /** Set when the target threw; every scorer then reports the same error. */
  targetError?: { code: string; message: string };
  scores: Record<string, ItemScore>;
}

export interface EvalSummary {
  evalRunId: string;
  targetId: string;
  items: number;
  durationMs: number;
  /** Per scorer: mean, min/max, histogram, failures with reasons. */
  scorers: Record<string, ScorerSummary>;
  results: EvalItemResult[];
}

function errorInfo(error: unknown): { code: string; message: string } {
  if (LumosError.isInstance(error)) return { code: error.code, message: error.message };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

function validate<TInput>(options: RunEvalsOptions<TInput>): void {
  if (options.scorers.length === 0) {
    throw new InvalidArgumentError('runEvals needs at least one scorer.', {
      hint: 'Pass `scorers: [createCompletenessScorer()]` or your own.',
    });
  }
  const ids = options.scorers.map((scorer) => scorer.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate)
    throw new InvalidArgumentError(`Two scorers share the id "${duplicate}"; results are keyed by id.`);
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InvalidArgumentError(`concurrency must be a positive integer, got ${concurrency}.`);
}

/**
 * Runs a target over a dataset, scores each output with every scorer, persists one record per
 * (item, scorer) and returns a summary. A scorer that fails on an item (e.g. a judge that keeps
 * answering malformed JSON) is recorded as an error with `score: null`, never as 0.
 *
 * @example
 * const summary = await runEvals({
 *   target: agent,
 *   data: [{ input: 'Capital of France?', groundTruth: 'Paris' }],
 *   scorers: [createContentSimilarityScorer(), createAnswerRelevancyScorer({ model: judge })],
 *   storage,
 * });
 * summary.scorers['answer-relevancy'].mean;
 */
export async function runEvals<TInput>(options: RunEvalsOptions<TInput>): Promise<EvalSummary> {
  validate(options);
  const now = options.now ?? Date.now;
  const started = now();
  const evalRunId = options.evalRunId ?? globalThis.crypto.randomUUID();
  const targetId = options.targetId ?? targetIdOf(options.target as EvalTarget<never>);
  const concurrency = options.concurrency ?? 4;
  const batchSize = options.persistBatchSize ?? 50;
  const { signal, storage } = options;
  const results: EvalItemResult[] = [];
  let pending: EvalResultRecord[] = [];
  let persisting: Promise<void> = Promise.resolve();

  const persist = (force: boolean): Promise<void> => {
    if (!storage || pending.length === 0 || (!force && pending.length < batchSize)) return persisting;
    const batch = pending;
    pending = [];
    persisting = persisting.then(() => storage.saveEvalResults(batch));
    return persisting;
  };

  const rootSpan: Span | undefined = options.tracer?.startSpan(`eval ${targetId}`, {
    kind: 'eval',
    attributes: { 'lumos.eval.run_id': evalRunId, 'lumos.eval.items': options.data.length },
  });

  const evaluate = async (itemIndex: number): Promise<void> => {
    const item = options.data[itemIndex]!;
    const result: EvalItemResult = { itemIndex, input: item.input, output: undefined, scores: {} };
    const itemSpan = options.tracer?.startSpan(`eval item ${itemIndex}`, { kind: 'eval', parent: rootSpan });
    itemSpan?.recordInput(item.input);
    try {
      const targetOptions: Parameters<typeof invokeTarget>[2] = { itemIndex };
      if (signal) targetOptions.signal = signal;
      if (itemSpan) targetOptions.parentSpan = itemSpan.context();
      const produced = await invokeTarget(options.target, item.input, targetOptions);
      itemSpan?.recordOutput(produced.output);
      result.output = produced.output;
      const run: ScorerRun = { input: item.input, output: produced.output };
      if (item.groundTruth !== undefined) run.groundTruth = item.groundTruth;
      const context = produced.context ?? item.context;
      if (context) run.context = context;
      if (produced.toolCalls) run.toolCalls = produced.toolCalls;
      await Promise.all(
        options.scorers.map(async (scorer) => {
          try {
            const scored = await scorer.run(run, signal ? { signal } : {});
            const entry: ItemScore = { score: scored.score, details: scored.details };
            if (scored.reason !== undefined) entry.reason = scored.reason;
            result.scores[scorer.id] = entry;
          } catch (error) {
            result.scores[scorer.id] = { score: null, error: errorInfo(error) };
          }
        }),
      );
    } catch (error) {
      result.targetError = errorInfo(error);
      for (const scorer of options.scorers)
        result.scores[scorer.id] = { score: null, error: result.targetError };
    }
    if (itemSpan) {
      for (const [scorerId, score] of Object.entries(result.scores)) {
        itemSpan.setAttribute(`lumos.eval.score.${scorerId}`, score.score);
      }
      if (result.targetError) itemSpan.recordError(result.targetError);
      else itemSpan.setStatus('ok');
      itemSpan.end();
    }
    results.push(result);
    const done = results.length;
    for (const scorer of options.scorers) {
      const score = result.scores[scorer.id]!;
      const record: EvalResultRecord = {
        id: `${evalRunId}:${itemIndex}:${scorer.id}`,
        evalRunId,
        scorerId: scorer.id,
        targetId,
        itemIndex,
        input: item.input,
        output: result.output,
        score: score.score,
        createdAt: now(),
      };
      if (score.reason !== undefined) record.reason = score.reason;
      if (score.error !== undefined) record.error = score.error;
      if (score.details !== undefined) record.details = score.details;
      pending.push(record);
    }
    await persist(false);
    options.onProgress?.({
      done,
      total: options.data.length,
      itemIndex,
      targetFailed: !!result.targetError,
    });
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.data.length && !signal?.aborted) await evaluate(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, options.data.length) }, worker));
  await persist(true);
  rootSpan?.setAttribute('lumos.eval.completed', results.length);
  if (signal?.aborted) {
    rootSpan?.setStatus('error', 'aborted');
    rootSpan?.end();
    throw new AbortedError(
      `runEvals was aborted after ${results.length} of ${options.data.length} item(s).`,
      {
        data: { evalRunId, completed: results.length },
      },
    );
  }
  results.sort((a, b) => a.itemIndex - b.itemIndex);
  const scorers: Record<string, ScorerSummary> = {};
  for (const scorer of options.scorers) {
    scorers[scorer.id] = summarise(
      scorer,
      results.map((result) => ({ itemIndex: result.itemIndex, result: result.scores[scorer.id]! })),
      options.passThreshold ?? 0.5,
    );
  }
  if (rootSpan) {
    for (const [scorerId, summary] of Object.entries(scorers)) {
      rootSpan.setAttribute(`lumos.eval.mean.${scorerId}`, summary.mean);
    }
    rootSpan.setStatus('ok');
    rootSpan.end();
  }
  return { evalRunId, targetId, items: results.length, durationMs: now() - started, scorers, results };
}
