import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A `fetch` that serves files from a local folder (404 when missing), so Node tests load models
 * through the same code path as a browser. `override` replaces or removes (`null`) single files.
 */
export function folderFetch(
  folder: string,
  override: Record<string, Uint8Array | string | null> = {},
): typeof fetch {
  return async (input) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const file = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
    if (file in override) {
      const body = override[file];
      return body === null || body === undefined
        ? new Response('missing', { status: 404 })
        : new Response(body as BodyInit);
    }
    try {
      const bytes = await readFile(join(folder, file));
      return new Response(bytes, { headers: { 'content-length': String(bytes.byteLength) } });
    } catch {
      return new Response('missing', { status: 404 });
    }
  };
}
