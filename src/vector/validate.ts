import { InvalidArgumentError } from '../errors/index.js';
import type { VectorMetric } from './types.js';

const metrics: readonly VectorMetric[] = ['cosine', 'euclidean', 'dotproduct'];

/** Throws unless `name` is a non-empty string. */
export function checkIndexName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
    throw new InvalidArgumentError(`Invalid index name ${JSON.stringify(name)}.`, {
      hint: 'Use a non-empty string of at most 256 characters.',
    });
  }
}

export function checkDimension(dimension: unknown): asserts dimension is number {
  if (!Number.isInteger(dimension) || (dimension as number) < 1 || (dimension as number) > 65_536) {
    throw new InvalidArgumentError(`Invalid dimension ${String(dimension)}.`, {
      hint: 'Use a positive integer up to 65536 (e.g. 384 for all-MiniLM-L6-v2).',
    });
  }
}

export function checkMetric(metric: unknown): asserts metric is VectorMetric {
  if (!metrics.includes(metric as VectorMetric)) {
    throw new InvalidArgumentError(`Unknown metric ${JSON.stringify(metric)}.`, {
      hint: `Use one of ${metrics.join(', ')}.`,
    });
  }
}

/**
 * Packs vectors into one Float32Array after checking they are non-empty, of one length and
 * finite. Runs before anything is stored, so a bad batch stores nothing.
 */
export function packVectors(vectors: unknown): { packed: Float32Array; count: number; length: number } {
  if (!Array.isArray(vectors) || vectors.length === 0) {
    throw new InvalidArgumentError('`vectors` must be a non-empty array of vectors.', {
      hint: 'Pass e.g. vectors: [embedding1, embedding2].',
    });
  }
  const first = vectors[0] as ArrayLike<number> | undefined;
  const length = first?.length;
  if (typeof length !== 'number' || length === 0) {
    throw new InvalidArgumentError('Vector 0 is empty or not an array of numbers.', {
      hint: 'Each vector must be a non-empty array or Float32Array.',
    });
  }
  const packed = new Float32Array(vectors.length * length);
  vectors.forEach((vector: ArrayLike<number> | undefined, index) => {
    if (!vector || typeof vector.length !== 'number' || vector.length !== length) {
      throw new InvalidArgumentError(
        `Vector ${index} has length ${vector?.length ?? 'none'}, vector 0 has ${length}.`,
        { hint: 'All vectors of a batch must have the index dimension.', data: { index } },
      );
    }
    packed.set(vector, index * length);
  });
  return { packed, count: vectors.length, length };
}

/** Throws unless every value is finite (NaN and ±Infinity would poison distances). */
export function checkFinite(values: Float32Array, length: number): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const index = Math.floor(i / length);
      throw new InvalidArgumentError(`Vector ${index} holds ${values[i]} at position ${i % length}.`, {
        hint: 'Vectors must contain only finite numbers; check the embedding step.',
        data: { index },
      });
    }
  }
}

/** Throws when a cosine vector has zero length (it has no direction to compare). */
export function checkNonZero(values: Float32Array, length: number): void {
  for (let start = 0; start < values.length; start += length) {
    let norm = 0;
    for (let i = start; i < start + length; i++) norm += values[i]! * values[i]!;
    if (norm === 0) {
      throw new InvalidArgumentError(`Vector ${start / length} is all zeros.`, {
        hint: 'A zero vector has no direction under the cosine metric; drop it or use euclidean.',
        data: { index: start / length },
      });
    }
  }
}

/** Checks user ids: strings, one per vector, unique within the batch. */
export function checkIds(ids: unknown, count: number): asserts ids is string[] {
  if (!Array.isArray(ids) || ids.length !== count) {
    throw new InvalidArgumentError(`\`ids\` must be an array with one id per vector (${count}).`, {
      hint: 'Omit ids to have UUIDs generated.',
    });
  }
  const seen = new Set<string>();
  ids.forEach((id, index) => {
    if (typeof id !== 'string' || id.length === 0) {
      throw new InvalidArgumentError(`Id ${index} is not a non-empty string.`, { data: { index } });
    }
    if (seen.has(id)) {
      throw new InvalidArgumentError(`Id "${id}" appears twice in one batch.`, {
        hint: 'Each id may appear once per upsert; merge the duplicates first.',
        data: { id },
      });
    }
    seen.add(id);
  });
}

export function checkMetadata(
  metadata: unknown,
  count: number,
): asserts metadata is Record<string, unknown>[] {
  if (!Array.isArray(metadata) || metadata.length !== count) {
    throw new InvalidArgumentError(`\`metadata\` must be an array with one object per vector (${count}).`);
  }
  metadata.forEach((entry, index) => {
    checkMetadataObject(entry, index);
  });
}

export function checkMetadataObject(entry: unknown, index = 0): asserts entry is Record<string, unknown> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new InvalidArgumentError(`Metadata ${index} is not a plain object.`, {
      hint: 'Pass metadata as objects like { source: "a.md" }.',
      data: { index },
    });
  }
}

/** Checks `topK` is an integer in `1..max`. */
export function checkTopK(topK: unknown, max: number): asserts topK is number {
  if (!Number.isInteger(topK) || (topK as number) < 1 || (topK as number) > max) {
    throw new InvalidArgumentError(`Invalid topK ${String(topK)}.`, {
      hint: `Use an integer from 1 to ${max}.`,
    });
  }
}
