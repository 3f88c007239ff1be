/** One tool call an agent made during a run. */
export interface ToolCallRecord {
  name: string;
  args?: unknown;
}

/** The minimum an agent run must expose to be scored; agents map their results to it. */
export interface AgentRunLike {
  input: unknown;
  output: string;
  toolCalls?: ToolCallRecord[];
}

/**
 * What a scorer looks at: the input, what the target produced, and optionally the expected answer
 * and the context it was given (retrieved passages).
 */
export interface ScorerRun<TOutput = unknown> {
  input: unknown;
  output: TOutput;
  /** The expected answer (text), or expected items (ids for retrieval scorers). */
  groundTruth?: unknown;
  /** Passages the answer should rely on (RAG context), in retrieval order. */
  context?: string[];
  toolCalls?: ToolCallRecord[];
}

/** A scorer's verdict. `score` is in [0, 1]; see the scorer's `better` for its direction. */
export interface ScoreResult {
  score: number;
  reason?: string;
  /** What each pipeline step produced (verdicts, matched keywords, ...), for inspection. */
  details: Record<string, unknown>;
}

export interface ScoreOptions {
  signal?: AbortSignal;
}

/** Something that scores a run: built with `createScorer` or one of the built-ins. */
export interface Scorer<TOutput = unknown> {
  readonly id: string;
  readonly description: string;
  /** Whether a higher score is better (`'higher'`) or worse (`'lower'`: toxicity, bias, hallucination). */
  readonly better: 'higher' | 'lower';
  run(run: ScorerRun<TOutput>, options?: ScoreOptions): Promise<ScoreResult>;
}
