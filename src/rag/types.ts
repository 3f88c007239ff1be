/** Formats `MDocument` knows how to parse and chunk. */
export type DocumentFormat = 'text' | 'markdown' | 'html' | 'json';

/** Metadata every document may carry; loaders fill `source`, `title`, `mimeType`. */
export interface DocumentMetadata {
  /** Where the text came from: a file name or URL. Shown in citations. */
  source?: string;
  title?: string;
  mimeType?: string;
  [key: string]: unknown;
}

/** A heading found in the source, with the character span of the section it opens. */
export interface Section {
  level: number;
  title: string;
  /** Offset of the first character of the heading line in `MDocument.text`. */
  start: number;
  /** Offset where the next heading of any level begins (or the end of the text). */
  end: number;
}

/** A page of a paginated source (PDF), as a span of `MDocument.text`. */
export interface PageSpan {
  page: number;
  start: number;
  end: number;
}

/**
 * One piece of a document. `text === document.text.slice(start, end)` always holds, so an
 * answer can cite the exact span.
 */
export interface Chunk {
  /** `${documentId}#${index}`: stable for the same document and chunking. */
  id: string;
  documentId: string;
  index: number;
  text: string;
  start: number;
  end: number;
  /** The document's metadata plus chunk-level fields (`headers`, `page`, `path`). */
  metadata: Record<string, unknown>;
}

export type ChunkStrategy = 'recursive' | 'character' | 'token' | 'sentence' | 'markdown' | 'html' | 'json';

export interface ChunkOptions {
  /**
   * How to split. Defaults to the natural one for the format: `markdown` for markdown, `html`
   * for HTML, `json` for JSON, `recursive` otherwise.
   */
  strategy?: ChunkStrategy;
  /** Largest chunk, in characters (in tokens for `token`). @default 1000 (token: 256) */
  maxSize?: number;
  /** How much of the previous chunk the next one repeats, same unit as `maxSize`. @default 0 */
  overlap?: number;
  /**
   * Split points tried in order by `recursive` (and by the section strategies inside a section).
   * The first one is the only one `character` uses.
   * @default ['\n\n', '\n', '. ', ' ', '']
   */
  separators?: string[];
  /** Counts tokens for the `token` strategy. @default gpt-tokenizer's o200k_base `countTokens` */
  countTokens?: (text: string) => number;
  /** Keep chunks that hold only whitespace. @default false */
  keepEmpty?: boolean;
}
