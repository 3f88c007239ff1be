// The OTLP export worker: encodes and sends the exporter's span batches off the page's thread.
import { createOtlpExportCore } from '../src/telemetry/exporters/otlp-worker.js';
import { exposeCore } from '../src/worker/index.js';

exposeCore(createOtlpExportCore());
