// Vector search benchmark: ours (WASM HNSW + SIMD) against every browser peer, each in its own
// Chromium worker on the same clustered data, plus native hnswlib-node in Node as the physical
// reference. `npm run bench -- vector` (set VECTOR_BENCH_COUNT=10000 for a quick run).
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { HnswIndex } from '../../src/vector/hnsw-index.js';
import { compileHnswModule } from '../../src/vector/wasm-module.js';
import { runBrowserBench } from '../support/browser.js';
import { type BenchRow, percentile, row, writeResults } from '../support/results.js';
import type { ContenderResult, Sweep } from './contender.worker.js';
import { benchSpec, clustered, recallAt } from './data.js';
import { realEmbeddings } from './real-data.js';

const count = Number(process.env.VECTOR_BENCH_COUNT ?? 100_000);
const queries = Number(process.env.VECTOR_BENCH_QUERIES ?? 500);
const efs = [10, 16, 24, 32, 48, 64, 96, 128];
const k = 10;
const dimension = 384;

interface PagePayload {
  results: ContenderResult[];
  failures: Record<string, string>;
  userAgent: string;
}

interface Point {
  ef: number;
  recall: number;
  p50: number;
  p99: number;
  mean: number;
}

function points(sweeps: Sweep[], truth: number[][]): Point[] {
  return sweeps.map((entry) => ({
    ef: entry.ef,
    recall: recallAt(entry.ids, truth.slice(0, entry.ids.length), k),
    p50: percentile(entry.latencies, 50),
    p99: percentile(entry.latencies, 99),
    mean: entry.latencies.reduce((sum, value) => sum + value, 0) / entry.latencies.length,
  }));
}

/** The cheapest setting reaching the recall target (or the best recall when none does). */
function atRecall(curve: Point[], target = 0.95): Point & { reached: boolean } {
  const ok = curve.filter((point) => point.recall >= target).sort((a, b) => a.mean - b.mean)[0];
  if (ok) return { ...ok, reached: true };
  return { ...[...curve].sort((a, b) => b.recall - a.recall)[0]!, reached: false };
}

const { data, queries: packed } = clustered(benchSpec(count), queries);

/** Exact top-k over the first `size` vectors (for peers run on a subset), with our SIMD scan. */
async function subsetTruth(size: number): Promise<number[][]> {
  const index = await HnswIndex.create(await compileHnswModule(), { dimension, metric: 'cosine' });
  index.add(data.subarray(0, size * dimension), { link: false });
  return Array.from({ length: queries }, (_, q) =>
    Array.from(index.exact(packed.subarray(q * dimension, (q + 1) * dimension), k).ids),
  );
}

function native(
  truth: number[][],
  set: { data: Float32Array; queries: Float32Array; count: number; queryCount: number } = {
    data,
    queries: packed,
    count,
    queryCount: queries,
  },
): { buildMs: number; curve: Point[] } {
  const index = new hnswlib.HierarchicalNSW('cosine', dimension);
  index.initIndex(set.count, 16, 200, 100);
  const started = performance.now();
  for (let i = 0; i < set.count; i++)
    index.addPoint(Array.from(set.data.subarray(i * dimension, (i + 1) * dimension)), i);
  const buildMs = performance.now() - started;
  const queryRows = Array.from({ length: set.queryCount }, (_, q) =>
    Array.from(set.queries.subarray(q * dimension, (q + 1) * dimension)),
  );
  const sweeps: Sweep[] = efs.map((ef) => {
    index.setEf(ef);
    for (const query of queryRows.slice(0, 20)) index.searchKnn(query, k);
    const ids: number[][] = [];
    const latencies: number[] = [];
    for (const query of queryRows) {
      const start = performance.now();
      ids.push(index.searchKnn(query, k).neighbors);
      latencies.push(performance.now() - start);
    }
    return { ef, ids, latencies };
  });
  return { buildMs, curve: points(sweeps, truth) };
}

