import OpenAI from 'openai';
import { InvalidArgumentError } from '../errors/index.js';

/**
 * How the API key travels: `bearer` (`Authorization: Bearer KEY`, most providers), `api-key`
 * (Azure's `api-key: KEY` header), `none` (local servers), or a custom header.
 */
export type AuthHeaderStyle = 'bearer' | 'api-key' | 'none' | { name: string; prefix?: string };

/** Connection settings shared by chat and embedding models of one endpoint. */
export interface ConnectionOptions {
  /**
   * The API key. Leave it out for local servers and for a proxy `baseURL` that adds the key on
   * the server side (the recommended set-up in a browser).
   */
  apiKey?: string;
  /** Endpoint root, usually ending in `/v1`. */
  baseURL: string;
  /** @default 'bearer' */
  authHeader?: AuthHeaderStyle;
  organization?: string;
  project?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Extra query parameters on every request (Azure's `api-version`). */
  query?: Record<string, string>;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * Allow sending `apiKey` from browser code, where anyone using the page can read it. Without a
   * key (proxy mode) no opt-in is needed. @default false
   */
  dangerouslyAllowBrowser?: boolean;
}

/** True in a page (not in a worker, whose key exposure the SDK does not police either). */
export function isBrowserPage(): boolean {
  return typeof window !== 'undefined' && typeof document !== 'undefined' && typeof navigator !== 'undefined';
}

// The SDK insists on some key; it is never sent (the Authorization header is removed).
const unsentKey = 'lumos-no-key';

/**
 * Builds the `openai` SDK client. Retries are ours (so they are bounded, honour `Retry-After` and
 * are observable), hence `maxRetries: 0`; timeouts are ours too (per call, covering retries).
 */
export function createClient(options: ConnectionOptions): OpenAI {
  const style = options.authHeader ?? 'bearer';
  const key = options.apiKey || undefined;
  const inPage = isBrowserPage();
  if (inPage && key && style !== 'none' && !options.dangerouslyAllowBrowser) {
    throw new InvalidArgumentError('An API key was given to a model created in browser code.', {
      hint:
        'Anyone using the page can read it. Prefer a proxy `baseURL` on your own backend and no `apiKey`; ' +
        'or, for local or personal use, pass `dangerouslyAllowBrowser: true`.',
    });
  }
  const headers: Record<string, string | null> = { ...options.headers };
  if (!key || style !== 'bearer') headers.Authorization = null;
  if (key && style === 'api-key') headers['api-key'] = key;
  if (key && typeof style === 'object') headers[style.name] = `${style.prefix ?? ''}${key}`;
  return new OpenAI({
    apiKey: key && style === 'bearer' ? key : unsentKey,
    baseURL: options.baseURL,
    organization: options.organization ?? null,
    project: options.project ?? null,
    defaultHeaders: headers,
    ...(options.query ? { defaultQuery: options.query } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    maxRetries: 0,
    logLevel: 'off',
    dangerouslyAllowBrowser: inPage,
  });
}
