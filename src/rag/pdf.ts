import { InvalidArgumentError } from '../errors/index.js';
import { MDocument } from './document.js';
import type { DocumentMetadata, PageSpan } from './types.js';

/** Where pdf.js runs its parser. */
export interface PdfOptions {
  /**
   * URL of pdf.js's worker script, served from your own origin (never a CDN), e.g.
   * `new URL('pdfjs-dist/legacy/build/pdf.worker.min.mjs', import.meta.url)` in a bundler that
   * resolves it. @default unset: the worker module is imported from our bundle and runs in the
   * calling thread (fine inside a worker, and in Node)
   */
  workerSrc?: string | URL;
  /** An already created pdf.js worker; takes precedence over `workerSrc`. */
  workerPort?: Worker;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

let pdfjsPromise: Promise<PdfJs> | undefined;

async function loadPdfJs(options: PdfOptions): Promise<PdfJs> {
  pdfjsPromise ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdfjs = await pdfjsPromise;
  if (options.workerPort) pdfjs.GlobalWorkerOptions.workerPort = options.workerPort;
  else if (options.workerSrc) pdfjs.GlobalWorkerOptions.workerSrc = String(options.workerSrc);
  else if (!pdfjs.GlobalWorkerOptions.workerSrc && !pdfjs.GlobalWorkerOptions.workerPort) {
    // pdf.js looks for `globalThis.pdfjsWorker` before spawning a worker: loading its worker
    // module from our own bundle keeps every byte same-origin, with no CDN fallback.
    const holder = globalThis as { pdfjsWorker?: unknown };
    // @ts-expect-error pdf.js ships no types for its worker module
    holder.pdfjsWorker ??= await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
  }
  return pdfjs;
}

/**
 * Extracts the text of a PDF, one page after another separated by blank lines, into a document
 * whose `pages` map offsets to page numbers (so every chunk gets `metadata.page`).
 */
export async function documentFromPdf(
  bytes: ArrayBuffer | Uint8Array,
  metadata: DocumentMetadata = {},
  options: PdfOptions = {},
): Promise<MDocument> {
  const pdfjs = await loadPdfJs(options);
  const data = bytes instanceof Uint8Array ? bytes.slice() : new Uint8Array(bytes.slice(0));
  let pdf: Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
  try {
    pdf = await pdfjs.getDocument({ data, isEvalSupported: false, useSystemFonts: false, verbosity: 0 })
      .promise;
  } catch (error) {
    throw new InvalidArgumentError(
      `Could not read "${metadata.source ?? 'the PDF'}": ${(error as Error).message}`,
      {
        hint: 'Check that the file is a valid, unencrypted PDF.',
        cause: error,
      },
    );
  }
  try {
    const parts: string[] = [];
    const pages: PageSpan[] = [];
    let offset = 0;
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number);
      const content = await page.getTextContent();
      let pageText = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        pageText += item.str;
        if (item.hasEOL) pageText += '\n';
      }
      pageText = pageText.replace(/[ \t]+\n/g, '\n').trim();
      page.cleanup();
      if (number > 1) {
        parts.push('\n\n');
        offset += 2;
      }
      pages.push({ page: number, start: offset, end: offset + pageText.length });
      parts.push(pageText);
      offset += pageText.length;
    }
    const info = (await pdf.getMetadata().catch(() => undefined))?.info as { Title?: unknown } | undefined;
    const merged: DocumentMetadata = { mimeType: 'application/pdf', pageCount: pdf.numPages, ...metadata };
    if (merged.title === undefined && typeof info?.Title === 'string' && info.Title.trim())
      merged.title = info.Title.trim();
    return new MDocument({ text: parts.join(''), format: 'text', metadata: merged, pages });
  } finally {
    await pdf.destroy();
  }
}
