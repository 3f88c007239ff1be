import type { Span } from './spans.js';

/**
 * Sentence spans of `span`, tiling it. Uses `Intl.Segmenter` (Chromium, Node ≥16) so it follows
 * Unicode sentence rules for every script; falls back to splitting after `.`, `!`, `?`, `。`.
 */
export function sentenceSpans(text: string, span: Span, locale?: string): Span[] {
  const slice = text.slice(span.start, span.end);
  const pieces: Span[] = [];
  if (typeof Intl !== 'undefined' && typeof Intl.Segmenter === 'function') {
    const segmenter = new Intl.Segmenter(locale, { granularity: 'sentence' });
    for (const segment of segmenter.segment(slice)) {
      const start = span.start + segment.index;
      pieces.push({ start, end: start + segment.segment.length });
    }
    return pieces;
  }
  const boundary = /[.!?。！？]+["'”’)\]]*\s+/g;
  let start = 0;
  for (let match = boundary.exec(slice); match !== null; match = boundary.exec(slice)) {
    const end = match.index + match[0].length;
    pieces.push({ start: span.start + start, end: span.start + end });
    start = end;
  }
  if (start < slice.length) pieces.push({ start: span.start + start, end: span.end });
  return pieces;
}
