/** How token vectors become one sentence vector. */
export type PoolingMode = 'mean' | 'cls';

/** Read from the model's `1_Pooling/config.json` (sentence-transformers layout) when present. */
export interface PoolingConfig {
  mode: PoolingMode;
  normalize: boolean;
}

/** Maps a sentence-transformers `1_Pooling/config.json` to our pooling mode; mean when unsure. */
export function poolingFromConfig(config: Record<string, unknown> | undefined): PoolingMode {
  if (config?.pooling_mode_cls_token === true) return 'cls';
  return 'mean';
}

/**
 * Pools `hidden` ([batch, sequence, dimension], row-major) over each row's attended tokens and
 * L2-normalises when asked. Returns one packed `Float32Array` of `batch × dimension`.
 */
export function pool(
  hidden: Float32Array,
  mask: BigInt64Array,
  shape: [batch: number, sequence: number, dimension: number],
  pooling: PoolingConfig,
): Float32Array {
  const [batch, sequence, dimension] = shape;
  const out = new Float32Array(batch * dimension);
  const sum = new Float64Array(dimension);
  for (let row = 0; row < batch; row++) {
    sum.fill(0);
    let count = 0;
    const tokens = pooling.mode === 'cls' ? 1 : sequence;
    for (let token = 0; token < tokens; token++) {
      if (mask[row * sequence + token] === 0n) continue;
      count++;
      const offset = (row * sequence + token) * dimension;
      for (let index = 0; index < dimension; index++) sum[index]! += hidden[offset + index]!;
    }
    let norm = 0;
    for (let index = 0; index < dimension; index++) {
      sum[index] = sum[index]! / Math.max(count, 1);
      norm += sum[index]! * sum[index]!;
    }
    const scale = pooling.normalize ? 1 / Math.max(Math.sqrt(norm), 1e-12) : 1;
    for (let index = 0; index < dimension; index++) out[row * dimension + index] = sum[index]! * scale;
  }
  return out;
}
