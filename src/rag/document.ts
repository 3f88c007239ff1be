import { InvalidArgumentError } from '../errors/index.js';
import { chunkSpans } from './chunk/strategies.js';
import { htmlToText } from './html-text.js';
import { type JsonNode, jsonToText } from './json-text.js';
import type { Chunk, ChunkOptions, DocumentFormat, DocumentMetadata, PageSpan, Section } from './types.js';

/** Everything that makes up a document; `MDocument.from*` builds it for you. */
export interface MDocumentInit {
  text: string;
  format: DocumentFormat;
  metadata?: DocumentMetadata;
  /** Stable id. @default `metadata.source`, else a hash of the text */
  id?: string;
  sections?: Section[];
  json?: JsonNode;
  pages?: PageSpan[];
}

/**
 * A document ready for chunking. `text` is the canonical text every chunk offset points into:
 * the raw text for text and markdown, the extracted text for HTML, the pretty-printed JSON for
 * JSON, the pages' text joined by blank lines for PDF.
 */
export class MDocument {
  readonly id: string;
  readonly text: string;
  readonly format: DocumentFormat;
  readonly metadata: DocumentMetadata;
  /** Headings (HTML) with their spans; markdown headings are found when chunking. */
  readonly sections: Section[];
  /** Page spans of a paginated source (PDF). */
  readonly pages: PageSpan[];
  readonly json: JsonNode | undefined;

  constructor(init: MDocumentInit) {
    this.text = init.text;
    this.format = init.format;
    this.metadata = { ...init.metadata };
    this.id =
      init.id ??
      (typeof this.metadata.source === 'string' ? this.metadata.source : `doc-${stableHash(init.text)}`);
    this.sections = init.sections ?? [];
    this.pages = init.pages ?? [];
    this.json = init.json;
  }

  /** A plain-text document. */
  static fromText(text: string, metadata: DocumentMetadata = {}): MDocument {
    return new MDocument({ text, format: 'text', metadata });
  }

  /** A markdown document; the `markdown` strategy keeps its headings as chunk metadata. */
  static fromMarkdown(markdown: string, metadata: DocumentMetadata = {}): MDocument {
    return new MDocument({ text: markdown, format: 'markdown', metadata });
  }

  /**
   * An HTML document, reduced to readable text (no DOM needed, so it works in workers and
   * Node). The `<title>` becomes `metadata.title` unless one is given.
   */
  static fromHTML(html: string, metadata: DocumentMetadata = {}): MDocument {
    const extracted = htmlToText(html);
    const merged: DocumentMetadata = { ...metadata };
    if (merged.title === undefined && extracted.title) merged.title = extracted.title;
    return new MDocument({
      text: extracted.text,
      format: 'html',
      metadata: merged,
      sections: extracted.sections,
    });
  }

  /** A JSON document from a value or JSON text; chunks follow its structure and carry their path. */
  static fromJSON(json: unknown, metadata: DocumentMetadata = {}): MDocument {
    let value = json;
    if (typeof json === 'string') {
      try {
        value = JSON.parse(json);
      } catch (error) {
        throw new InvalidArgumentError(
          `fromJSON() got text that is not valid JSON: ${(error as Error).message}`,
          {
            hint: 'Pass a parsed value, or JSON text; use fromText() for other text.',
            cause: error,
          },
        );
      }
    }
    const printed = jsonToText(value);
    return new MDocument({ text: printed.text, format: 'json', metadata, json: printed.root });
  }

  /**
   * Splits the document. Each chunk's `text` is exactly `document.text.slice(start, end)`; its
   * metadata is the document's plus `headers` (markdown, html), `path` (json) and `page` (pdf).
   */
  async chunk(options: ChunkOptions = {}): Promise<Chunk[]> {
    const spans = await chunkSpans(this, options);
    return spans.map((span, index) => {
      const metadata: Record<string, unknown> = { ...this.metadata, ...span.metadata };
      const page = this.pageAt(span.start);
      if (page !== undefined) {
        metadata.page = page;
        const lastPage = this.pageAt(span.end - 1);
        if (lastPage !== undefined && lastPage !== page) metadata.pageEnd = lastPage;
      }
      return {
        id: `${this.id}#${index}`,
        documentId: this.id,
        index,
        text: this.text.slice(span.start, span.end),
        start: span.start,
        end: span.end,
        metadata,
      };
    });
  }

  /** The 1-based page holding character `offset`, for paginated documents. */
  pageAt(offset: number): number | undefined {
    let found: number | undefined;
    for (const page of this.pages) {
      if (page.start <= offset) found = page.page;
      else break;
    }
    return found;
  }
}

/** cyrb53: a stable, synchronous 53-bit string hash for default document ids. */
function stableHash(text: string): string {
  let first = 0xdeadbeef;
  let second = 0x41c6ce57;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    first = Math.imul(first ^ code, 2654435761);
    second = Math.imul(second ^ code, 1597334677);
  }
  first = Math.imul(first ^ (first >>> 16), 2246822507) ^ Math.imul(second ^ (second >>> 13), 3266489909);
  second = Math.imul(second ^ (second >>> 16), 2246822507) ^ Math.imul(first ^ (first >>> 13), 3266489909);
  return (4294967296 * (2097151 & second) + (first >>> 0)).toString(16);
}
