// The OTLP export core in a Node worker thread, for the bench: what `workers/otlp-export.worker.ts`
// is in a browser. The main thread hands over one end of a MessageChannel in `workerData`.
import { type MessagePort, workerData } from 'node:worker_threads';
import { createOtlpExportCore } from '../../src/telemetry/index.js';
import { type Comlink, exposeCore } from '../../src/worker/index.js';

exposeCore(createOtlpExportCore(), (workerData as { port: MessagePort }).port as unknown as Comlink.Endpoint);
