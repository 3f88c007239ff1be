import type { Citation } from 'lumosai/rag';
import type { DocumentStore } from 'lumosai/storage';
import { h, mount } from './dom.js';

/**
 * The document's text around a span, rebuilt from its stored chunks: each chunk is an exact slice
 * of the source at its offsets, so placing them back gives the text (gaps are separators).
 */
async function textAround(store: DocumentStore, citation: Citation): Promise<string | undefined> {
  const document = await store.getDocument(citation.documentId);
  if (document?.content) return document.content;
  const chunks = await store.getChunks(citation.documentId);
  if (!chunks.length) return undefined;
  const length = Math.max(...chunks.map((chunk) => chunk.end));
  const characters = new Array<string>(length).fill(' ');
  for (const chunk of chunks) {
    for (let index = 0; index < chunk.text.length; index++)
      characters[chunk.start + index] = chunk.text[index]!;
  }
  return characters.join('');
}

/** A dialog-free viewer: shows the cited span inside its document, highlighted and scrolled to. */
export function createSpanViewer(store: DocumentStore) {
  const title = h('h3', null);
  const body = h('div', { class: 'span-view', tabindex: '0' });
  const element = h('div', { class: 'card span-card', hidden: true }, title, body);

  async function open(citation: Citation): Promise<void> {
    const text = await textAround(store, citation);
    element.hidden = false;
    title.textContent = `${citation.title ?? citation.source ?? citation.documentId}${citation.page ? ` — page ${citation.page}` : ''}`;
    if (!text) {
      mount(body, 'This document is no longer stored.');
      return;
    }
    const from = Math.max(0, citation.start - 400);
    const to = Math.min(text.length, citation.end + 400);
    const mark = h('mark', null, text.slice(citation.start, citation.end));
    mount(
      body,
      from > 0 ? '…' : '',
      text.slice(from, citation.start),
      mark,
      text.slice(citation.end, to),
      to < text.length ? '…' : '',
    );
    element.dataset.documentId = citation.documentId;
    mark.scrollIntoView({ block: 'center' });
  }

  return { element, open };
}

export function citationLabel(citation: Citation, index: number): string {
  const name = citation.title ?? citation.source ?? citation.documentId;
  return `[${index + 1}] ${name}${citation.page ? ` p.${citation.page}` : ''}`;
}
