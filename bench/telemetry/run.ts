// Tracing overhead on an agent step, two ways, each against the local OpenAI-compatible test
// server with tracing off (the reference) and on:
// - `Agent.generate`: the real agent, traced as docs/telemetry.md tells users to (the tracer in
//   `defaultOptions`, the model wrapped with `traceChatModel`): one exchange = 2 agent steps
//   (model call that asks for a tool, the tool, model call with the answer), 6 spans (`agent.run`,
//   2 × `agent.step`, 2 × `chat`, `tool.call`). This is the row the issue's target is judged on.
// - a hand-instrumented step: the same exchange written on our `openai` ChatModel, traced with
//   `tracer.withSpan` and `traceChatModel` (4 spans: agent, 2 × chat, tool).
// Inputs/outputs are recorded and redacted in both. Variants run in blocks, interleaved in ABBA
// order after a warm-up so machine drift hits every variant alike. Both wall time and process CPU
// time (all threads: the export worker's too) are reported.
// - The same `Agent.generate` in a Chromium page (page.ts) against the same server, which the
//   page reaches through the browser's network process: tracing off, memory, OTLP with the export
//   worker (a module worker, the page default) and OTLP on the page's thread; wall time only.
// - Two floors, in both passes (diagnostic rows, no target): our tracer with every trace sampled
//   out (the instrumentation hooks alone), and a tracer whose spans only take ids and two
//   timestamps (bare-tracer.ts). No tracer that builds the span tree can cost less than the second.
//
// How OTLP export is charged: as in a steady stream of steps. Each OTLP exporter starts the
// measured blocks with about half a batch (256 or 258 spans) queued, so the full batches of 512
// spans a block ends (one per 128-step block of the hand-instrumented step, three per 256-exchange
// block of the agent) are handed over mid-block and encoded and sent while the block's remaining
// steps run: on the main thread for the inline exporter, in a worker thread for the
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
  type SpanExporter,
  type Tracer,
  traceChatModel,
} from '../../src/telemetry/index.js';
import { startOpenAITestServer } from '../../src/test/index.js';
import { runBrowserBench } from '../support/browser.js';
import { percentile, row, writeResults } from '../support/results.js';
import {
  answer,
  instantWeatherModel,
  instructions,
  lookUp,
  question,
  weatherHandler,
} from '../support/weather.js';
import { floorKinds } from './bare-tracer.js';
import { tracedAgent } from './traced-agent.js';

const rounds = Number(process.env.TELEMETRY_BENCH_ROUNDS ?? 40);
// The page's blocks vary by ± 10 % from one to the next (quartiles of the per-round ratios), so
// its median needs three times the rounds for the resolution the Node pass has with 40.
const chromiumRounds = 3 * rounds;
const warmup = 4;
const batchSize = 512; // the OTLP exporter's default

const server = await startOpenAITestServer();
const session = await server.session();
session.setHandler?.(weatherHandler);
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

/** One hand-instrumented step; with a tracer, every part is a span nested under the agent span. */
async function step(
  model: ChatModel,
  tracer: Tracer | undefined,
  parent: { current?: Span },
): Promise<string> {
  const run = async (span?: Span): Promise<string> => {
    if (span) parent.current = span;
    const messages: ChatMessage[] = [
      { role: 'system', content: instructions },
      { role: 'user', content: question },
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
    span.recordInput(question);
    return run(span);
  });
}

/** What is measured: one exchange of model call → tool → model call, and how it is traced. */
interface Workload {
  id: 'agent' | 'step';
  /** The start of every row's case. */
  label: string;
  /** What one step of the rows is. */
  unit: 'exchange' | 'step';
  spansPerStep: number;
  stepsPerBlock: number;
  /** Steps run before the measured blocks so each OTLP exporter carries about half a batch. */
  queuedSteps: number;
  /** A function running one exchange with `model` (untraced) traced by `tracer`, if any. */
  runner(model: ChatModel, tracer: Tracer | undefined): () => Promise<string>;
}

