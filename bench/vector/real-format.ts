// The cached real-embedding file, readable in Node and in the browser (no Node imports here).

/** Where the cache lives, relative to the repo root (also the URL path the page fetches). */
export const realDataPath = '.cache/bench-vector/real-embeddings.f32';

export interface RealEmbeddings {
  /** Indexed vectors, packed. */
  data: Float32Array;
  /** Held-out texts' vectors, packed. */
  queries: Float32Array;
  count: number;
  queryCount: number;
  dimension: number;
}

/** Splits the cached file: header [count, queryCount, dimension] (u32) then data, then queries. */
export function parseRealEmbeddings(buffer: ArrayBuffer): RealEmbeddings {
  const [count, queryCount, dimension] = new Uint32Array(buffer, 0, 3);
  const floats = new Float32Array(buffer, 16);
  return {
    data: floats.subarray(0, count! * dimension!),
    queries: floats.subarray(count! * dimension!, (count! + queryCount!) * dimension!),
    count: count!,
    queryCount: queryCount!,
    dimension: dimension!,
  };
}
