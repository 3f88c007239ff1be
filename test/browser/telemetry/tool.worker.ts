// A tool host in a real Worker: its spans go back to the page over a MessagePort and nest under
// the agent span whose context the page passes with each call.
import {
  createPortExporter,
  createTracer,
  type SpanContext,
  type Tracer,
} from '../../../src/telemetry/index.js';
import { exposeCore } from '../../../src/worker/index.js';

let tracer: Tracer | undefined;

const core = {
  connectTelemetry(port: MessagePort): void {
    tracer = createTracer({ exporters: [createPortExporter(port)] });
  },
  async runTool(name: string, args: { a: number; b: number }, parent: SpanContext): Promise<number> {
    if (!tracer) throw new Error('connectTelemetry first');
    const active = tracer;
    return active.withSpan(`tool ${name}`, { kind: 'tool', parent }, async (span) => {
      span.recordInput(args);
      const sum = await active.withSpan('add numbers', { parent: span }, async () => args.a + args.b);
      span.recordOutput(sum);
      return sum;
    });
  },
};

export type ToolHost = typeof core;
exposeCore(core);