const workloads: Workload[] = [
  {
    id: 'agent',
    label: 'Agent.generate, 2 agent steps (model call, tool, model call), 6 spans',
    unit: 'exchange',
    spansPerStep: 6,
    stepsPerBlock: 256, // 1,536 spans: three full OTLP batches per block
    queuedSteps: 43, // 258 spans
    runner(model, tracer) {
      const agent = tracedAgent(model, tracer);
      return async () => (await agent.generate(question)).text;
    },
  },
  {
    id: 'step',
    label: 'hand-instrumented step (2 model calls + 1 tool, tracer.withSpan), 4 spans',
    unit: 'step',
    spansPerStep: 4,
    stepsPerBlock: 128, // 512 spans: one full OTLP batch per block
    queuedSteps: 64, // 256 spans
    runner(model, tracer) {
      const parent: { current?: Span } = {};
      const traced = tracer ? traceChatModel(model, tracer, { parent: () => parent.current }) : model;
      return () => step(traced, tracer, parent);
    },
  },
];

interface Variant {
  workload: Workload;
  name: string;
  floor: boolean;
  tracer: Tracer | undefined;
  /** The variant's OTLP exporter, if it has one. */
  otlp: OtlpHttpExporter | undefined;
  run: () => Promise<string>;
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
// where no Worker exists: Node, an MV3 service worker). Each variant has its own.
const otlpSettings = { url: receiver.url, scheduledDelayMs: 3_600_000 };
/** Every OTLP exporter made, with the spans it must have sent by the end. */
const allOtlp: { exporter: OtlpHttpExporter; expected: number }[] = [];
function otlpExporter(worker: boolean): OtlpHttpExporter {
  const exporter = createOtlpHttpExporter({ ...otlpSettings, worker: worker ? nodeExportWorker : false });
  allOtlp.push({ exporter, expected: 0 });
  return exporter;
}

/** How a variant traces: no tracer, a floor tracer (diagnostic rows), or our tracer with one exporter. */
interface TracerKind {
  name: string;
  make: () => { tracer: Tracer | undefined; otlp?: OtlpHttpExporter };
  /** A diagnostic row: the least tracing costs on this exchange, not a configuration users run. */
  floor?: boolean;
}
const withExporter = (exporter: SpanExporter) => ({ tracer: createTracer({ exporters: [exporter] }) });
const tracerKinds: TracerKind[] = [
  { name: 'off', make: () => ({ tracer: undefined }) },
  { name: 'memory', make: () => withExporter(createMemoryExporter({ maxSpans: 5000 })) },
  {
    name: 'otlp (export worker)',
    make: () => {
      const otlp = otlpExporter(true);
      return { ...withExporter(otlp), otlp };
    },
  },
  {
    name: 'otlp (on the calling thread)',
    make: () => {
      const otlp = otlpExporter(false);
      return { ...withExporter(otlp), otlp };
    },
  },
  ...floorKinds,
];

/** Every workload with every tracer kind, on `model`: a fresh tracer and exporter per variant. */
function traced(model: ChatModel, kinds = tracerKinds) {
  return workloads.flatMap((workload) =>
    kinds.map(({ name, make, floor }) => {
      const { tracer, otlp } = make();
      return { workload, name, floor: floor === true, tracer, otlp, run: workload.runner(model, tracer) };
    }),
  );
}

const variants: Variant[] = traced(base).map((variant) => ({
  ...variant,
  times: [],
  cpu: [],
  busy: [],
  gc: [],
  late: 0,
}));
const otlpVariants = variants.filter((target) => target.otlp);

async function runSteps(target: Variant, steps: number): Promise<void> {
  for (let index = 0; index < steps; index++) {
    const text = await target.run();
    if (text !== answer) throw new Error(`unexpected answer: ${text}`);
  }
}

/** Spans each OTLP exporter has ended so far; all but the queued part must be sent by block end. */
const ended = new Map<Variant, number>();

async function block(target: Variant, record: boolean): Promise<void> {
  const { stepsPerBlock, spansPerStep, queuedSteps } = target.workload;
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
    // Untimed: wait for the block's batches (handed over mid-block) if still under way.
    const sent = (ended.get(target) ?? 0) + stepsPerBlock * spansPerStep;
    ended.set(target, sent);
    const expected = sent - queuedSteps * spansPerStep;
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

// About half a batch queued in each OTLP exporter before the first block (see the top of this file).
for (const target of otlpVariants) {
  const { queuedSteps, spansPerStep } = target.workload;
  if ((queuedSteps * spansPerStep) % batchSize === 0)
    throw new Error('the queued part must not be a whole batch');
  await runSteps(target, queuedSteps);
  ended.set(target, queuedSteps * spansPerStep);
}
for (let round = 0; round < warmup + rounds; round++) {
  const order = round % 2 === 0 ? variants : [...variants].reverse();
  for (const target of order) await block(target, round >= warmup);
}
// Sends the partial batches still queued, so the receiver's count can be checked.
for (const target of otlpVariants) {
  await target.tracer?.flush();
  const entry = allOtlp.find((candidate) => candidate.exporter === target.otlp)!;
  entry.expected = ended.get(target) ?? 0;
}
/** The receiver decodes what it has been sent (untimed) and answers how many spans that makes. */
const received = () => ask<{ count: number; rejected: number }>('count');
await received();

// The same exchanges with an instant in-memory model: what tracing itself costs in CPU, free of
// network and server noise. The least disturbed of several alternating passes is kept.
const instant = instantWeatherModel(base.capabilities);
const isolatedSteps = 4096;
// The instant model never leaves the microtask queue, so nothing paces the steps the way network
// round trips do: every 128 steps each pass flushes (the untraced one yields a macrotask), so the
// exporter sends every span and its work is all counted (process CPU: the export worker's thread
// included).
const yieldEvery = 128;
interface Isolated {
  workload: Workload;
  name: string;
  floor: boolean;
  tracer: Tracer | undefined;
  otlp: OtlpHttpExporter | undefined;
  run: () => Promise<string>;
  /** CPU ms per step of the least disturbed pass, and the main thread's busy ms in that pass. */
  cpu: number;
  busy: number;
}
const isolatedVariants: Isolated[] = traced(
  instant,
  tracerKinds.filter((kind) => !kind.floor),
).map((variant) => ({
  ...variant,
  cpu: Number.POSITIVE_INFINITY,
  busy: 0,
}));
for (let pass = 0; pass < 6; pass++) {
  const order = pass % 2 === 0 ? isolatedVariants : [...isolatedVariants].reverse();
  for (const target of order) {
    const cpuStart = process.cpuUsage();
    const busyStart = nodePerformance.eventLoopUtilization();
    for (let index = 0; index < isolatedSteps; index++) {
      await target.run();
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
    if (cpu < target.cpu) {
      target.cpu = cpu;
      target.busy = busy;
    }
  }
}
for (const target of isolatedVariants) {
  const entry = allOtlp.find((candidate) => candidate.exporter === target.otlp);
  if (entry) entry.expected = 6 * isolatedSteps * target.workload.spansPerStep;
}

// The same agent in Chromium (page.ts): the page calls this process's test server through the
// network process, and exports to the same receiver (the OTLP exporter's default there is an
// export worker). Wall time only.
interface ChromiumResult {
  rounds: number;
  warmup: number;
  stepsPerBlock: number;
  variants: { name: string; floor?: boolean; times: number[]; late: number; stats?: { exported: number } }[];
  isolated: { name: string; ms: number }[];
}
const chromiumSession = await server.session();
chromiumSession.setHandler?.(weatherHandler);
const { result: chromium, browser } = await runBrowserBench<ChromiumResult>({
  page: '/bench/telemetry/index.html',
  query: { baseURL: chromiumSession.baseURL, otlp: receiver.url, rounds: String(chromiumRounds) },
  timeoutMs: 20 * 60_000,
  // As a user's browser runs: Playwright's DevTools Network domain costs every request the page
  // makes (docs/telemetry.md, "In a Chromium page").
  devtools: false,
});
const chromiumExported = chromium.variants.reduce((sum, variant) => sum + (variant.stats?.exported ?? 0), 0);

const median = (times: number[]) => percentile(times, 50);
const mean = (times: number[]) => times.reduce((sum, time) => sum + time, 0) / times.length;
const { count: receivedSpans, rejected } = await received();
const notes = (target: Variant) =>
  `${rounds} blocks of ${target.workload.stepsPerBlock} ${target.workload.unit}s after ${warmup} warm-up blocks, ABBA order; ${target.workload.spansPerStep} spans/${target.workload.unit}${target.floor ? '' : ' with inputs/outputs recorded and redacted'}` +
  (target.otlp
    ? `; the 512-span batches a block ends are handed over during the block and sent while its steps run (${target.late} of ${rounds} blocks ended before the collector answered); this exporter: ${JSON.stringify(target.otlp.stats())}; the receiver decoded ${receivedSpans} spans in all (every exporter: timed, isolated and in Chromium)`
    : '');
/**
 * Drift-robust overhead: the ratio of each block to the "off" block of the same workload and
 * round (run in the same ABBA pass), then the median over rounds. Reported as ours = off p50 ×
 * that ratio.
 */
const pairedRatio = (values: number[], reference: number[]) =>
  median(values.map((value, index) => value / reference[index]!));
const micros = (ms: number) => (ms * 1000).toFixed(1);
/** The issue's target for a configuration users run; a floor row only shows what lies under it. */
const judged = (floor: boolean, ratio: number) =>
  floor
    ? { target: 'diagnostic (the least any tracer adds here)', met: true }
    : { target: 'ratio <= 1.05', met: ratio <= 1.05 };
const rows = workloads.flatMap((workload) => {
  const [off, ...traced] = variants.filter((target) => target.workload === workload) as [
    Variant,
    ...Variant[],
  ];
  /** One paired row: `measure` of the traced blocks against the untraced ones of the same rounds. */
  const pairedRow = (target: Variant, measure: 'times' | 'cpu', detail: string) => {
    const ratio = pairedRatio(target[measure], off[measure]);
    const wall = measure === 'times';
    return row({
      case: `${workload.label}, tracing on: ${target.name}, ${wall ? 'wall' : 'CPU'}`,
      unit: `${wall ? '' : 'CPU '}ms/${workload.unit}`,
      better: 'lower',
      ours: median(off[measure]) * ratio,
      peer: `same ${workload.unit}, tracing off (p50)`,
      peerValue: median(off[measure]),
      ...judged(target.floor, ratio),
      notes: `${detail}; raw p50 ${median(target[measure]).toFixed(3)} vs ${median(off[measure]).toFixed(3)} ms, mean ${mean(target[measure]).toFixed(3)} vs ${mean(off[measure]).toFixed(3)} ms; ${notes(target)}`,
    });
  };
  const timedRows = traced.flatMap((target) => [
    pairedRow(
      target,
      'times',
      `median of per-round paired ratios of block wall time (no flush inside the block); main thread busy ${micros(mean(target.busy))} vs ${micros(mean(off.busy))} µs/${workload.unit}`,
    ),
    pairedRow(
      target,
      'cpu',
      `process CPU, all threads (client, in-process test server, export worker), median of per-round paired ratios; main-thread GC ${micros(mean(target.gc))} vs ${micros(mean(off.gc))} µs/${workload.unit}`,
    ),
  ]);
  const [isolatedOff, ...isolatedTraced] = isolatedVariants.filter(
    (target) => target.workload === workload,
  ) as [Isolated, ...Isolated[]];
  const isolatedRows = isolatedTraced.map((target) => {
    const added = target.cpu - isolatedOff.cpu;
    return row({
      case: `${workload.label}: CPU per ${workload.unit} + tracing CPU measured in isolation (instant model, ${target.name})`,
      unit: `CPU ms/${workload.unit}`,
      better: 'lower',
      ours: median(off.cpu) + added,
      peer: `same ${workload.unit}, tracing off`,
      peerValue: median(off.cpu),
      target: 'ratio <= 1.05',
      met: (median(off.cpu) + added) / median(off.cpu) <= 1.05,
      notes: `tracing${target.otlp ? ' + OTLP/HTTP JSON export (encoding and the node:http requests, flushed every 128 steps)' : ''} adds ${micros(added)} µs of process CPU (all threads) per ${workload.unit}: ${micros(target.cpu)} µs vs ${micros(isolatedOff.cpu)} µs untraced, best of 6 passes × ${isolatedSteps} ${workload.unit}s; main thread busy ${micros(target.busy)} vs ${micros(isolatedOff.busy)} µs/${workload.unit}${target.otlp ? `; exporter stats ${JSON.stringify(target.otlp.stats())}` : ''}`,
    });
  });
  return [...timedRows, ...isolatedRows];
});
const [chromiumOff, ...chromiumTraced] = chromium.variants as [
  ChromiumResult['variants'][number],
  ...ChromiumResult['variants'],
];
const [isolatedPageOff, isolatedPageMemory] = chromium.isolated as [
  ChromiumResult['isolated'][number],
  ChromiumResult['isolated'][number],
];
const agentLabel = (workloads[0] as Workload).label;
const chromiumRows = chromiumTraced.map((target) => {
  const ratios = target.times.map((time, index) => time / chromiumOff.times[index]!);
  const ratio = median(ratios);
  const spread = `per-round ratios: quartiles ${percentile(ratios, 25).toFixed(3)} / ${percentile(ratios, 75).toFixed(3)}`;
  return row({
    case: `Chromium: ${agentLabel}, tracing on: ${target.name}, wall`,
    unit: 'ms/exchange',
    better: 'lower',
    ours: median(chromiumOff.times) * ratio,
    peer: 'same exchange in the same page, tracing off (p50)',
    peerValue: median(chromiumOff.times),
    ...judged(target.floor === true, ratio),
    notes: `${browser}, the test server in the bench's Node process; median of per-round paired ratios of block wall time (${spread}); raw p50 ${median(target.times).toFixed(3)} vs ${median(chromiumOff.times).toFixed(3)} ms, mean ${mean(target.times).toFixed(3)} vs ${mean(chromiumOff.times).toFixed(3)} ms; ${chromium.rounds} blocks of ${chromium.stepsPerBlock} exchanges after ${chromium.warmup} warm-up blocks, rotating ABBA order (every variant in every position equally often); tracing alone (instant in-page model, memory exporter, best of 6 passes × 4096) costs the page's thread ${micros(isolatedPageMemory.ms - isolatedPageOff.ms)} µs per exchange (${micros(isolatedPageMemory.ms)} vs ${micros(isolatedPageOff.ms)} µs)${target.stats ? `; ${target.late} of ${chromium.rounds} blocks ended before the collector answered; this exporter: ${JSON.stringify(target.stats)}` : ''}`,
  });
});
rows.push(...chromiumRows);
writeResults('telemetry', rows, {
  browser,
  extra: {
    rounds,
    warmup,
    workloads: workloads.map(({ id, spansPerStep, stepsPerBlock, queuedSteps }) => ({
      id,
      spansPerStep,
      stepsPerBlock,
      queuedSteps,
    })),
    otlpSpansReceived: receivedSpans,
    isolatedCpuMicrosPerStep: Object.fromEntries(
      isolatedVariants.map((target) => [`${target.workload.id}: ${target.name}`, target.cpu * 1000]),
    ),
  },
});
const expectedReceived = allOtlp.reduce((sum, entry) => sum + entry.expected, chromiumExported);
const short = allOtlp.filter((entry) => entry.exporter.stats().exported !== entry.expected);
if (receivedSpans !== expectedReceived || rejected > 0 || short.length > 0) {
  throw new Error(
    `receiver decoded ${receivedSpans} spans (expected ${expectedReceived}) and rejected ${rejected} request(s); ${short.length} exporter(s) sent a different count than they ended`,
  );
}
await Promise.all(allOtlp.map((entry) => entry.exporter.shutdown()));
receiverProcess.send('close');
await server.close();
