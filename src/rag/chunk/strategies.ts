import { InvalidArgumentError } from '../../errors/index.js';
import type { JsonNode } from '../json-text.js';
import type { ChunkOptions, ChunkStrategy, DocumentFormat, Section } from '../types.js';
import { sentenceSpans } from './sentences.js';
import { cutSpan, mergeSpans, recursiveSpans, type Span, splitSpan, trimSpan } from './spans.js';
import { loadTokenCounter, pretokenSpans } from './tokens.js';

/** What a strategy needs from a document. */
export interface ChunkSource {
  text: string;
  format: DocumentFormat;
  sections: Section[];
  json: JsonNode | undefined;
}

/** A chunk before it gets ids: its span and chunk-level metadata. */
export interface ChunkSpan extends Span {
  metadata: Record<string, unknown>;
}

const defaultSeparators = ['\n\n', '\n', '. ', ' ', ''];

/** The strategy used when none is given. */
export function defaultStrategy(format: DocumentFormat): ChunkStrategy {
  if (format === 'markdown') return 'markdown';
  if (format === 'html') return 'html';
  if (format === 'json') return 'json';
  return 'recursive';
}

/** Splits a document into spans with the chosen strategy. Every span is trimmed and non-empty. */
export async function chunkSpans(source: ChunkSource, options: ChunkOptions = {}): Promise<ChunkSpan[]> {
  const strategy = options.strategy ?? defaultStrategy(source.format);
  const maxSize = options.maxSize ?? (strategy === 'token' ? 256 : 1000);
  const overlap = options.overlap ?? 0;
  if (!Number.isInteger(maxSize) || maxSize < 1) {
    throw new InvalidArgumentError(`maxSize must be a positive integer, got ${maxSize}.`, {
      hint: 'Pass e.g. { maxSize: 1000 } (characters; tokens for the token strategy).',
    });
  }
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= maxSize) {
    throw new InvalidArgumentError(`overlap must be an integer in [0, maxSize), got ${overlap}.`, {
      hint: 'Use an overlap smaller than maxSize, e.g. a tenth of it.',
    });
  }
  const separators = options.separators ?? defaultSeparators;
  const { text } = source;
  const whole: Span = { start: 0, end: text.length };
  const bySize = (pieces: Span[]) => mergeSpans(pieces, maxSize, overlap, characterSize(pieces));
  const recursive = (span: Span) => bySize(recursiveSpans(text, span, maxSize, separators));
  let spans: ChunkSpan[];
  switch (strategy) {
    case 'recursive':
      spans = plain(recursive(whole));
      break;
    case 'character': {
      const separator = separators[0] ?? '\n\n';
      const pieces = separator === '' ? cutSpan(text, whole, maxSize) : splitSpan(text, whole, separator);
      spans = plain(bySize(pieces.flatMap((piece) => fitSpan(text, piece, maxSize))));
      break;
    }
    case 'sentence': {
      const pieces = sentenceSpans(text, whole).flatMap((piece) =>
        piece.end - piece.start <= maxSize ? [piece] : recursiveSpans(text, piece, maxSize, separators),
      );
      spans = plain(bySize(pieces));
      break;
    }
    case 'token': {
      const count = options.countTokens ?? (await loadTokenCounter());
      spans = plain(tokenChunks(text, maxSize, overlap, count));
      break;
    }
    case 'markdown':
    case 'html': {
      const sections =
        strategy === 'markdown' && source.format !== 'html' ? markdownSections(text) : source.sections;
      if (strategy === 'html' && source.format !== 'html') {
        throw new InvalidArgumentError('The html strategy needs a document made with MDocument.fromHTML().', {
          hint: 'Use fromHTML(html) or pick another strategy such as recursive.',
        });
      }
      spans = sectionChunks(text, sections, recursive);
      break;
    }
    case 'json': {
      if (!source.json) {
        throw new InvalidArgumentError('The json strategy needs a document made with MDocument.fromJSON().', {
          hint: 'Use fromJSON(value or JSON text) or pick another strategy such as recursive.',
        });
      }
      spans = jsonChunks(source.json, maxSize, recursive);
      break;
    }
    default:
      throw new InvalidArgumentError(`Unknown chunk strategy "${String(strategy)}".`, {
        hint: 'Use one of recursive, character, token, sentence, markdown, html, json.',
      });
  }
  return finish(text, spans, options.keepEmpty ?? false);
}

function characterSize(pieces: Span[]) {
  return (first: number, last: number) => pieces[last]!.end - pieces[first]!.start;
}

function fitSpan(text: string, span: Span, maxSize: number): Span[] {
  return span.end - span.start <= maxSize ? [span] : cutSpan(text, span, maxSize);
}

function plain(spans: Span[]): ChunkSpan[] {
  return spans.map((span) => ({ ...span, metadata: {} }));
}

