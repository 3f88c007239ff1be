export { type ConsoleExporterOptions, createConsoleExporter, formatSpan } from './exporters/console.js';
export { createMemoryExporter, type MemoryExporter, type MemoryExporterOptions } from './exporters/memory.js';
export {
  createOtlpHttpExporter,
  type OtlpExportStats,
  type OtlpHttpExporter,
  type OtlpHttpExporterOptions,
} from './exporters/otlp-http.js';
export type { OtlpSendResult, OtlpSendSettings } from './exporters/otlp-send.js';
export {
  createOtlpExportCore,
  inProcessOtlpExportWorker,
  moduleOtlpExportWorker,
  type OtlpExportCore,
  type OtlpExportWorkerFactory,
  type OtlpExportWorkerHandle,
  otlpExportWorkerHandle,
} from './exporters/otlp-worker.js';
export {
  createPortExporter,
  receiveSpans,
  type SpanBatchMessage,
  type SpanPortLike,
  type SpanPortListener,
} from './exporters/port.js';
export { createTraceStoreExporter, type TraceStoreExporterOptions } from './exporters/trace-store.js';
export { newSpanId, newTraceId, preciseNow } from './ids.js';
export { traceChatModel } from './instrument/chat-model.js';
export { traceEmbedder } from './instrument/embedder.js';
export type { InstrumentOptions, ParentSource } from './instrument/parent.js';
export { traceVectorStore } from './instrument/vector-store.js';
export {
  createLogger,
  isProductionBuild,
  type LogEntry,
  type Logger,
  type LoggerOptions,
  type LogLevel,
} from './logger.js';
export {
  encodeOtlpTraces,
  encodeOtlpTracesJson,
  encodeOtlpTracesUtf8,
  millisToUnixNanos,
  type OtlpAnyValue,
  type OtlpKeyValue,
  type OtlpResourceOptions,
  type OtlpSpan,
  type OtlpTraceRequest,
  toAnyValue,
} from './otlp-encoding.js';
export { isSecretKey, redactedMarker, redactSecrets, redactString, toRedactedJson } from './redact.js';
export type { RedactContext, Span } from './span.js';
export {
  createTracer,
  type SpanParent,
  type StartSpanOptions,
  type Tracer,
  type TracerOptions,
} from './tracer.js';
export type { AttributeValue, SpanContext, SpanExporter, SpanKind, SpanRecord } from './types.js';
