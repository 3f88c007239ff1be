/** A half-open character range `[start, end)` of a document's text. */
export interface Span {
  start: number;
  end: number;
}

/** Size of the pieces `first..last` (inclusive) taken as one chunk. */
export type RangeSize = (first: number, last: number) => number;

/**
 * Cuts `span` at every occurrence of `separator`, keeping the separator at the end of the piece
 * before it, so the pieces tile the span exactly.
 */
export function splitSpan(text: string, span: Span, separator: string): Span[] {
  const pieces: Span[] = [];
  let start = span.start;
  for (
    let at = text.indexOf(separator, start);
    at !== -1 && at < span.end;
    at = text.indexOf(separator, start)
  ) {
    const end = Math.min(span.end, at + separator.length);
    pieces.push({ start, end });
    start = end;
  }
  if (start < span.end) pieces.push({ start, end: span.end });
  return pieces;
}

/** Cuts a span into windows of at most `size` characters, never inside a surrogate pair. */
export function cutSpan(text: string, span: Span, size: number): Span[] {
  const pieces: Span[] = [];
  let start = span.start;
  while (start < span.end) {
    let end = Math.min(span.end, start + Math.max(1, size));
    if (end < span.end && isLowSurrogate(text.charCodeAt(end)) && end - 1 > start) end--;
    pieces.push({ start, end });
    start = end;
  }
  return pieces;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Splits a span on the first separator that occurs in it, recursing with the remaining ones into
 * pieces that are still too big; `''` means "cut anywhere". Pieces tile the span.
 */
export function recursiveSpans(text: string, span: Span, maxSize: number, separators: string[]): Span[] {
  if (span.end - span.start <= maxSize) return [span];
  const index = separators.findIndex((separator) => {
    if (separator === '') return true;
    const at = text.indexOf(separator, span.start);
    return at !== -1 && at + separator.length < span.end;
  });
  if (index === -1) return cutSpan(text, span, maxSize);
  const separator = separators[index]!;
  if (separator === '') return cutSpan(text, span, maxSize);
  const rest = separators.slice(index + 1);
  return splitSpan(text, span, separator).flatMap((piece) =>
    piece.end - piece.start <= maxSize ? [piece] : recursiveSpans(text, piece, maxSize, rest),
  );
}

/**
 * Packs consecutive pieces into chunks no bigger than `maxSize` (a single piece bigger than that
 * stays alone), starting each chunk with the trailing pieces of the previous one that fit in
 * `overlap`. Chunks are spans from their first piece's start to their last piece's end.
 */
export function mergeSpans(pieces: Span[], maxSize: number, overlap: number, size: RangeSize): Span[] {
  const chunks: Span[] = [];
  let first = 0;
  for (let index = 0; index < pieces.length; index++) {
    if (index > first && size(first, index) > maxSize) {
      chunks.push({ start: pieces[first]!.start, end: pieces[index - 1]!.end });
      let next = index;
      while (
        overlap > 0 &&
        next - 1 > first &&
        size(next - 1, index - 1) <= overlap &&
        size(next - 1, index) <= maxSize
      ) {
        next--;
      }
      first = next;
    }
  }
  if (first < pieces.length)
    chunks.push({ start: pieces[first]!.start, end: pieces[pieces.length - 1]!.end });
  return chunks;
}

/** Shrinks a span past leading and trailing whitespace; `undefined` when nothing is left. */
export function trimSpan(text: string, span: Span): Span | undefined {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return start < end ? { start, end } : undefined;
}
