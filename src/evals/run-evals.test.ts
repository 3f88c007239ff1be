import { describe, expect, inject, it } from 'vitest';
import { AbortedError, InvalidArgumentError } from '../errors/index.js';
import { openai } from '../llm/index.js';
import { InMemoryStorage } from '../storage/index.js';
import { createMemoryExporter, createTracer } from '../telemetry/index.js';
import { connectTestServer, type TestSession } from '../test/index.js';
import { createScorer } from './create-scorer.js';
import { runEvals } from './run-evals.js';
import { createToxicityScorer } from './scorers/llm.js';
import { createIncludesScorer } from './scorers/match.js';
import { createToolCalledScorer } from './scorers/tools.js';
import { createScoringHook, withScorers } from './scoring-hook.js';

const mentionsParis = createIncludesScorer({ id: 'mentions-paris', values: ['Paris'] });
const data = [
  { input: 'Capital of France?', groundTruth: 'Paris' },
  { input: 'Capital of Italy?', groundTruth: 'Rome' },
  { input: 'Where is the Louvre?', groundTruth: 'Paris' },
];

describe('runEvals', () => {
  it('scores a function target, summarises mean/histogram/failures and persists one record per item and scorer', async () => {
    const storage = new InMemoryStorage();
    const progress: number[] = [];
    const summary = await runEvals({
      target: async function capital(input: string) {
        return input.includes('Italy') ? 'Rome' : 'Paris';
      },
      data,
      scorers: [mentionsParis],
      storage,
      evalRunId: 'run-1',
      concurrency: 2,
      onProgress: ({ done }) => progress.push(done),
    });
    expect(summary).toMatchObject({ evalRunId: 'run-1', targetId: 'capital', items: 3 });
    const scores = summary.scorers['mentions-paris']!;
    expect(scores).toMatchObject({ count: 3, scored: 3, errors: 0, min: 0, max: 1 });
    expect(scores.mean).toBeCloseTo(2 / 3);
    expect(scores.histogram[0]).toEqual({ from: 0, to: 0.1, count: 1 });
    expect(scores.histogram[9]).toEqual({ from: 0.9, to: 1, count: 2 });
    expect(scores.failures).toEqual([{ itemIndex: 1, score: 0, reason: 'Missing: "Paris".' }]);
    expect(progress).toEqual([1, 2, 3]);
    const stored = await storage.listEvalResults({ evalRunId: 'run-1' });
    expect(stored.total).toBe(3);
    expect(stored.items.find((record) => record.itemIndex === 1)).toMatchObject({
      id: 'run-1:1:mentions-paris',
      scorerId: 'mentions-paris',
      targetId: 'capital',
      input: 'Capital of Italy?',
      output: 'Rome',
      score: 0,
    });
  });

  it('reads tool calls from an agent target and unwraps workflow results', async () => {
    const agent = {
      name: 'weather-agent',
      async generate(input: string) {
        return {
          text: `Sunny in ${input}`,
          toolCalls: [{ id: 'c1', name: 'getWeather', arguments: '{"city":"Oslo"}' }],
        };
      },
    };
    const agentSummary = await runEvals({
      target: agent,
      data: [{ input: 'Oslo' }],
      scorers: [createToolCalledScorer({ name: 'getWeather' })],
    });
    expect(agentSummary.targetId).toBe('weather-agent');
    expect(agentSummary.scorers['tool-called']?.mean).toBe(1);
    expect(agentSummary.results[0]?.output).toBe('Sunny in Oslo');

    const workflow = {
      id: 'capitals',
      createRun: () => ({
        start: async ({ inputData }: { inputData: unknown }) =>
          inputData === 'fail'
            ? { status: 'failed', error: new Error('step 2 broke') }
            : { status: 'success', result: 'Paris' },
      }),
    };
    const workflowSummary = await runEvals({
      target: workflow,
      data: [{ input: 'France' }, { input: 'fail' }],
      scorers: [mentionsParis],
    });
    expect(workflowSummary.results[0]?.scores['mentions-paris']?.score).toBe(1);
    expect(workflowSummary.results[1]?.targetError).toEqual({
      code: 'workflow_step',
      message: 'The workflow ended with status "failed" instead of "success".',
    });
    expect(workflowSummary.scorers['mentions-paris']).toMatchObject({ errors: 1, scored: 1, mean: 1 });
  });

  it('records a malformed judge as an error with a null score, not as 0', async () => {
    const session: TestSession = await connectTestServer(inject('openaiServerUrl')).session();
    const judge = openai({ apiKey: 'test', baseURL: session.baseURL, model: 'judge', maxRetries: 0 });
    await session.enqueue({ text: 'nope' }, { text: 'still nope' });
    const storage = new InMemoryStorage();
    const summary = await runEvals({
      target: async () => 'Hello!',
      data: [{ input: 'hi' }],
      scorers: [createToxicityScorer({ model: judge, maxRetries: 1 })],
      storage,
    });
    const toxicity = summary.scorers.toxicity!;
    expect(toxicity).toMatchObject({ scored: 0, errors: 1, mean: null });
    expect(toxicity.histogram.every((bin) => bin.count === 0)).toBe(true);
    expect(toxicity.failures[0]).toMatchObject({ itemIndex: 0, score: null, error: { code: 'eval_judge' } });
    const [record] = (await storage.listEvalResults({})).items;
    expect(record).toMatchObject({ score: null, error: { code: 'eval_judge' } });
  });

  it('persists finished items and throws AbortedError when aborted', async () => {
    const storage = new InMemoryStorage();
    const controller = new AbortController();
    const promise = runEvals({
      target: async (input: number) => {
        if (input === 1) controller.abort();
        return String(input);
      },
      data: [0, 1, 2, 3, 4].map((input) => ({ input })),
      scorers: [createScorer({ id: 'one', description: 'x' }).generateScore(() => 1)],
      concurrency: 1,
      signal: controller.signal,
      storage,
    });
    await expect(promise).rejects.toBeInstanceOf(AbortedError);
    expect((await storage.listEvalResults({})).total).toBe(2);
  });

  it('traces the run: an eval root span, one span per item with its scores, target spans nested', async () => {
    const memory = createMemoryExporter();
    const tracer = createTracer({ exporters: [memory] });
    await runEvals({
      target: async (input: string, { parentSpan }) =>
        tracer.withSpan('lookup', { kind: 'tool', parent: parentSpan }, async () =>
          input === 'fail' ? Promise.reject(new Error('down')) : 'Paris',
        ),
      data: [{ input: 'France' }, { input: 'fail' }],
      scorers: [mentionsParis],
      targetId: 'capitals',
      tracer,
      concurrency: 1,
    });
    const spans = memory.spans();
    const root = spans.find((span) => span.name === 'eval capitals')!;
    const items = spans.filter((span) => span.name.startsWith('eval item'));
    expect(root).toMatchObject({
      kind: 'eval',
      status: 'ok',
      attributes: { 'lumos.eval.mean.mentions-paris': 1, 'lumos.eval.completed': 2 },
    });
    expect(
      items.map((span) => [
        span.parentSpanId,
        span.status,
        span.attributes['lumos.eval.score.mentions-paris'],
      ]),
    ).toEqual([
      [root.spanId, 'ok', 1],
      [root.spanId, 'error', null],
    ]);
    const lookups = spans.filter((span) => span.name === 'lookup');
    expect(lookups.map((span) => span.parentSpanId)).toEqual(items.map((span) => span.spanId));
  });

  it('rejects duplicate scorer ids and an empty scorer list', async () => {
    await expect(runEvals({ target: async () => 'x', data: [], scorers: [] })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(
      runEvals({ target: async () => 'x', data: [], scorers: [mentionsParis, mentionsParis] }),
    ).rejects.toThrow(/share the id/);
  });
});

describe('withScorers and createScoringHook', () => {
  it('returns the agent result at once and scores sampled runs in the background', async () => {
    const storage = new InMemoryStorage();
    const draws = [0.05, 0.5, 0.01];
    class Agent {
      readonly #prefix = 'Answer: ';
      async generate(input: string) {
        return { text: `${this.#prefix}${input}` };
      }
      describe() {
        return this.#prefix.trim();
      }
    }
    const scored = withScorers(new Agent(), {
      scorers: [mentionsParis],
      sampling: { rate: 0.1 },
      storage,
      random: () => draws.shift() ?? 1,
    });
    expect((await scored.generate('Paris')).text).toBe('Answer: Paris');
    await scored.generate('Rome');
    await scored.generate('Lyon');
    expect(scored.describe()).toBe('Answer:');
    await scored.scoring.idle();
    const stored = (await storage.listEvalResults({ evalRunId: 'live' })).items.sort(
      (a, b) => a.itemIndex - b.itemIndex,
    );
    expect(stored.map((record) => [record.input, record.score])).toEqual([
      ['Paris', 1],
      ['Lyon', 0],
    ]);
  });

  it('reports scorer errors to onScore and validates the sampling rate', async () => {
    const seen: unknown[] = [];
    const hook = createScoringHook({
      scorers: [
        createScorer({ id: 'boom', description: 'x' }).generateScore(() =>
          Promise.reject(new Error('kaput')),
        ),
      ],
      onScore: (score) => seen.push(score.error),
    });
    hook.onResult({ input: 'q', output: 'a' });
    await hook.idle();
    expect(seen).toEqual([{ code: 'internal', message: 'kaput' }]);
    expect(() => createScoringHook({ scorers: [], sampling: { rate: 2 } })).toThrow(InvalidArgumentError);
  });
});
