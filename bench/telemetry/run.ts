// Tracing overhead on an agent-like step: the same step (model call that asks for a tool, the
// tool, model call with the answer) through our `openai` ChatModel against the local
// OpenAI-compatible test server, with tracing off (the reference) and on. "On" wraps the model
// with `traceChatModel`, runs the step inside an agent span and the tool inside a tool span, with
// inputs/outputs recorded and redacted. Variants run in blocks of steps, interleaved in ABBA order
// after a warm-up so machine drift hits every variant alike. Both wall time and process CPU time
// (all threads: the export worker's too) are reported.
//
// How OTLP export is charged: as in a steady stream of steps. Each OTLP exporter starts the
// measured blocks with half a batch (256 spans) queued, so its one full batch of 512 spans per
// 128-step block is handed over in the middle of the block and encoded and sent while the block's
// remaining steps run: on the main thread for the inline exporter, in a worker thread for the
// worker exporter. Wall time is then simply the block's elapsed time: whatever the export takes
// from the traced code (main-thread encoding and fetch, the hand-over, garbage collection, a
// second thread competing for the 2 cores) slows those steps. The partial-batch timer is set
// beyond any block (`scheduledDelayMs`), so the half batch carried between blocks is never sent
// while another variant runs; batches stay at the default 512 spans. (Until 2026-11-23 each block
// ended with `tracer.flush()` and wall time added the CPU that flush used; with the export in
// another thread that CPU is no longer the traced code's, so the flush left the timed part.)
import { fork } from 'node:child_process';
import { performance as nodePerformance, PerformanceObserver } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { type ChatMessage, type ChatModel, openai, type ToolDefinition } from '../../src/llm/index.js';
import {
  createMemoryExporter,
  createOtlpHttpExporter,
  createTracer,
  type OtlpExportWorkerHandle,
  type OtlpHttpExporter,
  type Span,
  type Tracer,
  traceChatModel,
} from '../../src/telemetry/index.js';
import { startOpenAITestServer } from '../../src/test/index.js';
import { percentile, row, writeResults } from '../support/results.js';

const rounds = Number(process.env.TELEMETRY_BENCH_ROUNDS ?? 40);
const warmup = 4;
const stepsPerBlock = 128; // 512 spans: one full OTLP batch per block
const spansPerStep = 4;
const answer = 'It is 5 °C in Paris, with a light breeze from the west.';

const server = await startOpenAITestServer();
const session = await server.session();
session.setHandler?.((request) => {
  const body = request.body as { messages: { role: string }[] };
  return body.messages.at(-1)?.role === 'tool'
    ? { text: answer, usage: { prompt_tokens: 60, completion_tokens: 14 } }
    : {
        toolCalls: [{ name: 'weather', arguments: { city: 'Paris' } }],
        usage: { prompt_tokens: 40, completion_tokens: 9 },
      };
});
const receiverProcess = fork(new URL('./receiver.ts', import.meta.url), { execArgv: ['--import', 'tsx'] });
const ask = <T>(message: string | undefined): Promise<T> =>
  new Promise((resolve) => {
    receiverProcess.once('message', (reply) => resolve(reply as T));
    if (message) receiverProcess.send(message);
  });
const receiver = await ask<{ url: string }>(undefined);

const base = openai({ apiKey: 'sk-bench-0123456789', baseURL: session.baseURL, model: 'test-model' });
const tools: ToolDefinition[] = [
  {
    name: 'weather',
    description: 'Current weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
];
const lookUp = (city: string) => ({ city, celsius: city.length, wind: 'west' });

/** One agent step; with a tracer, every part is a span nested under the agent span. */
async function step(
  model: ChatModel,
  tracer: Tracer | undefined,
  parent: { current?: Span },
): Promise<string> {
  const run = async (span?: Span): Promise<string> => {
    if (span) parent.current = span;
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You answer weather questions with the weather tool.' },
      { role: 'user', content: 'What is the weather in Paris?' },
    ];
    const first = await model.generate({ messages, tools });
    const call = first.toolCalls[0]!;
    const execute = async () => JSON.stringify(lookUp((JSON.parse(call.arguments) as { city: string }).city));
    const result = tracer
      ? await tracer.withSpan(`tool ${call.name}`, { kind: 'tool', parent: span }, async (toolSpan) => {
          toolSpan.recordInput(call.arguments);
          const output = await execute();
          toolSpan.recordOutput(output);
          return output;
        })
      : await execute();
    messages.push(
      { role: 'assistant', content: '', toolCalls: first.toolCalls },
      { role: 'tool', toolCallId: call.id, content: result },
    );
    const second = await model.generate({ messages, tools });
    span?.recordOutput(second.text);
    return second.text;
  };
  if (!tracer) return run();
  return tracer.withSpan('agent weather', { kind: 'agent' }, async (span) => {
    span.recordInput('What is the weather in Paris?');
    return run(span);
  });
}

