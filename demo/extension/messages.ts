/** Messages between the service worker, the offscreen document and the side panel. */
export type ExtensionMessage =
  | { target: 'offscreen'; type: 'ingest-page'; page: SavedPage }
  | { target: 'offscreen'; type: 'search'; query: string; topK: number }
  | { target: 'offscreen'; type: 'list-pages' }
  | { target: 'offscreen'; type: 'delete-page'; url: string };

export interface SavedPage {
  url: string;
  title: string;
  text: string;
  savedAt: number;
}

export interface SearchHit {
  text: string;
  score: number;
  url: string;
  title: string;
  start: number;
  end: number;
}

export type ExtensionReply<T = unknown> =
  | { ok: true; value: T }
  | { ok: false; error: { code: string; message: string } };

/** Drops anything that is not one of our messages (other extensions, pages, malformed input). */
export function isExtensionMessage(value: unknown): value is ExtensionMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (message.target !== 'offscreen') return false;
  switch (message.type) {
    case 'ingest-page': {
      const page = message.page as Record<string, unknown> | undefined;
      return (
        typeof page === 'object' &&
        page !== null &&
        typeof page.url === 'string' &&
        typeof page.title === 'string' &&
        typeof page.text === 'string' &&
        typeof page.savedAt === 'number'
      );
    }
    case 'search':
      return typeof message.query === 'string' && typeof message.topK === 'number';
    case 'list-pages':
      return true;
    case 'delete-page':
      return typeof message.url === 'string';
    default:
      return false;
  }
}
