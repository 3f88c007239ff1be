import type { Span } from './spans.js';

/**
 * The o200k pre-tokenizer pattern (from gpt-tokenizer). BPE never merges across these pieces, so
 * the token count of a text is the sum of its pieces' counts — which lets token chunks be exact
 * character spans.
 */
const contraction = "'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE])";
const pretokenizer = new RegExp(
  String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?:${contraction})?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?:${contraction})?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  'gu',
);

/** Pre-token pieces of a span; they tile it (any unmatched character becomes its own piece). */
export function pretokenSpans(text: string, span: Span): Span[] {
  const slice = text.slice(span.start, span.end);
  const pieces: Span[] = [];
  let cursor = 0;
  pretokenizer.lastIndex = 0;
  for (const match of slice.matchAll(pretokenizer)) {
    if (match.index > cursor) pieces.push({ start: span.start + cursor, end: span.start + match.index });
    pieces.push({ start: span.start + match.index, end: span.start + match.index + match[0].length });
    cursor = match.index + match[0].length;
  }
  if (cursor < slice.length) pieces.push({ start: span.start + cursor, end: span.end });
  return pieces;
}

let defaultCounter: Promise<(text: string) => number> | undefined;

/** gpt-tokenizer's o200k_base `countTokens`, loaded on first use (its tables are large). */
export function loadTokenCounter(): Promise<(text: string) => number> {
  defaultCounter ??= import('gpt-tokenizer/encoding/o200k_base').then((module) => module.countTokens);
  return defaultCounter;
}
