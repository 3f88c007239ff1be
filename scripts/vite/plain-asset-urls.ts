import type { Plugin } from 'vite';

const nestedWorkerUrl =
  /new URL\(\s*\/\* @vite-ignore \*\/\s*new URL\((["'])([^"']+)\1,\s*import\.meta\.url\)\.href,\s*""\s*\+\s*import\.meta\.url\s*\)/g;
const nestedAssetUrl = /new URL\(new URL\((["'])([^"']+)\1,\s*import\.meta\.url\)\.href\)/g;

/**
 * Vite renders relative asset and worker URLs of a `base: './'` build as
 * `new URL(new URL("assets/x.js", import.meta.url).href, "" + import.meta.url)`. An app bundler
 * that later consumes our package sees only the inner URL and copies the worker as an opaque
 * file, leaving its ORT chunks and .wasm behind. The plain form
 * `new Worker(new URL("./assets/x.js", import.meta.url))` is the one webpack, Vite, Parcel and
 * Rollup recognise, so they bundle the worker with everything it loads.
 */
export function plainAssetUrls(): Plugin {
  return {
    name: 'lumos:plain-asset-urls',
    apply: 'build',
    renderChunk(code) {
      if (!code.includes('import.meta.url')) return null;
      const output = code
        .replace(
          nestedWorkerUrl,
          (_match, _quote, path: string) => `new URL(${JSON.stringify(`./${path}`)}, import.meta.url)`,
        )
        .replace(
          nestedAssetUrl,
          (_match, _quote, path: string) => `new URL(${JSON.stringify(`./${path}`)}, import.meta.url)`,
        );
      return output === code ? null : { code: output, map: null };
    },
  };
}
