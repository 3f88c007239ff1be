import { IndexedDBStorage, InMemoryStorage } from '../../src/storage/index.js';
import { measureChain, percentileOf } from './measure.js';

const params = new URLSearchParams(location.search);
const steps = Number(params.get('steps') ?? 20);
const runs = Number(params.get('runs') ?? 40);
const warmup = 5;
const page = globalThis as Record<string, unknown>;

const summary = (samples: number[]) => ({ p50: percentileOf(samples, 50), p90: percentileOf(samples, 90) });

try {
  const name = `bench-workflow-${Date.now()}`;
  const indexedDb = await IndexedDBStorage.open({ name });
  const durable = await measureChain({
    storage: indexedDb,
    steps,
    runs,
    warmup,
    persistHandWritten: true,
    label: 'idb',
  });
  const plainBeside = await measureChain({
    storage: indexedDb,
    steps,
    runs,
    warmup,
    persistHandWritten: false,
    label: 'idb-plain',
  });
  indexedDb.close();
  indexedDB.deleteDatabase(name);
  const memory = await measureChain({
    storage: new InMemoryStorage(),
    steps,
    runs,
    warmup,
    persistHandWritten: false,
    label: 'memory',
  });
  page.__benchResult = {
    steps,
    runs,
    indexedDb: { engine: summary(durable.engine), handWrittenDurable: summary(durable.handWritten) },
    indexedDbVsPlain: { engine: summary(plainBeside.engine), handWritten: summary(plainBeside.handWritten) },
    memory: { engine: summary(memory.engine), handWritten: summary(memory.handWritten) },
  };
} catch (error) {
  page.__benchResult = { error: String((error as Error)?.stack ?? error) };
}
