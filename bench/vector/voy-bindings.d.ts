// voy-search ships types for its bundler entry only; its wasm-bindgen glue has the same exports.
declare module 'voy-search/voy_search_bg.js' {
  export * from 'voy-search';
  export function __wbg_set_wasm(exports: WebAssembly.Exports): void;
}
