import { InvalidArgumentError, LumosError } from '../errors/index.js';
import type { EvalResultRecord, EvalResultStore } from '../storage/types.js';
import type { AgentResultLike } from './targets.js';
import type { ScoreResult, Scorer, ScorerRun } from './types.js';

export interface LiveScore {
  scorerId: string;
  run: ScorerRun;
  result: ScoreResult | undefined;
  error: { code: string; message: string } | undefined;
}

export interface ScoringOptions {
  scorers: Scorer[];
  /** Share of runs scored; `rate: 0.1` scores about one run in ten. @default { rate: 1 } */
  sampling?: { rate: number };
  /** Where live scores are stored (as eval results with `evalRunId`). */
  storage?: EvalResultStore;
  /** @default 'live' */
  evalRunId?: string;
  /** @default 'agent' */
  targetId?: string;
  /** Called with each score (or scorer error) as it completes. */
  onScore?: (score: LiveScore) => void;
  /** Called when storing a score fails. @default console.warn */
  onError?: (error: unknown) => void;
  /** @default Math.random */
  random?: () => number;
  /** @default Date.now */
  now?: () => number;
}

/** Scores finished runs in the background; the caller never waits for the judge. */
export interface ScoringHook {
  /** Hands a finished run over; it is sampled, then scored without blocking the caller. */
  onResult(run: ScorerRun): void;
  /** Resolves when every scoring started so far has finished (for tests and shutdown). */
  idle(): Promise<void>;
}

/**
 * Creates the hook an agent calls after each run (`hook.onResult({ input, output, toolCalls })`).
 * Scoring is sampled and runs in the background; results go to `storage` and `onScore`.
 */
export function createScoringHook(options: ScoringOptions): ScoringHook {
  const rate = options.sampling?.rate ?? 1;
  if (!(rate >= 0 && rate <= 1))
    throw new InvalidArgumentError(`sampling.rate must be in [0, 1], got ${rate}.`);
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const onError =
    options.onError ??
    ((error: unknown) => globalThis.console.warn('[lumos.evals] storing a live score failed', error));
  const inFlight = new Set<Promise<void>>();
  let sequence = 0;

  const score = async (run: ScorerRun, itemIndex: number): Promise<void> => {
    const records: EvalResultRecord[] = [];
    const runKey = globalThis.crypto.randomUUID();
    await Promise.all(
      options.scorers.map(async (scorer) => {
        let result: ScoreResult | undefined;
        let error: LiveScore['error'];
        try {
          result = await scorer.run(run);
        } catch (caught) {
          error = LumosError.isInstance(caught)
            ? { code: caught.code, message: caught.message }
            : { code: 'internal', message: caught instanceof Error ? caught.message : String(caught) };
        }
        options.onScore?.({ scorerId: scorer.id, run, result, error });
        const evalRunId = options.evalRunId ?? 'live';
        const record: EvalResultRecord = {
          id: `${evalRunId}:${runKey}:${scorer.id}`,
          evalRunId,
          scorerId: scorer.id,
          targetId: options.targetId ?? 'agent',
          itemIndex,
          input: run.input,
          output: run.output,
          score: result ? result.score : null,
          createdAt: now(),
        };
        if (result?.reason !== undefined) record.reason = result.reason;
        if (result) record.details = result.details;
        if (error) record.error = error;
        records.push(record);
      }),
    );
    if (options.storage) await options.storage.saveEvalResults(records).catch(onError);
  };

  return {
    onResult(run) {
      if (rate === 0 || random() >= rate) return;
      const task = score(run, sequence++);
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

/** An agent whose `generate` results are scored in the background; `scoring.idle()` awaits pending scores. */
export type ScoredAgent<TAgent> = TAgent & { readonly scoring: ScoringHook };

/**
 * Attaches scorers to an agent-like object (anything with `generate(input)` → `{ text, toolCalls? }`)
 * without changing what callers get back: each result is returned at once and, if sampled,
 * scored in the background.
 */
export function withScorers<TAgent extends { generate(...args: never[]): Promise<AgentResultLike> }>(
  agent: TAgent,
  options: ScoringOptions,
): ScoredAgent<TAgent> {
  const hook = createScoringHook(options);
  const generate = async (...args: unknown[]): Promise<AgentResultLike> => {
    const result = await (agent.generate as (...params: unknown[]) => Promise<AgentResultLike>).apply(
      agent,
      args,
    );
    hook.onResult({
      input: args[0],
      output: result.text,
      toolCalls: (result.toolCalls ?? []).map((call) => ({
        name: call.name ?? call.toolName ?? 'unknown',
        args: call.args ?? call.arguments,
      })),
    });
    return result;
  };
  return new Proxy(agent, {
    get(target, property) {
      if (property === 'generate') return generate;
      if (property === 'scoring') return hook;
      const value = Reflect.get(target, property, target);
      // Bound to the real agent so classes with #private fields keep working behind the proxy.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as ScoredAgent<TAgent>;
}
