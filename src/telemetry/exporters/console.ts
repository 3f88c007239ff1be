import type { SpanRecord } from '../../storage/types.js';
import type { SpanExporter } from '../types.js';

export interface ConsoleExporterOptions {
  /** Where lines go. @default globalThis.console.log */
  write?: (line: string, span: SpanRecord) => void;
  /** Also print attributes as JSON. @default false */
  attributes?: boolean;
}

/** One readable line per span: `[trace 1a2b3c4d] tool search (tool) 12.4 ms ok`. */
export function formatSpan(span: SpanRecord, withAttributes = false): string {
  const duration = span.endTime === undefined ? 'open' : `${(span.endTime - span.startTime).toFixed(1)} ms`;
  const head = `[trace ${span.traceId.slice(0, 8)}] ${span.name} (${span.kind}) ${duration} ${span.status}`;
  return withAttributes ? `${head} ${JSON.stringify(span.attributes)}` : head;
}

/** Prints each finished span as one line; for development. */
export function createConsoleExporter(options: ConsoleExporterOptions = {}): SpanExporter {
  const write = options.write ?? ((line: string) => globalThis.console.log(line));
  return {
    async export(spans) {
      for (const span of spans) write(formatSpan(span, options.attributes ?? false), span);
    },
  };
}
