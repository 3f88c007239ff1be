// Chromium: `Agent.generate` traced as in run.ts, in a page, against the same local
// OpenAI-compatible test server (in the bench's Node process, so the model call leaves the page
// through the network process as any model call does). Variants: tracing off, the memory
// exporter, the OTLP exporter with its default export worker (a module worker), the OTLP
// exporter on the page's thread, and the two floors of run.ts; blocks of exchanges in rotating
// ABBA order, each traced block paired with the untraced block of its round. Wall time only (a
// page has no process CPU clock). Then the same exchanges against an instant in-page model: what
// tracing alone costs the page's thread.
import { type ChatModel, openai } from '../../src/llm/index.js';
import {
  createMemoryExporter,
  createOtlpHttpExporter,
  createTracer,
  type OtlpHttpExporter,
  type SpanExporter,
  type Tracer,
} from '../../src/telemetry/index.js';
import { answer, instantWeatherModel, question } from '../support/weather.js';
import { floorKinds } from './bare-tracer.js';
import { tracedAgent } from './traced-agent.js';

const params = new URLSearchParams(location.search);
const baseURL = params.get('baseURL') ?? '';
const otlpURL = params.get('otlp') ?? '';
const rounds = Number(params.get('rounds') ?? 30);
const warmup = 4;
const stepsPerBlock = 256; // 1,536 spans: three full OTLP batches per block, as in run.ts
const queuedSteps = 43; // 258 spans queued before the first block: about half a batch
const spansPerStep = 6;
const page = globalThis as Record<string, unknown>;

interface Variant {
  name: string;
  floor: boolean;
  tracer: Tracer | undefined;
  otlp: OtlpHttpExporter | undefined;
  run: () => Promise<string>;
  times: number[];
  ended: number;
  late: number;
}

function agent(model: ChatModel, tracer: Tracer | undefined): () => Promise<string> {
  const traced = tracedAgent(model, tracer);
  return async () => (await traced.generate(question)).text;
}

const withExporter = (exporter: SpanExporter) => createTracer({ exporters: [exporter] });
/** The variants, as in run.ts: tracing off, our tracer with each exporter, and the two floors. */
const tracerKinds: {
  name: string;
  make: () => { tracer: Tracer | undefined; otlp?: OtlpHttpExporter };
  floor?: boolean;
}[] = [
  { name: 'off', make: () => ({ tracer: undefined }) },
  { name: 'memory', make: () => ({ tracer: withExporter(createMemoryExporter({ maxSpans: 5000 })) }) },
  // The partial-batch timer is set beyond any block, as in run.ts; the defaults otherwise.
  {
    name: 'otlp (export worker)',
    make: () => {
      const otlp = createOtlpHttpExporter({ url: otlpURL, scheduledDelayMs: 3_600_000 });
      return { tracer: withExporter(otlp), otlp };
    },
  },
  {
    name: 'otlp (on the calling thread)',
    make: () => {
      const otlp = createOtlpHttpExporter({ url: otlpURL, scheduledDelayMs: 3_600_000, worker: false });
      return { tracer: withExporter(otlp), otlp };
    },
  },
  ...floorKinds,
];

function variants(model: ChatModel): Variant[] {
  return tracerKinds.map(({ name, make, floor }) => {
    const { tracer, otlp } = make();
    return {
      name,
      floor: floor === true,
      tracer,
      otlp,
      run: agent(model, tracer),
      times: [],
      ended: 0,
      late: 0,
    };
  });
}

async function runSteps(target: Variant, steps: number): Promise<void> {
  for (let index = 0; index < steps; index++) {
    const text = await target.run();
    if (text !== answer) throw new Error(`unexpected answer: ${text}`);
  }
}

async function block(target: Variant, record: boolean): Promise<void> {
  const start = performance.now();
  await runSteps(target, stepsPerBlock);
  const elapsed = performance.now() - start;
  if (target.otlp) {
    // Untimed: wait for the block's batches (handed over mid-block) if still under way.
    target.ended += stepsPerBlock * spansPerStep;
    const expected = target.ended - queuedSteps * spansPerStep;
    if (target.otlp.stats().exported < expected && record) target.late++;
    while (target.otlp.stats().exported < expected) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  if (record) target.times.push(elapsed / stepsPerBlock);
}

// The key goes to the local test server only (the SDK's browser guard is for real keys).
const model = openai({
  apiKey: 'sk-bench-0123456789',
  baseURL,
  model: 'test-model',
  dangerouslyAllowBrowser: true,
});

/** Tracing alone on the page's thread: the exchange against a model that answers at once. */
const instant = instantWeatherModel(model.capabilities);

try {
  const timed = variants(model);
  for (const target of timed.filter((candidate) => candidate.otlp)) {
    await runSteps(target, queuedSteps);
    target.ended = queuedSteps * spansPerStep;
  }
  // Each round starts with another variant and every other round runs backwards, so each variant
  // runs in every position equally often (the page's blocks vary by ± 10 %, and a variant always
  // at the ends of a round could be favoured or not).
  for (let round = 0; round < warmup + rounds; round++) {
    const shift = Math.floor(round / 2) % timed.length;
    const rotated = [...timed.slice(shift), ...timed.slice(0, shift)];
    const order = round % 2 === 0 ? rotated : rotated.reverse();
    for (const target of order) await block(target, round >= warmup);
  }
  for (const target of timed) await target.tracer?.shutdown();

  // Best of 6 passes of 4,096 exchanges; the memory exporter only (export would leave the
  // thread), and a macrotask every 128 exchanges so the page stays responsive.
  const isolated = tracerKinds.slice(0, 2).map(({ name, make }) => ({
    name,
    run: agent(instant, make().tracer),
    best: Number.POSITIVE_INFINITY,
  }));
  for (let pass = 0; pass < 6; pass++) {
    for (const target of pass % 2 === 0 ? isolated : [...isolated].reverse()) {
      let busy = 0;
      for (let chunk = 0; chunk < 32; chunk++) {
        const start = performance.now();
        for (let index = 0; index < 128; index++) await target.run();
        busy += performance.now() - start;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      target.best = Math.min(target.best, busy / 4096);
    }
  }

  page.__benchResult = {
    rounds,
    warmup,
    stepsPerBlock,
    spansPerStep,
    variants: timed.map(({ name, floor, times, late, otlp }) => ({
      name,
      floor,
      times,
      late,
      ...(otlp ? { stats: otlp.stats() } : {}),
    })),
    isolated: isolated.map(({ name, best }) => ({ name, ms: best })),
  };
} catch (error) {
  page.__benchResult = { error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) };
}
