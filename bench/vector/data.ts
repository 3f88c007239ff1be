/**
 * Deterministic clustered vectors, identical in Node and in the browser: centres drawn N(0, 1)
 * per coordinate, each point a centre plus N(0, sigma²) per coordinate (the usual
 * `centres[c] + sigma * randn(d)`). Queries are drawn the same way.
 */
export interface ClusteredSpec {
  count: number;
  dimension: number;
  centres: number;
  sigma: number;
  seed: number;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const u = random() || 1e-12;
    const v = random();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}

/** `count` vectors packed in one Float32Array, plus `queries` more drawn from the same clusters. */
export function clustered(
  spec: ClusteredSpec,
  queries: number,
): { data: Float32Array; queries: Float32Array } {
  const random = mulberry32(spec.seed);
  const normal = gaussian(random);
  const { dimension } = spec;
  const centres = new Float32Array(spec.centres * dimension);
  for (let i = 0; i < centres.length; i++) centres[i] = normal();
  // Queries use their own stream, so the first N vectors and the queries are the same for any count.
  const queryRandom = mulberry32(spec.seed ^ 0x5bd1e995);
  const queryNormal = gaussian(queryRandom);
  const draw = (count: number, random: () => number, normal: () => number) => {
    const out = new Float32Array(count * dimension);
    for (let i = 0; i < count; i++) {
      const c = Math.floor(random() * spec.centres);
      for (let d = 0; d < dimension; d++)
        out[i * dimension + d] = centres[c * dimension + d]! + spec.sigma * normal();
    }
    return out;
  };
  const data = draw(spec.count, random, normal);
  return { data, queries: draw(queries, queryRandom, queryNormal) };
}

/** The benchmark's dataset: 1,000 centres, sigma 0.1, seed 42. */
export function benchSpec(count: number, dimension = 384): ClusteredSpec {
  return { count, dimension, centres: 1000, sigma: 0.1, seed: 42 };
}

/** Fraction of the true top-k found. */
export function recallAt(found: ArrayLike<number>[], truth: ArrayLike<number>[], k: number): number {
  let hits = 0;
  found.forEach((ids, q) => {
    const expected = new Set(Array.from(truth[q]!).slice(0, k));
    for (const id of Array.from(ids).slice(0, k)) if (expected.has(id)) hits++;
  });
  return hits / (found.length * k);
}