interface Variant {
  name: string;
  tracer: Tracer | undefined;
  /** The variant's OTLP exporter, if it has one. */
  otlp: OtlpHttpExporter | undefined;
  model: ChatModel;
  parent: { current?: Span };
  /** Wall milliseconds per step, one entry per block. */
  times: number[];
  /** Process CPU milliseconds per step (all threads), one entry per block. */
  cpu: number[];
  /** Main-thread busy milliseconds per step (event-loop utilisation), one entry per block. */
  busy: number[];
  /** Garbage-collection milliseconds per step (main thread), one entry per block. */
  gc: number[];
  /** Blocks whose batch request was still under way when the block ended. */
  late: number;
}

// Garbage-collection pauses, to tell what retained spans cost from what recording them costs.
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

function variant(name: string, tracer: Tracer | undefined, otlp?: OtlpHttpExporter): Variant {
  const parent: { current?: Span } = {};
  const model = tracer ? traceChatModel(base, tracer, { parent: () => parent.current }) : base;
  return { name, tracer, otlp, model, parent, times: [], cpu: [], busy: [], gc: [], late: 0 };
}

/**
 * The export worker in a Node worker thread: what the exporter starts by default in a browser
 * (`workers/otlp-export.worker.ts`). The thread loads TypeScript through tsx, like this process.
 */
function nodeExportWorker(): OtlpExportWorkerHandle {
  const channel = new MessageChannel();
  const entry = new URL('./otlp-export-worker.ts', import.meta.url).href;
  const worker = new Worker(
    `import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(entry)});`,
    { eval: true, workerData: { port: channel.port2 }, transferList: [channel.port2 as never] },
  );
  worker.unref();
  const listeners: ((reason: string) => void)[] = [];
  const crash = (reason: string) => {
    for (const listener of listeners.splice(0)) listener(reason);
  };
  worker.on('error', (error) => crash(error.message));
  worker.on('exit', (code) => crash(`exited with code ${code}`));
  return {
    endpoint: channel.port1,
    terminate: () => {
      channel.port1.close();
      void worker.terminate();
    },
    onCrash: (listener) => listeners.push(listener),
  };
}

// The OTLP exporters with their defaults (batches of 512 spans, 2,048 queued, one request at a
// time) except the partial-batch timer (see the top of this file): one hands every batch to an
// export worker (the browser default), the other encodes and sends on this thread (the default
// where no Worker exists: Node, an MV3 service worker).
const otlpSettings = { url: receiver.url, scheduledDelayMs: 3_600_000 };
const otlpWorker = createOtlpHttpExporter({ ...otlpSettings, worker: nodeExportWorker });
const otlpInline = createOtlpHttpExporter({ ...otlpSettings, worker: false });

const variants = [
  variant('off', undefined),
  variant('memory', createTracer({ exporters: [createMemoryExporter({ maxSpans: 5000 })] })),
  variant('otlp (export worker)', createTracer({ exporters: [otlpWorker] }), otlpWorker),
  variant('otlp (on the calling thread)', createTracer({ exporters: [otlpInline] }), otlpInline),
];
const otlpVariants = variants.filter((target) => target.otlp);
const halfBatch = stepsPerBlock / 2;