function finish(text: string, spans: ChunkSpan[], keepEmpty: boolean): ChunkSpan[] {
  const out: ChunkSpan[] = [];
  for (const span of spans) {
    const trimmed = trimSpan(text, span);
    if (!trimmed) {
      if (keepEmpty && span.end > span.start) out.push(span);
      continue;
    }
    const previous = out[out.length - 1];
    if (previous && previous.start === trimmed.start && previous.end === trimmed.end) continue;
    out.push({ ...trimmed, metadata: span.metadata });
  }
  return out;
}

function tokenChunks(
  text: string,
  maxSize: number,
  overlap: number,
  count: (text: string) => number,
): Span[] {
  const cache = new Map<string, number>();
  const costOf = (piece: string) => {
    let cost = cache.get(piece);
    if (cost === undefined) {
      cost = count(piece);
      if (cache.size < 50_000) cache.set(piece, cost);
    }
    return cost;
  };
  const pieces: Span[] = [];
  const costs: number[] = [];
  for (const piece of pretokenSpans(text, { start: 0, end: text.length })) {
    const cost = costOf(text.slice(piece.start, piece.end));
    if (cost <= maxSize) {
      pieces.push(piece);
      costs.push(cost);
      continue;
    }
    // A run of symbols longer than a chunk: cut it by characters until each part fits.
    let width = Math.max(1, Math.floor(((piece.end - piece.start) * maxSize) / cost));
    for (let parts = cutSpan(text, piece, width); ; parts = cutSpan(text, piece, width)) {
      const partCosts = parts.map((part) => costOf(text.slice(part.start, part.end)));
      if (width === 1 || partCosts.every((partCost) => partCost <= maxSize)) {
        pieces.push(...parts);
        costs.push(...partCosts);
        break;
      }
      width = Math.max(1, Math.floor(width / 2));
    }
  }
  const prefix = [0];
  for (const cost of costs) prefix.push(prefix[prefix.length - 1]! + cost);
  return mergeSpans(pieces, maxSize, overlap, (first, last) => prefix[last + 1]! - prefix[first]!);
}

/** ATX headings (`#` … `######`) outside fenced code blocks, as sections of the text. */
export function markdownSections(text: string): Section[] {
  const headings: { level: number; title: string; start: number }[] = [];
  let fence: string | undefined;
  const line = /^.*$/gm;
  for (let match = line.exec(text); match !== null; match = line.exec(text)) {
    if (match[0].length === 0) line.lastIndex++;
    const content = match[0];
    const fenceMatch = /^ {0,3}(`{3,}|~{3,})/.exec(content);
    if (fenceMatch) {
      const marker = fenceMatch[1]!;
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = /^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$/.exec(content);
    if (heading) headings.push({ level: heading[1]!.length, title: heading[2]!.trim(), start: match.index });
  }
  return headings.map((entry, index) => ({ ...entry, end: headings[index + 1]?.start ?? text.length }));
}

function sectionChunks(text: string, sections: Section[], recursive: (span: Span) => Span[]): ChunkSpan[] {
  const out: ChunkSpan[] = [];
  const firstStart = sections[0]?.start ?? text.length;
  if (firstStart > 0) out.push(...plain(recursive({ start: 0, end: firstStart })));
  const stack: Section[] = [];
  for (const section of sections) {
    while (stack.length > 0 && stack[stack.length - 1]!.level >= section.level) stack.pop();
    stack.push(section);
    const headers = stack.map((entry) => entry.title);
    for (const span of recursive({ start: section.start, end: section.end })) {
      out.push({ ...span, metadata: { headers, heading: section.title, headingLevel: section.level } });
    }
  }
  return out;
}

function jsonChunks(root: JsonNode, maxSize: number, recursive: (span: Span) => Span[]): ChunkSpan[] {
  const out: ChunkSpan[] = [];
  const visit = (node: JsonNode) => {
    if (node.end - node.start <= maxSize) {
      out.push({ start: node.start, end: node.end, metadata: { path: node.path } });
      return;
    }
    if (node.children.length === 0) {
      for (const span of recursive(node)) out.push({ ...span, metadata: { path: node.path } });
      return;
    }
    // Group consecutive small members; descend into members that are too big on their own.
    let group: JsonNode[] = [];
    const flush = () => {
      if (group.length === 0) return;
      const paths = group.map((member) => member.path);
      out.push({
        start: group[0]!.start,
        end: group[group.length - 1]!.end,
        metadata: { path: paths.length === 1 ? paths[0] : node.path, paths },
      });
      group = [];
    };
    for (const child of node.children) {
      if (child.end - child.start > maxSize) {
        flush();
        visit(child);
      } else if (group.length > 0 && child.end - group[0]!.start > maxSize) {
        flush();
        group.push(child);
      } else group.push(child);
    }
    flush();
  };
  visit(root);
  return out;
}