// Real all-MiniLM-L6-v2 embeddings of README texts (embedded once, cached under .cache/).
const real = process.env.VECTOR_BENCH_REAL === '0' ? undefined : await realEmbeddings();
const { result: page, browser } = await runBrowserBench<PagePayload>({
  page: '/bench/vector/index.html',
  query: {
    count: String(count),
    queries: String(queries),
    efs: efs.join(','),
    realCount: String(real?.count ?? 0),
    realQueries: String(real?.queryCount ?? 0),
  },
  timeoutMs: 90 * 60_000,
});
// Raw sweeps (ids + latencies) for re-analysis without another 30-minute run.
const rawPath = join(tmpdir(), 'lumos-vector-bench-raw.json');
writeFileSync(rawPath, JSON.stringify(page));
console.log(`raw page results: ${rawPath}`);
const byName = new Map(page.results.map((result) => [result.contender, result]));
const ours = byName.get('ours');
if (!ours) throw new Error(`our contender failed: ${page.failures.ours}`);
const truth = ours.extra.truth as number[][];
const truthBySize = new Map<number, number[][]>([[count, truth]]);
for (const result of page.results) {
  if (!truthBySize.has(result.count) && result.count > 1 && !result.contender.endsWith('-real'))
    truthBySize.set(result.count, await subsetTruth(result.count));
}
// The page's 10k reference and ours computed here must agree: same generator, same seed.
const small = ours.extra.truthSmall as number[][];
const check = truthBySize.get(Math.min(10_000, count)) ?? (await subsetTruth(Math.min(10_000, count)));
const agreement = recallAt(check.slice(0, 50), small.slice(0, 50), k);
if (agreement < 0.99) throw new Error(`browser and Node data differ (agreement ${agreement})`);
const truthFor = (result: ContenderResult) => truthBySize.get(result.count)!;
console.log('native hnswlib-node (Node)…');
const nativeRun = native(truth);

const oursCurve = points(ours.sweeps, truth);
const oursBest = atRecall(oursCurve);
const insertsPerSecond = (result: { buildMs: number; count: number }) =>
  (result.count / result.buildMs) * 1000;
const rows: BenchRow[] = [];
const fmt = (point: Point) => `ef=${point.ef}, recall@10=${point.recall.toFixed(3)}`;

rows.push(
  row({
    case: `p50 query at recall@10 >= 0.95, ${count}x${dimension}`,
    unit: 'ms',
    better: 'lower',
    ours: oursBest.p50,
    peer: 'target',
    peerValue: 1,
    target: 'ours <= 1 ms',
    met: oursBest.reached && oursBest.p50 <= 1,
    notes: `${fmt(oursBest)}; single queries in a Chromium worker, engine call`,
  }),
  row({
    case: `p99 query at recall@10 >= 0.95, ${count}x${dimension}`,
    unit: 'ms',
    better: 'lower',
    ours: oursBest.p99,
    peer: 'target',
    peerValue: 5,
    target: 'ours <= 5 ms',
    met: oursBest.reached && oursBest.p99 <= 5,
    notes: fmt(oursBest),
  }),
);

