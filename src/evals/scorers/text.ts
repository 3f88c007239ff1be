import { InvalidArgumentError } from '../../errors/index.js';
import { createScorer } from '../create-scorer.js';
import { sentimentOf } from '../sentiment.js';
import { asText, keywords, sentences } from '../text.js';
import type { Scorer, ScorerRun } from '../types.js';

/** The text a run is compared against: the ground truth when given, else the input. */
function referenceOf(run: ScorerRun): string {
  return asText(run.groundTruth ?? run.input);
}

function requireGroundTruth(id: string, run: ScorerRun): string {
  if (run.groundTruth === undefined) {
    throw new InvalidArgumentError(`Scorer "${id}" needs a groundTruth for every item.`, {
      hint: 'Add `groundTruth` to the dataset items (the expected answer).',
    });
  }
  return asText(run.groundTruth);
}

/**
 * Completeness: the share of the reference's content words (ground truth, or the input when there
 * is none) that the output covers, after stop-word removal and light stemming.
 */
export function createCompletenessScorer(): Scorer {
  return createScorer({
    id: 'completeness',
    description: 'Share of the reference content words the output covers',
  })
    .preprocess(({ run }) => ({
      reference: keywords(referenceOf(run)),
      output: new Set(keywords(asText(run.output))),
    }))
    .analyze(({ results }) => {
      const { reference, output } = results.preprocessStepResult;
      return {
        covered: reference.filter((word) => output.has(word)),
        missing: reference.filter((word) => !output.has(word)),
      };
    })
    .generateScore(({ results }) => {
      const { covered, missing } = results.analyzeStepResult;
      const total = covered.length + missing.length;
      return total === 0 ? 1 : covered.length / total;
    })
    .generateReason(({ results, score }) =>
      results.analyzeStepResult.missing.length === 0
        ? 'The output covers every content word of the reference.'
        : `Covers ${Math.round(score * 100)}%; missing: ${results.analyzeStepResult.missing.slice(0, 10).join(', ')}.`,
    );
}

