export {
  type AnalyzeContext,
  type CreateScorerOptions,
  createScorer,
  type PromptStep,
  type ReasonContext,
  type ReasonStep,
  type ScoreContext,
  type ScorerBuilder,
  type ScorerWithReason,
  type Step as ScorerStep,
  type StepContext as ScorerStepContext,
} from './create-scorer.js';
export { askJudge, type JudgeCall, type JudgeOptions } from './judge.js';
export { meanReciprocalRank, ndcgAtK, precisionAtK, recallAtK, reciprocalRank } from './retrieval.js';
export {
  type EvalItem,
  type EvalItemResult,
  type EvalProgress,
  type EvalSummary,
  type RunEvalsOptions,
  runEvals,
} from './run-evals.js';
export type { JudgedScorerOptions } from './scorers/judged.js';
export {
  type AnswerRelevancyOptions,
  createAnswerRelevancyScorer,
  createBiasScorer,
  createContextPrecisionScorer,
  createContextRecallScorer,
  createContextRelevanceScorer,
  createFaithfulnessScorer,
  createHallucinationScorer,
  createPromptAlignmentScorer,
  createSummarizationScorer,
  createToxicityScorer,
  type PromptAlignmentOptions,
} from './scorers/llm.js';
export {
  createExcludesScorer,
  createIncludesScorer,
  createMatchesScorer,
  type ExcludesOptions,
  type IncludesOptions,
  type MatchesOptions,
} from './scorers/match.js';
export {
  createMrrScorer,
  createNdcgAtKScorer,
  createPrecisionAtKScorer,
  createRecallAtKScorer,
} from './scorers/retrieval.js';
export {
  cosineSimilarity,
  createSemanticSimilarityScorer,
  type SemanticSimilarityOptions,
} from './scorers/semantic.js';
export {
  type ContentSimilarityOptions,
  createCompletenessScorer,
  createContentSimilarityScorer,
  createKeywordCoverageScorer,
  createTextualDifferenceScorer,
  createToneConsistencyScorer,
  diceSimilarity,
  type KeywordCoverageOptions,
} from './scorers/text.js';
export {
  createMaxToolCallsScorer,
  createToolCalledScorer,
  createToolOrderScorer,
  type ToolCalledOptions,
  type ToolOrderOptions,
} from './scorers/tools.js';
export {
  createScoringHook,
  type LiveScore,
  type ScoredAgent,
  type ScoringHook,
  type ScoringOptions,
  withScorers,
} from './scoring-hook.js';
export type { ItemScore, ScorerSummary } from './summary.js';
export type {
  AgentLike,
  AgentResultLike,
  EvalFunction,
  EvalTarget,
  EvalTargetOptions,
  TargetResult,
  WorkflowLike,
  WorkflowRunLike,
} from './targets.js';
export type { AgentRunLike, ScoreOptions, ScoreResult, Scorer, ScorerRun, ToolCallRecord } from './types.js';
