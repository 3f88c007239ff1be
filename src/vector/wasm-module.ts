/** Where the HNSW WebAssembly comes from: bytes, a URL, or a compiled module. */
export type HnswWasmSource = WebAssembly.Module | ArrayBuffer | Uint8Array | URL | string;

let defaultModule: Promise<WebAssembly.Module> | undefined;

/** The `wasm/build/hnsw.wasm` shipped with the package, resolved next to this module. */
export function defaultHnswWasmUrl(): URL {
  return new URL('../../wasm/build/hnsw.wasm', import.meta.url);
}

async function readUrl(url: URL): Promise<ArrayBuffer> {
  if (url.protocol === 'file:') {
    // Node (unit tests): read from disk. The specifier is a variable so bundlers leave it alone.
    const specifier = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ specifier)) as typeof import('node:fs/promises');
    const bytes = await fs.readFile(url);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`fetching ${url.href} failed with HTTP ${response.status}`);
  return response.arrayBuffer();
}

/**
 * Compiles the HNSW module once per source. No code is generated at run time: the module is
 * compiled with `WebAssembly.compile`, which an MV3 extension allows under `'wasm-unsafe-eval'`.
 * @param source defaults to {@link defaultHnswWasmUrl}
 */
export function compileHnswModule(source?: HnswWasmSource): Promise<WebAssembly.Module> {
  if (source === undefined) {
    defaultModule ??= compileHnswModule(defaultHnswWasmUrl()).catch((error: unknown) => {
      defaultModule = undefined;
      throw error;
    });
    return defaultModule;
  }
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (source instanceof URL || typeof source === 'string') {
    return readUrl(new URL(source, globalThis.location?.href)).then((bytes) => WebAssembly.compile(bytes));
  }
  return WebAssembly.compile(source as BufferSource);
}
