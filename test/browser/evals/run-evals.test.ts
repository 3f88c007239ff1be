import { describe, expect, inject, it } from 'vitest';
import {
  createAnswerRelevancyScorer,
  createContentSimilarityScorer,
  createKeywordCoverageScorer,
  runEvals,
} from '../../../src/evals/index.js';
import { openai } from '../../../src/llm/index.js';
import { IndexedDBStorage } from '../../../src/storage/index.js';
import { connectTestServer } from '../../../src/test/index.js';

describe('runEvals in Chromium', () => {
  it('evaluates an agent over a small dataset with rule-based and judged scorers and persists the results in IndexedDB', async () => {
    const server = connectTestServer(inject('openaiServerUrl'));
    // The agent's session has an empty queue, so the server echoes each question back.
    const agentSession = await server.session();
    const judgeSession = await server.session();
    const chat = openai({
      apiKey: 'test',
      baseURL: agentSession.baseURL,
      model: 'agent',
      dangerouslyAllowBrowser: true,
    });
    const agent = {
      name: 'echo-agent',
      generate: async (input: string) => {
        const result = await chat.generate({ messages: [{ role: 'user', content: input }] });
        return { text: result.text };
      },
    };
    const verdict = (verdicts: string[]) =>
      JSON.stringify({
        statements: verdicts.map((value, index) => ({ statement: `s${index}`, verdict: value, reason: 'r' })),
      });
    await judgeSession.enqueue(
      { text: verdict(['yes', 'yes']) },
      { text: verdict(['yes', 'no']) },
      { text: 'not json' },
      { text: '{"statements": 3}' },
      { text: verdict(['unsure']) },
    );
    const judge = openai({
      apiKey: 'test',
      baseURL: judgeSession.baseURL,
      model: 'judge',
      maxRetries: 0,
      dangerouslyAllowBrowser: true,
    });

    const name = `lumos-evals-${crypto.randomUUID()}`;
    const storage = await IndexedDBStorage.open({ name });
    const progress: number[] = [];
    const summary = await runEvals({
      target: agent,
      data: [
        { input: 'Paris is the capital of France', groundTruth: 'Paris is the capital of France' },
        { input: 'Rome is in Italy', groundTruth: 'Rome is the capital of Italy' },
        { input: 'Lyon has silk weavers', groundTruth: 'Bordeaux makes wine' },
        { input: 'Berlin', groundTruth: 'Berlin is the capital of Germany' },
      ],
      scorers: [
        createContentSimilarityScorer(),
        createKeywordCoverageScorer(),
        createAnswerRelevancyScorer({ model: judge, maxRetries: 1 }),
      ],
      concurrency: 1,
      storage,
      evalRunId: 'browser-run',
      onProgress: ({ done }) => progress.push(done),
    });
    storage.close();

    expect(progress).toEqual([1, 2, 3, 4]);
    expect(summary.results.map((result) => result.output)).toEqual([
      'Paris is the capital of France',
      'Rome is in Italy',
      'Lyon has silk weavers',
      'Berlin',
    ]);
    expect(summary.scorers['content-similarity']?.scored).toBe(4);
    expect(summary.scorers['content-similarity']?.max).toBe(1);
    const relevancy = summary.scorers['answer-relevancy']!;
    expect(relevancy).toMatchObject({ count: 4, scored: 3, errors: 1 });
    expect(relevancy.mean).toBeCloseTo((1 + 0.5 + 0.3) / 3);
    expect(
      relevancy.failures.map((failure) => [failure.itemIndex, failure.score, failure.error?.code]),
    ).toEqual([
      [2, null, 'eval_judge'],
      [3, 0.3, undefined],
    ]);

    // A new connection reads what runEvals persisted.
    const reopened = await IndexedDBStorage.open({ name });
    const stored = await reopened.listEvalResults({ evalRunId: 'browser-run', limit: 100 });
    expect(stored.total).toBe(12);
    const judged = stored.items
      .filter((record) => record.scorerId === 'answer-relevancy')
      .sort((a, b) => a.itemIndex - b.itemIndex);
    expect(judged.map((record) => record.score)).toEqual([1, 0.5, null, 0.3]);
    expect(judged[2]).toMatchObject({
      targetId: 'echo-agent',
      error: { code: 'eval_judge' },
      input: 'Lyon has silk weavers',
    });
    expect(judged[0]?.details).toMatchObject({
      analyzeStepResult: { statements: [{ verdict: 'yes' }, { verdict: 'yes' }] },
    });
    reopened.close();
  });
});
