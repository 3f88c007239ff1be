import { describe, expect, it } from 'vitest';
import { exposeCore } from '../worker/index.js';
import type { CoreLoadRequest } from './core.js';
import type { EmbedWorkerFactory } from './worker-handle.js';
import { WorkerPool } from './worker-pool.js';

/** One in-process worker whose batches finish only when the test releases them, in order. */
function gatedFactory() {
  const started: string[] = [];
  const gates: (() => void)[] = [];
  const factory: EmbedWorkerFactory = () => {
    const channel = new MessageChannel();
    exposeCore(
      {
        load: async () => ({ dimension: 1, backend: 'wasm' as const }),
        embedBatch: async (texts: string[]) => {
          started.push(texts.join('+'));
          await new Promise<void>((resolve) => gates.push(resolve));
          return new Float32Array(texts.length);
        },
      },
      channel.port1,
    );
    return { endpoint: channel.port2, terminate: () => channel.port1.close(), onCrash: () => {} };
  };
  return { factory, started, gates };
}

const until = async (condition: () => boolean) => {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 500) throw new Error('condition never became true');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

describe('WorkerPool', () => {
  it('gives an urgent batch the next free worker ahead of queued batches, urgent ones in order', async () => {
    const { factory, started, gates } = gatedFactory();
    const pool = new WorkerPool({ size: 1, factory, batchTimeoutMs: 10_000, maxRetries: 0 });
    await pool.start(Promise.resolve({} as CoreLoadRequest));
    const running = pool.embed(['ingest-1']);
    await until(() => started.length === 1);
    const queued = [pool.embed(['ingest-2']), pool.embed(['ingest-3'])];
    const urgent = [pool.embed(['query-1'], { urgent: true }), pool.embed(['query-2'], { urgent: true })];
    for (let released = 0; released < 5; released++) {
      await until(() => gates.length > released);
      gates[released]!();
    }
    await Promise.all([running, ...queued, ...urgent]);
    expect(started).toEqual(['ingest-1', 'query-1', 'query-2', 'ingest-2', 'ingest-3']);
    pool.terminate();
  });
});