const hnswlibWasm = byName.get('hnswlib-wasm');
if (hnswlibWasm) {
  const theirs = atRecall(points(hnswlibWasm.sweeps, truthFor(hnswlibWasm)));
  rows.push(
    row({
      case: `QPS at recall@10 >= 0.95 vs hnswlib-wasm (${hnswlibWasm.count})`,
      unit: 'queries/s',
      better: 'higher',
      ours: 1000 / oursBest.mean,
      peer: 'hnswlib-wasm 0.8.2',
      peerValue: 1000 / theirs.mean,
      target: 'ratio >= 2',
      met: oursBest.reached && theirs.reached && oursBest.mean * 2 <= theirs.mean,
      notes: `ours ${fmt(oursBest)}; theirs ${fmt(theirs)}, p50 ${theirs.p50.toFixed(3)} ms`,
    }),
    row({
      case: `median-latency QPS at recall@10 >= 0.95 vs hnswlib-wasm (${hnswlibWasm.count})`,
      unit: 'queries/s',
      better: 'higher',
      ours: 1000 / oursBest.p50,
      peer: 'hnswlib-wasm 0.8.2',
      peerValue: 1000 / theirs.p50,
      target: 'ratio >= 2 (reported beside the mean: the shared machine adds scheduler stalls to both)',
      met: oursBest.reached && theirs.reached && oursBest.p50 * 2 <= theirs.p50,
      notes: `1000 / p50; ours ${fmt(oursBest)}; theirs ${fmt(theirs)}`,
    }),
    row({
      case: `inserts vs hnswlib-wasm (ours M=16, efConstruction=${ours.extra.efConstruction}, links on ${ours.extra.buildPrecision}; theirs M=16, efConstruction=200)`,
      unit: 'vectors/s',
      better: 'higher',
      ours: insertsPerSecond(ours),
      peer: 'hnswlib-wasm 0.8.2',
      peerValue: insertsPerSecond(hnswlibWasm),
      target: 'ours >= 2000/s',
      met: insertsPerSecond(ours) >= 2000,
      notes: `${count} vectors in batches of 1000; recall at these settings: ours ${fmt(oursBest)}, theirs ${fmt(atRecall(points(hnswlibWasm.sweeps, truthFor(hnswlibWasm))))}`,
    }),
  );
}

const nativeBest = atRecall(nativeRun.curve);
rows.push(
  row({
    case: 'query time at recall@10 >= 0.95 vs native hnswlib (Node)',
    unit: 'ms',
    better: 'lower',
    ours: oursBest.mean,
    peer: 'hnswlib-node 3 (native)',
    peerValue: nativeBest.mean,
    target: 'ratio <= 2',
    met: oursBest.reached && oursBest.mean <= 2 * nativeBest.mean,
    notes: `mean per query; ours ${fmt(oursBest)}; native ${fmt(nativeBest)}, build ${((count / nativeRun.buildMs) * 1000).toFixed(0)}/s`,
  }),
  row({
    case: `persist ${count} vectors + graph to IndexedDB`,
    unit: 'ms',
    better: 'lower',
    ours: ours.extra.persistMs as number,
    peer: 'target',
    peerValue: 3000,
    target: 'ours <= 3000 ms',
    met: (ours.extra.persistMs as number) <= 3000,
    notes: `one transaction: ${ours.extra.shardSize}-vector shards (ArrayBuffer + ids + metadata + checksum) and the graph`,
  }),
);
const cold = byName.get('ours-cold');
if (cold) {
  rows.push(
    row({
      case: `cold load of ${count} from IndexedDB to first answer`,
      unit: 'ms',
      better: 'lower',
      ours: cold.extra.coldMs as number,
      peer: 'target',
      peerValue: 1000,
      target: 'ours <= 1000 ms',
      met: (cold.extra.coldMs as number) <= 1000,
      notes: `fresh worker: compile wasm, read shards + graph, verify checksums, first query (${JSON.stringify(cold.extra.report)})`,
    }),
  );
}

