// Tracing overhead on an agent-like step: the same step (model call that asks for a tool, the
// tool, model call with the answer) through our `openai` ChatModel against the local
// OpenAI-compatible test server, with tracing off (the reference) and on. "On" wraps the model
// with `traceChatModel`, runs the step inside an agent span and the tool inside a tool span, with
// inputs/outputs recorded and redacted. Variants run in blocks of steps (each block ends with
// `tracer.flush()`, so batched OTLP sends are charged to the variant that made them: wall time
// counts the CPU the flush uses, not the wait for the collector), and blocks
// are interleaved in ABBA order after a warm-up so machine drift hits every variant alike. Both
// wall time and process CPU time are reported: on a loaded shared machine CPU time is the steadier
// measure of what tracing costs.
import { fork } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { type ChatMessage, type ChatModel, openai, type ToolDefinition } from '../../src/llm/index.js';
import {
  createMemoryExporter,
  createOtlpHttpExporter,
  createTracer,
  type Span,
  type Tracer,
  traceChatModel,
} from '../../src/telemetry/index.js';
import { startOpenAITestServer } from '../../src/test/index.js';
import { percentile, row, writeResults } from '../support/results.js';

const rounds = Number(process.env.TELEMETRY_BENCH_ROUNDS ?? 40);
const warmup = 4;
const stepsPerBlock = 128; // 512 spans: one full OTLP batch per block
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
  model: ChatModel;
  parent: { current?: Span };
  /** Wall milliseconds per step, one entry per block. */
  times: number[];
  /** Process CPU milliseconds per step, one entry per block. */
  cpu: number[];
  /** Garbage-collection milliseconds per step, one entry per block. */
  gc: number[];
  /** CPU milliseconds per step spent in the block's final `flush()` (encoding + sending). */
  flushCpu: number[];
}

// Garbage-collection pauses, to tell what retained spans cost from what recording them costs.
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

function variant(name: string, tracer: Tracer | undefined): Variant {
  const parent: { current?: Span } = {};
  const model = tracer ? traceChatModel(base, tracer, { parent: () => parent.current }) : base;
  return { name, tracer, model, parent, times: [], cpu: [], gc: [], flushCpu: [] };
}

// The OTLP exporter with its defaults (batches of 512 spans, a 1 s timer, 2,048 queued): a block
// of 128 steps ends 512 spans, so each block sends exactly the one full batch that a steady
// stream of steps would send per 128 steps. Its encoding and HTTP request are charged to the
// block because the block ends with `tracer.flush()`, which waits for that request.
const otlp = createOtlpHttpExporter({ url: receiver.url });

const variants = [
  variant('off', undefined),
  variant('memory', createTracer({ exporters: [createMemoryExporter({ maxSpans: 5000 })] })),
  variant('otlp', createTracer({ exporters: [otlp] })),
];

async function block(target: Variant, record: boolean): Promise<void> {
  const cpuStart = process.cpuUsage();
  const gcStart = gcMs;
  const start = performance.now();
  for (let index = 0; index < stepsPerBlock; index++) {
    const text = await step(target.model, target.tracer, target.parent);
    if (text !== answer) throw new Error(`unexpected answer: ${text}`);
  }
  const stepsElapsed = performance.now() - start;
  // Steady state: in a stream of steps the batch request is in flight while the next steps run,
  // so what it takes from them is the main-thread CPU it uses (encoding, the fetch client), not
  // the wait for the collector's answer. Wall = the steps + the CPU used while flushing; CPU =
  // everything. Both are charged to the variant that produced the spans.
  const flushCpuStart = process.cpuUsage();
  await target.tracer?.flush();
  const flushCpu = process.cpuUsage(flushCpuStart);
  const cpu = process.cpuUsage(cpuStart);
  if (!record) return;
  target.times.push((stepsElapsed + (flushCpu.user + flushCpu.system) / 1000) / stepsPerBlock);
  target.cpu.push((cpu.user + cpu.system) / 1000 / stepsPerBlock);
  // GC entries are delivered asynchronously; a block is long enough that the skew averages out.
  target.gc.push((gcMs - gcStart) / stepsPerBlock);
  target.flushCpu.push((flushCpu.user + flushCpu.system) / 1000 / stepsPerBlock);
}

