import { describe, expect, it } from 'vitest';
import { HnswIndex } from './hnsw-index.js';
import { compileHnswModule } from './wasm-module.js';

/** Deterministic clustered data (small: unit tests stay fast). */
function clustered(count: number, dimension: number, seed: number): Float32Array {
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: 20 }, () => Float32Array.from({ length: dimension }, gauss));
  const out = new Float32Array(count * dimension);
  for (let i = 0; i < count; i++) {
    const centre = centres[Math.floor(random() * centres.length)]!;
    for (let d = 0; d < dimension; d++) out[i * dimension + d] = centre[d]! + 0.3 * gauss();
  }
  return out;
}

function bruteForce(data: Float32Array, query: Float32Array, dimension: number, k: number, metric: string) {
  const scores: [number, number][] = [];
  const qNorm = Math.hypot(...query);
  for (let i = 0; i < data.length / dimension; i++) {
    const row = data.subarray(i * dimension, (i + 1) * dimension);
    let dot = 0;
    let l2 = 0;
    for (let d = 0; d < dimension; d++) {
      dot += row[d]! * query[d]!;
      l2 += (row[d]! - query[d]!) ** 2;
    }
    const score =
      metric === 'euclidean'
        ? -Math.sqrt(l2)
        : metric === 'cosine'
          ? dot / (Math.hypot(...row) * qNorm)
          : dot;
    scores.push([i, score]);
  }
  return scores.sort((a, b) => b[1] - a[1]).slice(0, k);
}

describe('HnswIndex (WASM)', () => {
  const dimension = 37; // not a multiple of 4: exercises the zero padding
  const data = clustered(1500, dimension, 7);
  const queries = clustered(20, dimension, 99);

  it.each([
    ['cosine', 'int8'],
    ['euclidean', 'int8'],
    ['dotproduct', 'float'],
    ['cosine', 'float'],
    ['euclidean', 'float'],
  ] as const)('scores like a brute-force scan (%s, links chosen on %s)', async (metric, buildPrecision) => {
    const index = await HnswIndex.create(await compileHnswModule(), { dimension, metric, buildPrecision });
    // Inner product is not a metric; the graph needs a longer search list for the same recall.
    const ef = metric === 'dotproduct' ? 128 : 64;
    expect(index.add(data)).toBe(0);
    expect(index.size).toBe(1500);
    let found = 0;
    for (let q = 0; q < 20; q++) {
      const query = queries.subarray(q * dimension, (q + 1) * dimension);
      const expected = bruteForce(data, query, dimension, 10, metric);
      const exact = index.exact(query, 10);
      expect([...exact.ids]).toEqual(expected.map(([id]) => id));
      exact.scores.forEach((score, rank) => {
        expect(score).toBeCloseTo(expected[rank]![1], 3);
      });
      const graph = index.search(query, 10, ef);
      const truth = new Set(expected.map(([id]) => id));
      found += [...graph.ids].filter((id) => truth.has(id)).length;
      expect(graph.visited).toBeGreaterThan(0);
      expect(graph.visited).toBeLessThan(1500);
    }
    expect(found / 200).toBeGreaterThanOrEqual(0.95);
  });

  it('reserves memory once for nodes about to be appended', async () => {
    const index = await HnswIndex.create(await compileHnswModule(), { dimension, metric: 'cosine' });
    index.reserve(1500, 1 << 20);
    const reserved = index.memoryBytes;
    expect(reserved).toBeGreaterThanOrEqual(1500 * dimension * 4 + (1 << 20));
    index.add(data, { link: false });
    expect(index.memoryBytes).toBe(reserved);
    expect(index.size).toBe(1500);
  });

  it('skips deleted nodes and honours an allow-list in graph and exact search', async () => {
    const index = await HnswIndex.create(await compileHnswModule(), { dimension, metric: 'euclidean' });
    index.add(data);
    const query = data.subarray(0, dimension);
    expect(index.search(query, 1, 32).ids[0]).toBe(0);
    index.setDeleted(0, true);
    expect([...index.search(query, 5, 32).ids]).not.toContain(0);
    expect([...index.exact(query, 5).ids]).not.toContain(0);
    const allowed = new Uint8Array(1500);
    for (const id of [10, 500, 1499]) allowed[id] = 1;
    expect([...index.search(query, 10, 32, allowed).ids].sort((a, b) => a - b)).toEqual([10, 500, 1499]);
    expect([...index.exact(query, 10, Uint32Array.of(10, 500, 1499)).ids].sort((a, b) => a - b)).toEqual([
      10, 500, 1499,
    ]);
  });

  it('round-trips its graph and rejects a malformed one', async () => {
    const module = await compileHnswModule();
    const index = await HnswIndex.create(module, { dimension, metric: 'cosine' });
    index.add(data);
    const graph = index.saveGraph();
    const copy = await HnswIndex.create(module, { dimension, metric: 'cosine' });
    copy.add(index.vectors(0, 1500), { raw: true, link: false });
    expect(copy.loadGraph(graph)).toBe(1500);
    const query = queries.subarray(0, dimension);
    expect([...copy.search(query, 10, 64).ids]).toEqual([...index.search(query, 10, 64).ids]);

    const broken = await HnswIndex.create(module, { dimension, metric: 'cosine' });
    broken.add(index.vectors(0, 1500), { raw: true, link: false });
    const bad = graph.slice();
    new Uint32Array(bad.buffer)[5] = 99_999; // a neighbour id out of range
    expect(broken.loadGraph(bad)).toBe(-1);
    expect(broken.loadGraph(graph.subarray(0, 100))).toBe(-1);
  });

  it('checksums detect a flipped byte', async () => {
    const index = await HnswIndex.create(await compileHnswModule(), { dimension: 4, metric: 'cosine' });
    const bytes = new Uint8Array(new Float32Array(data.subarray(0, 1000)).buffer);
    const sum = index.checksum(bytes);
    expect(index.checksum(bytes.slice())).toBe(sum);
    const flipped = bytes.slice();
    flipped[1234] = flipped[1234]! ^ 1;
    expect(index.checksum(flipped)).not.toBe(sum);
    expect(index.checksum(bytes.subarray(0, bytes.length - 4))).not.toBe(sum);
  });

  it('rejects bad parameters', async () => {
    await expect(
      HnswIndex.create(await compileHnswModule(), { dimension: 8, metric: 'cosine', m: 1 }),
    ).rejects.toThrow(/Invalid HNSW parameters/);
  });
});
