// Runs every contender in its own Chromium worker, one after another (2 shared cores: running
// them side by side would measure contention), and reports raw sweeps to run.ts.
import type { ContenderResult, Task } from './contender.worker.js';

const params = new URLSearchParams(location.search);
const count = Number(params.get('count') ?? 100_000);
const smallCount = Math.min(count, Number(params.get('small') ?? 10_000));
const queries = Number(params.get('queries') ?? 500);
const efs = (params.get('efs') ?? '10,16,24,32,48,64,96,128').split(',').map(Number);
const only = params.get('only')?.split(',');
// MeMemo (pure-TS HNSW) builds ~15 vectors/s on this shared machine: 10k would take most of an hour.
const mememoCount = Number(params.get('mememoCount') ?? 3000);
const hnswlibCount = Number(params.get('hnswlibCount') ?? count);

function log(line: string): void {
  console.log(line);
  document.querySelector('#log')!.textContent += `${line}\n`;
}

function runTask(task: Task): Promise<ContenderResult> {
  const worker = new Worker(new URL('./contender.worker.ts', import.meta.url), {
    type: 'module',
    name: task.contender,
  });
  return new Promise<ContenderResult>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ ok: boolean; result?: ContenderResult; error?: string }>) => {
      worker.terminate();
      if (event.data.ok) resolve(event.data.result!);
      else reject(new Error(event.data.error));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`${task.contender} worker error: ${event.message}`));
    };
    worker.postMessage(task);
  });
}

async function main(): Promise<void> {
  const databaseName = `lumos-vector-bench-${Date.now()}`;
  const plan: Task[] = [
    { contender: 'ours', count, queries, efs, databaseName },
    { contender: 'ours-cold', count, queries: 1, efs, databaseName },
    { contender: 'brute-force', count, queries: Math.min(queries, 100), efs, databaseName },
    { contender: 'orama', count, queries: Math.min(queries, 100), efs, databaseName },
    { contender: 'voy', count: smallCount, queries: Math.min(queries, 200), efs, databaseName },
    {
      contender: 'mememo',
      count: Math.min(smallCount, mememoCount),
      queries: Math.min(queries, 200),
      efs: [16, 32, 64, 128],
      databaseName,
    },
    { contender: 'hnswlib-wasm', count: hnswlibCount, queries, efs, databaseName },
  ];
  // Real all-MiniLM-L6-v2 embeddings (run.ts passes their size once the cache exists).
  const realCount = Number(params.get('realCount') ?? 0);
  const realQueries = Number(params.get('realQueries') ?? 0);
  if (realCount > 0) {
    for (const contender of ['ours-real', 'hnswlib-wasm-real'] as const)
      plan.push({ contender, count: realCount, queries: realQueries, efs, databaseName });
  }
  const results: ContenderResult[] = [];
  const failures: Record<string, string> = {};
  for (const task of plan.filter((entry) => !only || only.includes(entry.contender))) {
    const started = performance.now();
    log(`${task.contender}: ${task.count} vectors…`);
    try {
      results.push(await runTask(task));
      log(`${task.contender}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      failures[task.contender] = (error as Error).message;
      log(`${task.contender}: FAILED ${(error as Error).message}`);
    }
  }
  (globalThis as Record<string, unknown>).__benchResult = {
    results,
    failures,
    userAgent: navigator.userAgent,
    crossOriginIsolated,
  };
}

main().catch((error: unknown) => {
  (globalThis as Record<string, unknown>).__benchResult = { error: String((error as Error).stack ?? error) };
});