async function runSteps(target: Variant, steps: number): Promise<void> {
  for (let index = 0; index < steps; index++) {
    const text = await step(target.model, target.tracer, target.parent);
    if (text !== answer) throw new Error(`unexpected answer: ${text}`);
  }
}

/** Spans each OTLP exporter has ended so far; all but the queued half batch must be sent by block end. */
const ended = new Map<Variant, number>();

async function block(target: Variant, record: boolean): Promise<void> {
  const cpuStart = process.cpuUsage();
  const busyStart = nodePerformance.eventLoopUtilization();
  const gcStart = gcMs;
  const start = performance.now();
  await runSteps(target, stepsPerBlock);
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const busy = nodePerformance.eventLoopUtilization(busyStart);
  const gc = gcMs - gcStart;
  if (target.otlp) {
    // Untimed: wait for the block's batch (handed over mid-block) if it is still under way.
    const sent = (ended.get(target) ?? 0) + stepsPerBlock * spansPerStep;
    ended.set(target, sent);
    const expected = sent - halfBatch * spansPerStep;
    if (target.otlp.stats().exported < expected && record) target.late++;
    while (target.otlp.stats().exported < expected) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  if (!record) return;
  target.times.push(elapsed / stepsPerBlock);
  target.cpu.push((cpu.user + cpu.system) / 1000 / stepsPerBlock);
  target.busy.push(busy.active / stepsPerBlock);
  // GC entries are delivered asynchronously; a block is long enough that the skew averages out.
  target.gc.push(gc / stepsPerBlock);
}

// Half a batch queued in each OTLP exporter before the first block (see the top of this file).
for (const target of otlpVariants) {
  await runSteps(target, halfBatch);
  ended.set(target, halfBatch * spansPerStep);
}
for (let round = 0; round < warmup + rounds; round++) {
  const order = round % 2 === 0 ? variants : [...variants].reverse();
  for (const target of order) await block(target, round >= warmup);
}
// Sends the half batches still queued, so the receiver's count can be checked.
for (const target of otlpVariants) await target.tracer?.flush();
/** The receiver decodes what it has been sent (untimed) and answers how many spans that makes. */
const received = () => ask<{ count: number; rejected: number }>('count');
await received();

// The same step with an instant in-memory model: what tracing itself costs in CPU, free of
// network and server noise. The least disturbed of several alternating passes is kept.
const instant: ChatModel = {
  provider: 'instant',
  modelId: 'instant',
  capabilities: base.capabilities,
  async generate(request) {
    const last = request.messages.at(-1);
    return last?.role === 'tool'
      ? {
          text: answer,
          toolCalls: [],
          finishReason: 'stop',
          usage: { promptTokens: 60, completionTokens: 14, totalTokens: 74 },
          modelId: 'instant',
        }
      : {
          text: '',
          toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }],
          finishReason: 'tool-calls',
          usage: { promptTokens: 40, completionTokens: 9, totalTokens: 49 },
          modelId: 'instant',
        };
  },
  stream: () => {
    throw new Error('not used');
  },
};
const isolatedSteps = 4096;
// The instant model never leaves the microtask queue, so nothing paces the steps the way network
// round trips do: every 128 steps (512 spans, one OTLP batch) each pass flushes (the untraced one
// yields a macrotask), so the exporter sends every span and its work is all counted (process CPU:
// the export worker's thread included).
const yieldEvery = 128;
type IsolatedName = 'off' | 'memory' | 'otlpWorker' | 'otlpInline';
const isolated: Record<IsolatedName, number> = {
  off: Number.POSITIVE_INFINITY,
  memory: Number.POSITIVE_INFINITY,
  otlpWorker: Number.POSITIVE_INFINITY,
  otlpInline: Number.POSITIVE_INFINITY,
};
/** Main-thread busy ms per step of the pass kept in `isolated`. */
const isolatedBusy: Record<IsolatedName, number> = { off: 0, memory: 0, otlpWorker: 0, otlpInline: 0 };
const isolatedOtlpWorker = createOtlpHttpExporter({ url: receiver.url, worker: nodeExportWorker });
const isolatedOtlpInline = createOtlpHttpExporter({ url: receiver.url, worker: false });
const isolatedExporters = {
  memory: createMemoryExporter({ maxSpans: 5000 }),
  otlpWorker: isolatedOtlpWorker,
  otlpInline: isolatedOtlpInline,
};
const isolatedVariants = (['off', 'memory', 'otlpWorker', 'otlpInline'] as const).map((name) => {
  const tracer = name === 'off' ? undefined : createTracer({ exporters: [isolatedExporters[name]] });
  const parent: { current?: Span } = {};
  const model = tracer ? traceChatModel(instant, tracer, { parent: () => parent.current }) : instant;
  return { name, tracer, parent, model };
});
for (let pass = 0; pass < 6; pass++) {
  const order = pass % 2 === 0 ? isolatedVariants : [...isolatedVariants].reverse();
  for (const target of order) {
    const cpuStart = process.cpuUsage();
    const busyStart = nodePerformance.eventLoopUtilization();
    for (let index = 0; index < isolatedSteps; index++) {
      await step(target.model, target.tracer, target.parent);
      if ((index + 1) % yieldEvery === 0) {
        if (target.tracer) await target.tracer.flush();
        else await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
    await target.tracer?.flush();
    const used = process.cpuUsage(cpuStart);
    const cpu = (used.user + used.system) / 1000 / isolatedSteps;
    const busy = nodePerformance.eventLoopUtilization(busyStart).active / isolatedSteps;
    await received();
    if (cpu < isolated[target.name]) {
      isolated[target.name] = cpu;
      isolatedBusy[target.name] = busy;
    }
  }
}
const tracingCpuMs = isolated.memory - isolated.off;

const off = variants[0]!;
const median = (times: number[]) => percentile(times, 50);
const mean = (times: number[]) => times.reduce((sum, time) => sum + time, 0) / times.length;
const { count: receivedSpans, rejected } = await received();
const notes = (target: Variant) =>
  `${rounds} blocks of ${stepsPerBlock} steps after ${warmup} warm-up blocks, ABBA order; ${spansPerStep} spans/step with inputs/outputs recorded and redacted` +
  (target.otlp
    ? `; one 512-span batch handed over in the middle of each block and sent while its steps run (${target.late} of ${rounds} blocks ended before the collector answered); this exporter: ${JSON.stringify(target.otlp.stats())}; the receiver decoded ${receivedSpans} spans in all (these blocks and the isolated passes)`
    : '');
/**
 * Drift-robust overhead: the ratio of each block to the "off" block of the same round (run
 * back to back), then the median over rounds. Reported as ours = off p50 × that ratio.
 */
const pairedRatio = (values: number[], reference: number[]) =>
  median(values.map((value, index) => value / reference[index]!));
const micros = (ms: number) => (ms * 1000).toFixed(1);
const rows = variants.slice(1).flatMap((target) => {
  const wallRatio = pairedRatio(target.times, off.times);
  const cpuRatio = pairedRatio(target.cpu, off.cpu);
  return [
    row({
      case: `agent step (2 model calls + 1 tool), tracing on: ${target.name}, wall`,
      unit: 'ms/step',
      better: 'lower',
      ours: median(off.times) * wallRatio,
      peer: 'same step, tracing off (p50)',
      peerValue: median(off.times),
      target: 'ratio <= 1.05',
      met: wallRatio <= 1.05,
      notes: `median of per-round paired ratios of block wall time (no flush inside the block); raw p50 ${median(target.times).toFixed(3)} vs ${median(off.times).toFixed(3)} ms, mean ${mean(target.times).toFixed(3)} vs ${mean(off.times).toFixed(3)} ms; main thread busy ${micros(mean(target.busy))} vs ${micros(mean(off.busy))} µs/step; ${notes(target)}`,
    }),
    row({
      case: `agent step (2 model calls + 1 tool), tracing on: ${target.name}, CPU`,
      unit: 'CPU ms/step',
      better: 'lower',
      ours: median(off.cpu) * cpuRatio,
      peer: 'same step, tracing off (p50)',
      peerValue: median(off.cpu),
      target: 'ratio <= 1.05',
      met: cpuRatio <= 1.05,
      notes: `process CPU, all threads (client, in-process test server, export worker), median of per-round paired ratios; raw p50 ${median(target.cpu).toFixed(3)} vs ${median(off.cpu).toFixed(3)} ms, mean ${mean(target.cpu).toFixed(3)} vs ${mean(off.cpu).toFixed(3)} ms; main-thread GC ${micros(mean(target.gc))} vs ${micros(mean(off.gc))} µs/step; ${notes(target)}`,
    }),
  ];
});
const isolatedRow = (name: 'otlpWorker' | 'otlpInline', label: string, exporter: OtlpHttpExporter) => {
  const added = isolated[name] - isolated.off;
  return row({
    case: `agent step CPU + tracing with OTLP export CPU measured in isolation (instant model, ${label})`,
    unit: 'CPU ms/step',
    better: 'lower',
    ours: median(off.cpu) + added,
    peer: 'same step, tracing off',
    peerValue: median(off.cpu),
    target: 'ratio <= 1.05',
    met: (median(off.cpu) + added) / median(off.cpu) <= 1.05,
    notes: `tracing + OTLP/HTTP JSON export (encoding and the node:http request of one 512-span batch per 128 steps, flushed every 128 steps) adds ${micros(added)} µs of process CPU (all threads) per step: ${micros(isolated[name])} µs vs ${micros(isolated.off)} µs untraced, best of 6 passes × ${isolatedSteps} steps; main thread busy ${micros(isolatedBusy[name])} vs ${micros(isolatedBusy.off)} µs/step; exporter stats ${JSON.stringify(exporter.stats())}`,
  });
};
rows.push(
  row({
    case: 'agent step CPU + tracing CPU measured in isolation (instant model, memory exporter)',
    unit: 'CPU ms/step',
    better: 'lower',
    ours: median(off.cpu) + tracingCpuMs,
    peer: 'same step, tracing off',
    peerValue: median(off.cpu),
    target: 'ratio <= 1.05',
    met: (median(off.cpu) + tracingCpuMs) / median(off.cpu) <= 1.05,
    notes: `tracing adds ${micros(tracingCpuMs)} µs CPU per step (${spansPerStep} spans, inputs/outputs recorded): ${micros(isolated.memory)} µs traced vs ${micros(isolated.off)} µs untraced with an instant model, best of 6 passes × ${isolatedSteps} steps each (flushed every ${yieldEvery})`,
  }),
  isolatedRow('otlpWorker', 'export worker', isolatedOtlpWorker),
  isolatedRow('otlpInline', 'on the calling thread', isolatedOtlpInline),
);
writeResults('telemetry', rows, {
  extra: {
    rounds,
    warmup,
    stepsPerBlock,
    otlpSpansReceived: receivedSpans,
    isolatedTracingCpuMicrosPerStep: tracingCpuMs * 1000,
    isolatedOtlpWorkerCpuMicrosPerStep: (isolated.otlpWorker - isolated.off) * 1000,
    isolatedOtlpInlineCpuMicrosPerStep: (isolated.otlpInline - isolated.off) * 1000,
  },
});
const expectedSpans = (halfBatch + (warmup + rounds) * stepsPerBlock) * spansPerStep;
const expectedIsolated = 6 * isolatedSteps * spansPerStep;
const expectedReceived = 2 * (expectedSpans + expectedIsolated);
if (
  receivedSpans !== expectedReceived ||
  rejected > 0 ||
  otlpVariants.some((target) => target.otlp?.stats().exported !== expectedSpans) ||
  isolatedOtlpWorker.stats().exported !== expectedIsolated ||
  isolatedOtlpInline.stats().exported !== expectedIsolated
) {
  throw new Error(
    `receiver decoded ${receivedSpans} spans (expected ${expectedReceived}) and rejected ${rejected} request(s)`,
  );
}
await Promise.all(
  [otlpWorker, otlpInline, isolatedOtlpWorker, isolatedOtlpInline].map((exporter) => exporter.shutdown()),
);
receiverProcess.send('close');
await server.close();