for (let round = 0; round < warmup + rounds; round++) {
  const order = round % 2 === 0 ? variants : [...variants].reverse();
  for (const target of order) await block(target, round >= warmup);
}

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
// yields a macrotask), so the exporter sends every span and its work is all counted.
const yieldEvery = 128;
const isolated = {
  off: Number.POSITIVE_INFINITY,
  memory: Number.POSITIVE_INFINITY,
  otlp: Number.POSITIVE_INFINITY,
};
const isolatedOtlp = createOtlpHttpExporter({ url: receiver.url });
const isolatedVariants = (['off', 'memory', 'otlp'] as const).map((name) => {
  const tracer =
    name === 'off'
      ? undefined
      : createTracer({
          exporters: [name === 'memory' ? createMemoryExporter({ maxSpans: 5000 }) : isolatedOtlp],
        });
  const parent: { current?: Span } = {};
  const model = tracer ? traceChatModel(instant, tracer, { parent: () => parent.current }) : instant;
  return { name, tracer, parent, model };
});
for (let pass = 0; pass < 6; pass++) {
  const order = pass % 2 === 0 ? isolatedVariants : [...isolatedVariants].reverse();
  for (const target of order) {
    const cpuStart = process.cpuUsage();
    for (let index = 0; index < isolatedSteps; index++) {
      await step(target.model, target.tracer, target.parent);
      if ((index + 1) % yieldEvery === 0) {
        if (target.tracer) await target.tracer.flush();
        else await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
    await target.tracer?.flush();
    const cpu = process.cpuUsage(cpuStart);
    isolated[target.name] = Math.min(isolated[target.name], (cpu.user + cpu.system) / 1000 / isolatedSteps);
  }
}
const otlpCpuMs = isolated.otlp - isolated.off;
const tracingCpuMs = isolated.memory - isolated.off;

const off = variants[0]!;
const median = (times: number[]) => percentile(times, 50);
const mean = (times: number[]) => times.reduce((sum, time) => sum + time, 0) / times.length;
const spansPerStep = 4;
const { count: received, rejected } = await ask<{ count: number; rejected: number }>('count');
const notes = (target: Variant) =>
  `${rounds} blocks of ${stepsPerBlock} steps after ${warmup} warm-up blocks, ABBA order; ${spansPerStep} spans/step with inputs/outputs recorded and redacted` +
  (target.name === 'otlp'
    ? `; this exporter: ${JSON.stringify(otlp.stats())}; the receiver parsed ${received} spans in all (these blocks and the isolated passes)`
    : '');
/**
 * Drift-robust overhead: the ratio of each block to the "off" block of the same round (run
 * back to back), then the median over rounds. Reported as ours = off p50 × that ratio.
 */
const pairedRatio = (values: number[], reference: number[]) =>
  median(values.map((value, index) => value / reference[index]!));
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
      notes: `median of per-round paired ratios; raw p50 ${median(target.times).toFixed(3)} vs ${median(off.times).toFixed(3)} ms, mean ${mean(target.times).toFixed(3)} vs ${mean(off.times).toFixed(3)} ms; ${notes(target)}`,
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
      notes: `process CPU (client + in-process test server), median of per-round paired ratios; raw p50 ${median(target.cpu).toFixed(3)} vs ${median(off.cpu).toFixed(3)} ms, mean ${mean(target.cpu).toFixed(3)} vs ${mean(off.cpu).toFixed(3)} ms; GC ${(mean(target.gc) * 1000).toFixed(1)} vs ${(mean(off.gc) * 1000).toFixed(1)} µs/step; final flush (encode + send) ${(mean(target.flushCpu) * 1000).toFixed(1)} µs/step; ${notes(target)}`,
    }),
  ];
});
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
    notes: `tracing adds ${(tracingCpuMs * 1000).toFixed(1)} µs CPU per step (${spansPerStep} spans, inputs/outputs recorded): ${(isolated.memory * 1000).toFixed(1)} µs traced vs ${(isolated.off * 1000).toFixed(1)} µs untraced with an instant model, best of 6 passes × ${isolatedSteps} steps each (flushed every ${yieldEvery})`,
  }),
  row({
    case: 'agent step CPU + tracing with OTLP export CPU measured in isolation (instant model)',
    unit: 'CPU ms/step',
    better: 'lower',
    ours: median(off.cpu) + otlpCpuMs,
    peer: 'same step, tracing off',
    peerValue: median(off.cpu),
    target: 'ratio <= 1.05',
    met: (median(off.cpu) + otlpCpuMs) / median(off.cpu) <= 1.05,
    notes: `tracing + OTLP/HTTP JSON export (encoding and Node fetch of one 512-span batch per 128 steps, flushed every 128 steps) adds ${(otlpCpuMs * 1000).toFixed(1)} µs CPU per step: ${(isolated.otlp * 1000).toFixed(1)} µs vs ${(isolated.off * 1000).toFixed(1)} µs untraced, best of 6 passes × ${isolatedSteps} steps; exporter stats ${JSON.stringify(isolatedOtlp.stats())}`,
  }),
);
writeResults('telemetry', rows, {
  extra: {
    rounds,
    warmup,
    stepsPerBlock,
    otlpSpansReceived: received,
    isolatedTracingCpuMicrosPerStep: tracingCpuMs * 1000,
    isolatedOtlpCpuMicrosPerStep: otlpCpuMs * 1000,
  },
});
const expectedSpans = (warmup + rounds) * stepsPerBlock * spansPerStep;
const expectedIsolated = 6 * isolatedSteps * spansPerStep;
if (
  received !== expectedSpans + expectedIsolated ||
  rejected > 0 ||
  otlp.stats().exported !== expectedSpans ||
  isolatedOtlp.stats().exported !== expectedIsolated
) {
  throw new Error(
    `receiver parsed ${received} spans (expected ${expectedSpans + expectedIsolated}) and rejected ${rejected} request(s)`,
  );
}
receiverProcess.send('close');
await server.close();
