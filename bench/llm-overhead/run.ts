// Our ChatModel vs the raw `openai` SDK against the local OpenAI-compatible test server:
// 1,000 calls each, interleaved in ABBA order so drift hits both sides alike, after a warm-up.
import OpenAI from 'openai';
import { openai } from '../../src/llm/index.js';
import { startOpenAITestServer } from '../../src/test/index.js';
import { percentile, row, writeResults } from '../support/results.js';

const calls = Number(process.env.LLM_OVERHEAD_CALLS ?? 1000);
const warmup = 100;
const answer = 'The quick brown fox jumps over the lazy dog, twice over, and then rests a while.';

const server = await startOpenAITestServer();
const session = await server.session();
session.setHandler?.(() => ({ text: answer, usage: { prompt_tokens: 12, completion_tokens: 18 } }));

const ours = openai({ apiKey: 'test', baseURL: session.baseURL, model: 'test-model' });
const raw = new OpenAI({ apiKey: 'test', baseURL: session.baseURL, maxRetries: 0 });
const messages = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'Tell me about the fox.' },
];

type Call = () => Promise<string>;

const contenders: Record<string, { ours: Call; raw: Call }> = {
  generate: {
    ours: async () => (await ours.generate({ messages })).text,
    raw: async () => {
      const completion = await raw.chat.completions.create({ model: 'test-model', messages });
      return completion.choices[0]?.message.content ?? '';
    },
  },
  stream: {
    ours: async () => {
      let text = '';
      for await (const event of ours.stream({ messages }))
        if (event.type === 'text-delta') text += event.delta;
      return text;
    },
    raw: async () => {
      let text = '';
      const stream = await raw.chat.completions.create({
        model: 'test-model',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    },
  },
};

async function timed(call: Call): Promise<number> {
  const started = performance.now();
  const text = await call();
  const elapsed = performance.now() - started;
  if (text !== answer) throw new Error(`wrong answer: ${text}`);
  return elapsed;
}

const rows = [];
const extra: Record<string, unknown> = { calls, warmup, answerChars: answer.length };
for (const [name, pair] of Object.entries(contenders)) {
  for (let index = 0; index < warmup; index++) {
    await pair.ours();
    await pair.raw();
  }
  const oursTimes: number[] = [];
  const rawTimes: number[] = [];
  for (let index = 0; index < calls; index++) {
    // ABBA: alternate which side goes first so neither always runs on a warmer path.
    if (index % 2 === 0) {
      oursTimes.push(await timed(pair.ours));
      rawTimes.push(await timed(pair.raw));
    } else {
      rawTimes.push(await timed(pair.raw));
      oursTimes.push(await timed(pair.ours));
    }
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const oursMean = mean(oursTimes);
  const rawMean = mean(rawTimes);
  extra[name] = {
    oursP50: percentile(oursTimes, 50),
    rawP50: percentile(rawTimes, 50),
    oursP99: percentile(oursTimes, 99),
    rawP99: percentile(rawTimes, 99),
    overheadMicrosecondsPerCall: Math.round((oursMean - rawMean) * 1000),
  };
  const oursP50 = percentile(oursTimes, 50);
  const rawP50 = percentile(rawTimes, 50);
  const common = {
    unit: 'ms',
    better: 'lower' as const,
    peer: 'openai SDK 6 called directly',
    target: 'ratio <= 1.05',
  };
  rows.push(
    row({
      ...common,
      case: `${name}: median time per call (${calls} calls, local server)`,
      ours: oursP50,
      peerValue: rawP50,
      met: oursP50 / rawP50 <= 1.05,
      notes: 'median: robust to the load spikes of a shared machine',
    }),
    row({
      ...common,
      case: `${name}: mean time per call (${calls} calls, local server)`,
      ours: oursMean,
      peerValue: rawMean,
      met: oursMean / rawMean <= 1.05,
      notes: `overhead ${Math.round((oursMean - rawMean) * 1000)} µs per call on average`,
    }),
  );
}

await server.close();
writeResults('llm-overhead', rows, { extra });
