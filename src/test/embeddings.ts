/**
 * Deterministic embeddings for tests: feature hashing of lower-cased words into signed buckets,
 * L2-normalised. Texts that share words get similar vectors, so retrieval tests behave sensibly.
 */
export function hashEmbedding(text: string, dimension: number): Float32Array {
  const vector = new Float32Array(dimension);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [text];
  for (const word of words) {
    const hash = fnv1a(word);
    const bucket = hash % dimension;
    vector[bucket]! += hash & 0x80000000 ? -1 : 1;
    // A second, weaker bucket spreads words that collide in the first.
    const second = fnv1a(`${word}#`) % dimension;
    vector[second]! += 0.5;
  }
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  for (let index = 0; index < dimension; index++) vector[index]! /= norm;
  return vector;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Little-endian float32 bytes as base64 (OpenAI's `encoding_format: 'base64'`). */
export function toBase64(vector: Float32Array): string {
  const bytes = new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
