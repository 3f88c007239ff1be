import { InvalidArgumentError } from '../errors/index.js';
import { MDocument } from './document.js';
import { documentFromPdf, type PdfOptions } from './pdf.js';
import type { DocumentMetadata } from './types.js';

/** What a dropped `File` offers (a `Blob` with a name); Node's `File` works too. */
export interface LoadableFile {
  name: string;
  type?: string;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface LoadOptions {
  /** Extra metadata merged into every loaded document. */
  metadata?: DocumentMetadata;
  /** Where pdf.js runs. @default in the calling thread, loaded from our own bundle */
  pdf?: PdfOptions;
}

const byExtension: Record<string, string> = {
  txt: 'text/plain',
  text: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  html: 'text/html',
  htm: 'text/html',
  json: 'application/json',
  pdf: 'application/pdf',
};

/** The MIME type Lumos uses for a file: from its extension, else its `type`. */
export function mimeTypeOf(file: Pick<LoadableFile, 'name' | 'type'>): string | undefined {
  const extension = /\.([^./]+)$/.exec(file.name)?.[1]?.toLowerCase();
  return (extension && byExtension[extension]) || file.type || undefined;
}

/**
 * Turns a dropped file into a document: `.txt`, `.md`, `.html`, `.json` and `.pdf`. Metadata
 * gets `source` (the file name), `title` (HTML/PDF title, else the name without extension) and
 * `mimeType`; PDF chunks also get `page`.
 */
export async function loadDocument(file: LoadableFile, options: LoadOptions = {}): Promise<MDocument> {
  const mimeType = mimeTypeOf(file);
  const base: DocumentMetadata = {
    source: file.name,
    ...(mimeType ? { mimeType } : {}),
    ...options.metadata,
  };
  let document: MDocument;
  switch (mimeType) {
    case 'text/plain':
      document = MDocument.fromText(await file.text(), base);
      break;
    case 'text/markdown': {
      const markdown = await file.text();
      const title = base.title ?? markdownTitle(markdown);
      document = MDocument.fromMarkdown(markdown, title === undefined ? base : { ...base, title });
      break;
    }
    case 'text/html':
      document = MDocument.fromHTML(await file.text(), base);
      break;
    case 'application/json':
      document = MDocument.fromJSON(await file.text(), base);
      break;
    case 'application/pdf':
      document = await documentFromPdf(await file.arrayBuffer(), base, options.pdf ?? {});
      break;
    default:
      throw new InvalidArgumentError(`Cannot load "${file.name}" (${mimeType ?? 'unknown type'}).`, {
        hint: 'Supported files: .txt, .md, .html, .json, .pdf. Convert others to text and use MDocument.fromText().',
        data: { source: file.name, mimeType: mimeType ?? null },
      });
  }
  if (document.metadata.title === undefined) document.metadata.title = file.name.replace(/\.[^.]+$/, '');
  return document;
}

function markdownTitle(markdown: string): string | undefined {
  return /^ {0,3}#[ \t]+(.+?)[ \t#]*$/m.exec(markdown)?.[1];
}
