import { describe, expect, it } from 'vitest';
import { pool, poolingFromConfig } from './pooling.js';

describe('pool', () => {
  // batch 2, sequence 3, dimension 2; row 1 has one padding token.
  const hidden = new Float32Array([1, 0, 3, 0, 5, 4, 0, 2, 0, 4, 9, 9]);
  const mask = new BigInt64Array([1n, 1n, 1n, 1n, 1n, 0n]);

  it('averages attended tokens only and normalises', () => {
    const out = pool(hidden, mask, [2, 3, 2], { mode: 'mean', normalize: false });
    expect(Array.from(out)).toEqual([3, Math.fround(4 / 3), 0, 3]);
    const unit = pool(hidden, mask, [2, 3, 2], { mode: 'mean', normalize: true });
    expect(Math.hypot(unit[0]!, unit[1]!)).toBeCloseTo(1, 6);
    expect(Array.from(unit.subarray(2))).toEqual([0, 1]);
  });

  it('takes the first token for CLS pooling', () => {
    expect(Array.from(pool(hidden, mask, [2, 3, 2], { mode: 'cls', normalize: false }))).toEqual([
      1, 0, 0, 2,
    ]);
  });

  it('reads the sentence-transformers pooling config', () => {
    expect(poolingFromConfig({ pooling_mode_cls_token: true })).toBe('cls');
    expect(poolingFromConfig({ pooling_mode_mean_tokens: true })).toBe('mean');
    expect(poolingFromConfig(undefined)).toBe('mean');
  });
});
