import { describe, expect, it } from 'vitest';
import { deserializeError, NotFoundError, serializeError } from '../../src/errors/index.js';

describe('browser environment', () => {
  it('is a cross-origin isolated Chromium page with IndexedDB, workers and WebAssembly SIMD', () => {
    expect(globalThis.crossOriginIsolated).toBe(true);
    expect(typeof indexedDB.open).toBe('function');
    expect(typeof Worker).toBe('function');
    // (module (func (result v128) (v128.const i32x4 0 0 0 0)))
    const simd = new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
    ]);
    expect(WebAssembly.validate(simd)).toBe(true);
  });

  it('rebuilds typed errors after structured cloning', () => {
    const copy = deserializeError(structuredClone(serializeError(new NotFoundError('no index "docs"'))));
    expect(NotFoundError.isInstance(copy)).toBe(true);
  });
});
