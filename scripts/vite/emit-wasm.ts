import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Plugin } from 'vite';

const pattern = /new URL\((['"])([^'"]+\.wasm)\1,\s*import\.meta\.url\)/g;

/**
 * Vite's library mode inlines every `new URL('x.wasm', import.meta.url)` as a base64 data URL,
 * which bloats the bundle and breaks under an MV3 extension's CSP. This emits each referenced
 * .wasm as a real file next to the chunk and keeps the `import.meta.url`-relative reference.
 */
export function emitWasm(): Plugin {
  return {
    name: 'lumos:emit-wasm',
    enforce: 'pre',
    apply: 'build',
    transform(code, id) {
      if (!code.includes('.wasm')) return null;
      let changed = false;
      const output = code.replace(pattern, (_match, _quote, relative: string) => {
        const file = resolve(dirname(id.split('?')[0]!), relative);
        const reference = this.emitFile({ type: 'asset', name: basename(file), source: readFileSync(file) });
        changed = true;
        return `new URL(import.meta.ROLLUP_FILE_URL_${reference})`;
      });
      return changed ? { code: output, map: null } : null;
    },
  };
}
