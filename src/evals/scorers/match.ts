import { InvalidArgumentError } from '../../errors/index.js';
import { createScorer } from '../create-scorer.js';
import { asText } from '../text.js';
import type { Scorer } from '../types.js';

export interface IncludesOptions {
  /** Substrings to look for in the output. */
  values: string[];
  /** `'all'`: score is the share found; `'any'`: 1 if at least one is found. @default 'all' */
  mode?: 'all' | 'any';
  /** @default false */
  caseSensitive?: boolean;
  /** @default 'includes' */
  id?: string;
}

function requireValues(id: string, values: string[]): void {
  if (values.length === 0)
    throw new InvalidArgumentError(`Scorer "${id}" needs at least one value.`, {
      hint: 'Pass `values: [...]`.',
    });
}

function finder(caseSensitive: boolean | undefined) {
  return (output: string, value: string) =>
    caseSensitive ? output.includes(value) : output.toLowerCase().includes(value.toLowerCase());
}

/** Includes: whether the output contains the given substrings. */
export function createIncludesScorer(options: IncludesOptions): Scorer {
  const id = options.id ?? 'includes';
  requireValues(id, options.values);
  const found = finder(options.caseSensitive);
  return createScorer({
    id,
    description: `Output contains ${options.mode === 'any' ? 'any' : 'all'} of the values`,
  })
    .analyze(({ run }) => {
      const output = asText(run.output);
      return {
        found: options.values.filter((value) => found(output, value)),
        missing: options.values.filter((value) => !found(output, value)),
      };
    })
    .generateScore(({ results }) => {
      const { found: present } = results.analyzeStepResult;
      if (options.mode === 'any') return present.length > 0 ? 1 : 0;
      return present.length / options.values.length;
    })
    .generateReason(({ results }) =>
      results.analyzeStepResult.missing.length
        ? `Missing: ${results.analyzeStepResult.missing.map((value) => JSON.stringify(value)).join(', ')}.`
        : 'All values present.',
    );
}

export interface ExcludesOptions {
  /** Substrings that must not appear in the output. */
  values: string[];
  /** @default false */
  caseSensitive?: boolean;
  /** @default 'excludes' */
  id?: string;
}

/** Excludes: the share of forbidden substrings absent from the output (1 = none appear). */
export function createExcludesScorer(options: ExcludesOptions): Scorer {
  const id = options.id ?? 'excludes';
  requireValues(id, options.values);
  const found = finder(options.caseSensitive);
  return createScorer({ id, description: 'Output avoids the forbidden values' })
    .analyze(({ run }) => ({ present: options.values.filter((value) => found(asText(run.output), value)) }))
    .generateScore(({ results }) => 1 - results.analyzeStepResult.present.length / options.values.length)
    .generateReason(({ results }) =>
      results.analyzeStepResult.present.length
        ? `Contains forbidden: ${results.analyzeStepResult.present.map((value) => JSON.stringify(value)).join(', ')}.`
        : 'No forbidden value appears.',
    );
}

export interface MatchesOptions {
  pattern: RegExp;
  /** @default 'matches' */
  id?: string;
}

/** Matches: 1 when the output matches the regular expression, else 0. */
export function createMatchesScorer(options: MatchesOptions): Scorer {
  // A global/sticky regex keeps `lastIndex` between calls; a fresh copy makes test() repeatable.
  const pattern = new RegExp(options.pattern.source, options.pattern.flags.replace(/[gy]/g, ''));
  return createScorer({ id: options.id ?? 'matches', description: `Output matches ${pattern}` })
    .analyze(({ run }) => ({ match: asText(run.output).match(pattern)?.[0] ?? null }))
    .generateScore(({ results }) => (results.analyzeStepResult.match === null ? 0 : 1))
    .generateReason(({ results }) =>
      results.analyzeStepResult.match === null
        ? `No match for ${pattern}.`
        : `Matched ${JSON.stringify(results.analyzeStepResult.match)}.`,
    );
}