const oursReal = byName.get('ours-real');
let realExtra: Record<string, unknown> | undefined;
if (real && oursReal) {
  const realTruth = oursReal.extra.truth as number[][];
  const realCurve = points(oursReal.sweeps, realTruth);
  const realBest = atRecall(realCurve);
  const nativeReal = native(realTruth, real);
  const nativeRealBest = atRecall(nativeReal.curve);
  const label = `real embeddings (all-MiniLM-L6-v2, ${real.count} README texts, ${real.queryCount} held-out queries)`;
  const peerReal = byName.get('hnswlib-wasm-real');
  const peerRealCurve = peerReal ? points(peerReal.sweeps, realTruth) : undefined;
  const peerRealBest = peerRealCurve ? atRecall(peerRealCurve) : undefined;
  rows.push(
    row({
      case: `${label}: p50 query at recall@10 >= 0.95`,
      unit: 'ms',
      better: 'lower',
      ours: realBest.p50,
      peer: 'hnswlib-wasm 0.8.2',
      peerValue: peerRealBest?.p50 ?? Number.NaN,
      target: 'recall@10 >= 0.95, p50 <= 1 ms',
      met: realBest.reached && realBest.p50 <= 1,
      notes: `ours ${fmt(realBest)}; hnswlib-wasm ${peerRealBest ? fmt(peerRealBest) : 'failed'}; native ${fmt(nativeRealBest)} ${nativeRealBest.p50.toFixed(3)} ms`,
    }),
    row({
      case: `${label}: recall@10 at ef=64 (the default)`,
      unit: 'recall',
      better: 'higher',
      ours: realCurve.find((point) => point.ef === 64)?.recall ?? Number.NaN,
      peer: 'hnswlib-node 3 (native, efC 200)',
      peerValue: nativeReal.curve.find((point) => point.ef === 64)?.recall ?? Number.NaN,
      target: 'recall@10 >= 0.95',
      met: (realCurve.find((point) => point.ef === 64)?.recall ?? 0) >= 0.95,
      notes: `exact answers from our SIMD scan; curve ${realCurve.map((point) => `${point.ef}:${point.recall.toFixed(3)}`).join(' ')}`,
    }),
    row({
      case: `${label}: inserts`,
      unit: 'vectors/s',
      better: 'higher',
      ours: insertsPerSecond(oursReal),
      peer: 'hnswlib-wasm 0.8.2',
      peerValue: peerReal ? insertsPerSecond(peerReal) : Number.NaN,
      target: 'ours >= 2000/s',
      met: insertsPerSecond(oursReal) >= 2000,
      notes: `native hnswlib-node ${((real.count / nativeReal.buildMs) * 1000).toFixed(0)}/s`,
    }),
  );
  realExtra = {
    count: real.count,
    queries: real.queryCount,
    ours: realCurve,
    native: nativeReal.curve,
    hnswlibWasm: peerRealCurve,
  };
}

for (const name of ['brute-force', 'orama', 'voy', 'mememo'] as const) {
  const peer = byName.get(name);
  if (!peer) continue;
  const theirs = atRecall(points(peer.sweeps, truthFor(peer)));
  rows.push(
    row({
      case: `p50 query vs ${name} (${peer.count} for them, ${count} for us)`,
      unit: 'ms',
      better: 'lower',
      ours: oursBest.p50,
      peer: name,
      peerValue: theirs.p50,
      target: 'faster than every browser peer',
      met: oursBest.p50 < theirs.p50,
      notes: `theirs ${fmt(theirs)}, build ${insertsPerSecond(peer).toFixed(0)}/s`,
    }),
  );
}

writeResults('vector', rows, {
  browser,
  extra: {
    count,
    queries,
    dimension,
    dataset: '1,000 unit centres + N(0, 0.1^2) per coordinate, seed 42; queries drawn the same way',
    curves: {
      ours: oursCurve,
      native: nativeRun.curve,
      ...Object.fromEntries(
        page.results
          .filter(
            (result) =>
              !['ours', 'ours-cold'].includes(result.contender) && !result.contender.endsWith('-real'),
          )
          .map((result) => [
            result.contender,
            {
              count: result.count,
              buildMs: result.buildMs,
              curve: points(result.sweeps, truthFor(result)),
            },
          ]),
      ),
    },
    oursBuildMs: ours.buildMs,
    oursExactMsPerQuery: ours.extra.exactMsPerQuery,
    oursApiP50AtEf64On20k: ours.extra.apiP50AtEf64,
    oursMemoryBytes: ours.extra.memoryBytes,
    oursGraphBytes: ours.extra.graphBytes,
    cold: cold?.extra,
    real: realExtra,
    failures: page.failures,
  },
});