function bigrams(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (let index = 0; index < text.length - 1; index++) {
    const pair = text.slice(index, index + 2);
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  return counts;
}

/** Dice coefficient over character bigrams (the `string-similarity` measure Mastra uses). */
export function diceSimilarity(first: string, second: string): number {
  if (first === second) return 1;
  if (first.length < 2 || second.length < 2) return 0;
  const left = bigrams(first);
  let overlap = 0;
  for (const [pair, count] of bigrams(second)) {
    const available = left.get(pair) ?? 0;
    overlap += Math.min(available, count);
  }
  return (2 * overlap) / (first.length - 1 + second.length - 1);
}

export interface ContentSimilarityOptions {
  /** @default true */
  ignoreCase?: boolean;
  /** Collapse runs of whitespace before comparing. @default true */
  ignoreWhitespace?: boolean;
}

/** Content similarity: Dice coefficient of character bigrams between the output and the ground truth. */
export function createContentSimilarityScorer(options: ContentSimilarityOptions = {}): Scorer {
  const normalise = (text: string) => {
    let out = options.ignoreCase === false ? text : text.toLowerCase();
    if (options.ignoreWhitespace !== false) out = out.replace(/\s+/g, ' ').trim();
    return out;
  };
  return createScorer({
    id: 'content-similarity',
    description: 'Character-bigram similarity to the ground truth',
  })
    .preprocess(({ run }) => ({
      output: normalise(asText(run.output)),
      groundTruth: normalise(requireGroundTruth('content-similarity', run)),
    }))
    .generateScore(({ results }) =>
      diceSimilarity(results.preprocessStepResult.output, results.preprocessStepResult.groundTruth),
    )
    .generateReason(({ score }) => `Bigram similarity to the ground truth is ${score.toFixed(2)}.`);
}

export interface KeywordCoverageOptions {
  /** The keywords to look for; by default the content words of the ground truth (or the input). */
  keywords?: string[];
}

/** Keyword coverage: the share of keywords that appear in the output (stemmed, case-insensitive). */
export function createKeywordCoverageScorer(options: KeywordCoverageOptions = {}): Scorer {
  return createScorer({
    id: 'keyword-coverage',
    description: 'Share of expected keywords found in the output',
  })
    .preprocess(({ run }) => {
      const expected = options.keywords
        ? options.keywords.flatMap((word) => keywords(word))
        : keywords(referenceOf(run));
      const present = new Set(keywords(asText(run.output)));
      return { expected: [...new Set(expected)], present };
    })
    .analyze(({ results }) => {
      const { expected, present } = results.preprocessStepResult;
      return {
        matched: expected.filter((word) => present.has(word)),
        missing: expected.filter((word) => !present.has(word)),
      };
    })
    .generateScore(({ results }) => {
      const { matched, missing } = results.analyzeStepResult;
      return matched.length + missing.length === 0 ? 1 : matched.length / (matched.length + missing.length);
    })
    .generateReason(({ results }) => {
      const { matched, missing } = results.analyzeStepResult;
      return `${matched.length} of ${matched.length + missing.length} keywords found${missing.length ? `; missing: ${missing.join(', ')}` : ''}.`;
    });
}

/** Length of the longest common subsequence of two token lists (two rolling rows). */
export function longestCommonSubsequence(first: readonly string[], second: readonly string[]): number {
  let previous = new Uint32Array(second.length + 1);
  let current = new Uint32Array(second.length + 1);
  for (let row = 1; row <= first.length; row++) {
    for (let column = 1; column <= second.length; column++) {
      current[column] =
        first[row - 1] === second[column - 1]
          ? previous[column - 1]! + 1
          : Math.max(previous[column]!, current[column - 1]!);
    }
    [previous, current] = [current, previous];
  }
  return previous[second.length]!;
}

/**
 * Textual difference: 2·LCS / (n + m) over word tokens between the output and the reference
 * (ground truth, or the input) — difflib's ratio at word level. 1 means identical wording.
 */
export function createTextualDifferenceScorer(): Scorer {
  return createScorer({
    id: 'textual-difference',
    description: 'Word-level sequence similarity to the reference',
  })
    .preprocess(({ run }) => ({
      output: asText(run.output).split(/\s+/).filter(Boolean),
      reference: referenceOf(run).split(/\s+/).filter(Boolean),
    }))
    .analyze(({ results }) => {
      const { output, reference } = results.preprocessStepResult;
      const common = longestCommonSubsequence(output, reference);
      return {
        common,
        changes: output.length + reference.length - 2 * common,
        lengthDifference:
          Math.abs(output.length - reference.length) / Math.max(1, output.length, reference.length),
      };
    })
    .generateScore(({ results }) => {
      const { output, reference } = results.preprocessStepResult;
      const total = output.length + reference.length;
      return total === 0 ? 1 : (2 * results.analyzeStepResult.common) / total;
    })
    .generateReason(
      ({ results, score }) =>
        `Similarity ratio ${score.toFixed(2)} with ${results.analyzeStepResult.changes} word change(s).`,
    );
}

/**
 * Tone consistency: with a reference (ground truth, or the input), 1 − |difference of their
 * sentiment|; without one, how stable sentiment is across the output's sentences (1 − variance).
 */
export function createToneConsistencyScorer(): Scorer {
  return createScorer({
    id: 'tone-consistency',
    description: 'Sentiment agreement with the reference or across the output',
  })
    .analyze(({ run }) => {
      const output = asText(run.output);
      const referenceText = run.groundTruth === undefined ? undefined : asText(run.groundTruth);
      if (referenceText !== undefined) {
        const reference = sentimentOf(referenceText).comparative;
        const produced = sentimentOf(output).comparative;
        return {
          mode: 'reference' as const,
          reference,
          output: produced,
          difference: Math.abs(reference - produced),
        };
      }
      const perSentence = sentences(output).map((sentence) => sentimentOf(sentence).comparative);
      const mean = perSentence.reduce((sum, value) => sum + value, 0) / Math.max(1, perSentence.length);
      const variance =
        perSentence.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, perSentence.length);
      return { mode: 'stability' as const, sentences: perSentence, mean, variance };
    })
    .generateScore(({ results }) => {
      const analysis = results.analyzeStepResult;
      return Math.max(
        0,
        Math.min(1, 1 - (analysis.mode === 'reference' ? analysis.difference : analysis.variance)),
      );
    })
    .generateReason(({ results, score }) =>
      results.analyzeStepResult.mode === 'reference'
        ? `Sentiment of output ${results.analyzeStepResult.output.toFixed(2)} vs reference ${results.analyzeStepResult.reference.toFixed(2)}: consistency ${score.toFixed(2)}.`
        : `Sentiment variance across ${results.analyzeStepResult.sentences.length} sentence(s) is ${results.analyzeStepResult.variance.toFixed(3)}.`,
    );
}
