import { describe, expect, it } from 'vitest';
import { EmbeddingCache, type EmbeddingCacheStore } from './cache.js';

describe('EmbeddingCache', () => {
  it('keys by SHA-256 of model id and text', async () => {
    const cache = new EmbeddingCache();
    const [a, b, c] = await cache.keys('m1', ['hello', 'hello', 'other']);
    const [d] = await cache.keys('m2', ['hello']);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).not.toBe(d);
  });

  it('drops the least recently used entries beyond maxEntries', async () => {
    const cache = new EmbeddingCache({ maxEntries: 2 });
    const vector = (value: number) => new Float32Array([value]);
    await cache.set([
      ['a', vector(1)],
      ['b', vector(2)],
    ]);
    await cache.get(['a']);
    await cache.set([['c', vector(3)]]);
    const [a, b, c] = await cache.get(['a', 'b', 'c']);
    expect([a?.[0], b, c?.[0]]).toEqual([1, undefined, 3]);
    expect(cache.size).toBe(2);
  });

  it('reads through to and writes through a persistent store', async () => {
    const stored = new Map<string, Float32Array>([['persisted', new Float32Array([7])]]);
    const store: EmbeddingCacheStore = {
      get: async (keys) => keys.map((key) => stored.get(key)),
      set: async (entries) => {
        for (const [key, value] of entries) stored.set(key, value);
      },
    };
    const cache = new EmbeddingCache({ store });
    const [hit, miss] = await cache.get(['persisted', 'absent']);
    expect(hit?.[0]).toBe(7);
    expect(miss).toBeUndefined();
    await cache.set([['fresh', new Float32Array([9])]]);
    expect(stored.get('fresh')?.[0]).toBe(9);
  });
});
